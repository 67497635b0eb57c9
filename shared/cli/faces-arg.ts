import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError, LambdafaceError } from '../errors.ts';
import { IdentityName, UnknownPersonId } from '../schemas/job.ts';
import { isPhotoPath, PHOTO_EXTENSIONS } from '../config/photos.ts';

export interface LocalFace {
  name: string;
  photos: string[];
  /** An unknown person of the search given to --reuse-scan (`--face <name>=cluster:<id>`), enrolled from its own faces. */
  cluster?: string;
}

/** `--face <name>=cluster:<id>`: the person is unknown person <id> of the earlier search. */
const CLUSTER_PREFIX = 'cluster:';

/** Whether a --face flag enrols an unknown person of an earlier search. */
export const isClusterFace = (flag: string): boolean => flag.slice(flag.indexOf('=') + 1).startsWith(CLUSTER_PREFIX);

/**
 * Reads `--face name=<photo|dir>` flags (repeatable; the same name twice adds photos) and
 * `--face name=cluster:<id>` (an unknown person of the search --reuse-scan names). No flag at all
 * is a search for who is in the video.
 */
export async function resolveFaceFlags(flags: readonly string[]): Promise<LocalFace[]> {
  const byName = new Map<string, string[]>();
  const clusters = new Map<string, string>();
  const problems: LambdafaceError[] = [];
  for (const flag of flags) {
    const split = flag.indexOf('=');
    if (split <= 0) {
      throw inputError(`"--face ${flag}" is not <name>=<photo|dir>`, {
        input: '--face',
        hint: 'write it as --face ada=photos/ada.jpg or --face ada=photos/ada/',
      });
    }
    const name = flag.slice(0, split);
    const path = flag.slice(split + 1);
    const parsed = IdentityName.safeParse(name);
    if (!parsed.success) {
      throw inputError(`"${name}" is not a usable name: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
        input: '--face',
        hint: "use plain letters, digits, spaces, _ . ' or - (e.g. ada_lovelace)",
      });
    }
    if (path.startsWith(CLUSTER_PREFIX)) {
      const id = UnknownPersonId.safeParse(path.slice(CLUSTER_PREFIX.length));
      if (!id.success) {
        throw inputError(`"--face ${flag}": ${id.error.issues[0]?.message ?? "not an unknown person's id"}`, {
          input: '--face',
          hint: 'take the id (u1, u2, …) from the earlier search\'s summary, timeline.json ("unknown") or report',
        });
      }
      if (byName.has(name) || clusters.has(name)) {
        throw inputError(`${name} is enrolled twice: as ${id.data} and ${clusters.get(name) ?? 'from photos'}`, {
          input: '--face',
          hint: 'enrol a person either from photos or as one unknown person of the earlier search',
        });
      }
      const other = [...clusters].find(([, cluster]) => cluster === id.data)?.[0];
      if (other !== undefined) {
        throw inputError(`unknown person ${id.data} is enrolled twice: as ${other} and as ${name}`, {
          input: '--face',
          hint: `give ${id.data} one name: the same person under two names would be named twice on every face`,
        });
      }
      clusters.set(name, id.data);
      continue;
    }
    if (clusters.has(name)) {
      throw inputError(`${name} is enrolled twice: as ${clusters.get(name)} and from photos`, {
        input: '--face',
        hint: 'enrol a person either from photos or as one unknown person of the earlier search',
      });
    }
    try {
      byName.set(name, [...(byName.get(name) ?? []), ...(await photosAt(path, name))]);
    } catch (error) {
      if (!(error instanceof LambdafaceError)) throw error;
      problems.push(error);
    }
  }
  // Every missing or empty photo path at once, so one run shows all there is to fix.
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    throw inputError(problems.map((problem) => problem.message).join('; '), {
      input: '--face',
      hint: 'correct these --face paths: each must be a photo or a folder holding photos',
    });
  }
  return [...[...byName].map(([name, photos]) => ({ name, photos })), ...[...clusters].map(([name, cluster]) => ({ name, photos: [], cluster }))];
}

async function photosAt(path: string, name: string): Promise<string[]> {
  const info = await stat(path).catch(() => null);
  if (info === null) {
    throw inputError(`photo or folder "${path}" for ${name} does not exist`, {
      input: `--face ${name}=${path}`,
      hint: 'check the path (it is relative to the current folder) and that the photo is there',
    });
  }
  if (info.isFile()) return [path];
  const photos = (await readdir(path))
    .filter(isPhotoPath)
    .sort()
    .map((file) => join(path, file));
  if (photos.length === 0) {
    throw inputError(`folder "${path}" for ${name} holds no photos`, {
      input: `--face ${name}=${path}`,
      hint: `put ${PHOTO_EXTENSIONS.join(', ')} files in it`,
    });
  }
  return photos;
}

/** Every identity folder under `dir` as a face (eval-photos). */
export async function facesFromIdentityFolders(dir: string): Promise<LocalFace[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw inputError(`"${dir}" is not a readable folder`, { input: '--faces', hint: 'give a folder with one sub-folder of photos per person' });
  });
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  if (folders.length === 0) {
    throw inputError(`"${dir}" has no identity folders`, { input: '--faces', hint: 'give a folder with one sub-folder of photos per person' });
  }
  return Promise.all(folders.map(async (name) => ({ name, photos: await photosAt(join(dir, name), name) })));
}

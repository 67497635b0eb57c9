import { randomBytes } from 'node:crypto';
import { mkdir, rm, rmdir, stat, statfs, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { inputError, type LambdafaceError } from '../errors.ts';

/**
 * Kernel pseudo-filesystems by statfs type: what looks like a folder there is the kernel's view of
 * itself, writing is refused or means something else, and Node's recursive mkdir loops forever on
 * /proc.
 */
const PSEUDO_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x62656570, 'configfs'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
]);

export interface WritableFolder {
  /** Removes the folders the check created, when the search failed before writing into them. */
  discardIfUnused(): Promise<void>;
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

function notWritable(flag: string, out: string, error: unknown): LambdafaceError {
  const { code, message } = error as NodeJS.ErrnoException;
  return inputError(`cannot write to ${flag} ${out} (${(code && REASONS[code]) ?? message})`, {
    input: flag,
    hint: `give a folder you can write to with ${flag}, or make this one writable`,
    cause: error,
  });
}

/** The nearest existing path at or above `path`, and the folders below it that are missing, top first. */
async function nearestExisting(flag: string, out: string, path: string): Promise<{ existing: string; isDirectory: boolean; missing: string[] }> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return { existing: current, isDirectory: (await stat(current)).isDirectory(), missing };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a parent is a file; walking up finds it.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(current) === current) throw notWritable(flag, out, error);
      missing.unshift(current);
      current = dirname(current);
    }
  }
}

/**
 * Checks a folder a command writes into (`--out`, `--data-dir`: named by `flag` in messages) before
 * any work starts, so a search never runs for minutes only to find it cannot save what it found: creates the folder if missing (one level at a time), and refuses a
 * file, a path under a file, a pseudo-filesystem (/proc, /sys) and a folder it cannot write to,
 * which is probed by creating and removing a small file.
 */
export async function prepareWritableFolder(out: string, flag = '--out'): Promise<WritableFolder> {
  const path = resolve(out);
  const { existing, isDirectory, missing } = await nearestExisting(flag, out, path);
  if (!isDirectory) {
    throw inputError(existing === path ? `${flag} ${out} is a file, not a folder` : `${flag} ${out} cannot be a folder: ${existing} is a file`, {
      input: flag,
      hint: `give ${flag} the path of a folder (it is created if missing) whose parents are folders`,
    });
  }
  const pseudo = PSEUDO_FILESYSTEMS.get(Number((await statfs(existing)).type));
  if (pseudo !== undefined) {
    throw inputError(`${flag} ${out} is on the kernel's ${pseudo} pseudo-filesystem, which cannot hold files`, {
      input: flag,
      hint: `give ${flag} a folder on a disk`,
    });
  }
  const created: string[] = [];
  const discard = async (): Promise<void> => {
    for (const dir of created.toReversed()) {
      // Non-recursive: a folder something was written into is kept.
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false,
        ))
      )
        return;
    }
  };
  try {
    for (const dir of missing) {
      await mkdir(dir);
      created.push(dir);
    }
    const probe = join(path, `.lambdaface-write-test-${randomBytes(4).toString('hex')}`);
    await writeFile(probe, '', { flag: 'wx' });
    await rm(probe, { force: true });
  } catch (error) {
    await discard();
    throw notWritable(flag, out, error);
  }
  return { discardIfUnused: discard };
}

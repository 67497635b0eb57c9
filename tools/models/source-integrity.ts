import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { modelError, zodProblems } from '../../shared/errors.ts';

/**
 * The converter only ever reads weight files whose sha256 is pinned in tools/models/sources.json
 * (committed). A package upgrade, a corrupted install or a tampered file stops the build with an
 * error naming the file and the package version the pin belongs to.
 */

export const SOURCES_FILE = fileURLToPath(new URL('./sources.json', import.meta.url));

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256');

export const sourcePinsSchema = z.object({
  packages: z.record(
    z.string(),
    z.object({
      version: z.string(),
      files: z.record(z.string(), sha256Hex),
    }),
  ),
});
export type SourcePins = z.infer<typeof sourcePinsSchema>;

/** A verified source file: its bytes are the ones that were hashed. */
export interface SourceFile {
  readonly pkg: string;
  readonly file: string;
  readonly path: string;
  readonly sha256: string;
  readonly bytes: Buffer;
}

/** Finds the installed directory of an npm package. */
export type PackageLocator = (pkg: string) => string;

const requireFromHere = createRequire(import.meta.url);

/** Resolves packages the way Node does from this file (i.e. the repo's node_modules). */
export const nodeModulesLocator: PackageLocator = (pkg) => dirname(requireFromHere.resolve(`${pkg}/package.json`));

export const sourceKey = (pkg: string, file: string): string => `${pkg}/${file}`;

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function loadSourcePins(path: string = SOURCES_FILE): SourcePins {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw modelError(`cannot read the pinned model sources ${path}`, { input: path, hint: 'restore tools/models/sources.json from git', cause });
  }
  const parsed = sourcePinsSchema.safeParse(raw);
  if (!parsed.success) {
    throw modelError(`invalid pinned model sources ${path}: ${zodProblems(parsed.error)}`, {
      input: path,
      hint: 'restore tools/models/sources.json from git',
    });
  }
  return parsed.data;
}

function installedVersion(dir: string): string | undefined {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return z.object({ version: z.string() }).parse(pkg).version;
  } catch {
    return undefined;
  }
}

/**
 * Reads and checks every pinned file. Returns them keyed by `<package>/<file>`; throws a
 * ModelError on the first missing or changed file.
 */
export function verifySources(pins: SourcePins, locate: PackageLocator = nodeModulesLocator): Map<string, SourceFile> {
  const files = new Map<string, SourceFile>();
  for (const pkg of Object.keys(pins.packages).sort()) {
    const { version, files: pinned } = pins.packages[pkg] as SourcePins['packages'][string];
    const expected = `${pkg}@${version}`;
    let dir: string;
    try {
      dir = locate(pkg);
    } catch (cause) {
      throw modelError(`${expected} is not installed (it ships the model weights)`, { input: pkg, hint: 'run `npm ci`', cause });
    }
    const found = installedVersion(dir);
    for (const file of Object.keys(pinned).sort()) {
      const path = join(dir, file);
      if (!existsSync(path)) {
        throw modelError(`model source ${path} is missing: expected ${file} from ${expected}${found && found !== version ? ` (installed: ${found})` : ''}`, {
          input: path,
          hint: `reinstall ${expected} (npm ci)`,
        });
      }
      const bytes = readFileSync(path);
      const actual = sha256(bytes);
      if (actual !== pinned[file]) {
        throw modelError(
          `model source ${path} does not match its pin: expected ${file} of ${expected} with sha256 ${pinned[file]}, got ${actual}` +
            (found && found !== version ? ` (installed version is ${found})` : ''),
          {
            input: path,
            hint: `reinstall ${expected} (npm ci); if the new weights are intended, re-pin them in tools/models/sources.json and check the converted models against TF.js (test/integration/models)`,
          },
        );
      }
      files.set(sourceKey(pkg, file), { pkg, file, path, sha256: actual, bytes });
    }
  }
  return files;
}

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What this machine has already proven and need not prove again at every start of the CLI: that
 * a state machine definition with this exact content is valid, that files whose identity and
 * times have not changed are the ones checked. Each fact is an empty file named by a hash of
 * everything it depends on, so a change to any of it names another fact, never a stale one. A
 * cache that cannot be read or written only costs the check again: it is never an error.
 */

/** `LAMBDAFACE_CACHE_DIR`, else `node_modules/.cache/lambdaface` of the checkout (where build tools keep their caches). */
export function cacheDir(): string {
  return process.env['LAMBDAFACE_CACHE_DIR'] || fileURLToPath(new URL('../../node_modules/.cache/lambdaface', import.meta.url));
}

/** A short name for a fact: the hash of what it depends on. */
export const factKey = (...parts: readonly string[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);

const factPath = (kind: string, key: string): string => join(cacheDir(), kind, key);

export function isProven(kind: string, key: string): boolean {
  return existsSync(factPath(kind, key));
}

export function recordProven(kind: string, key: string): void {
  const path = factPath(kind, key);
  try {
    mkdirSync(join(cacheDir(), kind), { recursive: true });
    // Written under another name first: a fact is there whole or not at all.
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, '');
    renameSync(temporary, path);
  } catch {
    // Read-only or full: the check simply runs again next time.
  }
}

/**
 * What identifies a file's content without reading it: device, inode, size, and the modification
 * and change times in nanoseconds. Any write to the file moves its change time, which cannot be
 * set back by a program (unlike the modification time), so equal stamps mean unchanged content;
 * a missing file stamps as missing.
 */
export function fileStamp(path: string): string {
  try {
    const stat = statSync(path, { bigint: true });
    return [path, stat.dev, stat.ino, stat.size, stat.mtimeNs, stat.ctimeNs].join(':');
  } catch {
    return `${path}:missing`;
  }
}

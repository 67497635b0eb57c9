import { chmod, mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { inputError } from '../../shared/errors.ts';

export interface ZipEntry {
  name: string;
  /** Uncompressed size: what the entry takes once Lambda unpacks it. */
  size: number;
  /** Unix permission bits (e.g. 0o755), when the zip was made on Unix. */
  mode: number | undefined;
  compressedSize: number;
  /** 0 stored, 8 deflated. */
  method: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const NO_VALUE = 0xffffffff;

/**
 * Lists a zip's entries from its central directory (no extraction): how Lambda's unzipped-size
 * limit and the layers' file modes are checked on the artifacts `sls package` wrote.
 */
export async function zipEntries(path: string): Promise<ZipEntry[]> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    // The end-of-central-directory record is 22 bytes plus a comment of at most 65,535.
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLength);
    await file.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw inputError(`${path} is not a zip file`, { input: path });
    const count = tail.readUInt16LE(eocd + 10);
    const directorySize = tail.readUInt32LE(eocd + 12);
    const directoryOffset = tail.readUInt32LE(eocd + 16);
    if (directoryOffset === NO_VALUE || count === 0xffff) {
      throw inputError(`${path} is a ZIP64 archive, larger than any Lambda artifact can be`, { input: path });
    }
    const directory = Buffer.alloc(directorySize);
    await file.read(directory, 0, directorySize, directoryOffset);
    const entries: ZipEntry[] = [];
    let at = 0;
    for (let i = 0; i < count; i++) {
      if (directory.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw inputError(`${path}: damaged central directory`, { input: path });
      const madeBy = directory.readUInt16LE(at + 4) >> 8;
      const method = directory.readUInt16LE(at + 10);
      const compressedSize = directory.readUInt32LE(at + 20);
      const localHeaderOffset = directory.readUInt32LE(at + 42);
      const uncompressed = directory.readUInt32LE(at + 24);
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      const external = directory.readUInt32LE(at + 38);
      const name = directory.toString('utf-8', at + 46, at + 46 + nameLength);
      // Host 3 is Unix: the high 16 bits of the external attributes are st_mode.
      entries.push({
        name,
        size: uncompressed,
        mode: madeBy === 3 ? (external >>> 16) & 0o7777 : undefined,
        compressedSize,
        method,
        localHeaderOffset,
      });
      at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await file.close();
  }
}

/**
 * Unpacks a zip as Lambda would (file modes kept), so tests can run what was packaged rather than
 * the folders it was made from.
 */
export async function extractZip(path: string, destDir: string): Promise<ZipEntry[]> {
  const entries = await zipEntries(path);
  const file = await open(path, 'r');
  try {
    for (const entry of entries) {
      if (entry.name.endsWith('/')) continue;
      const target = normalize(join(destDir, entry.name));
      if (!target.startsWith(normalize(destDir))) throw inputError(`${path}: entry ${entry.name} points outside the archive`, { input: path });
      const header = Buffer.alloc(30);
      await file.read(header, 0, 30, entry.localHeaderOffset);
      const dataStart = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      const data = Buffer.alloc(entry.compressedSize);
      await file.read(data, 0, entry.compressedSize, dataStart);
      if (entry.method !== 0 && entry.method !== 8) throw inputError(`${path}: ${entry.name} uses compression method ${entry.method}`, { input: path });
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, entry.method === 8 ? inflateRawSync(data) : data);
      if (entry.mode !== undefined) await chmod(target, entry.mode);
    }
  } finally {
    await file.close();
  }
  return entries;
}

import { open } from 'node:fs/promises';
import type { NodeCpu } from './target.ts';

/** ELF e_machine values of the two Lambda architectures. */
const MACHINE: Record<number, NodeCpu> = { 0x3e: 'x64', 0xb7: 'arm64' };

/**
 * The CPU an ELF executable or shared library was built for, or undefined for a file that is not
 * a 64-bit little-endian ELF. Read from the header, so a layer can be checked on any machine
 * without running what it ships.
 */
export async function elfCpu(path: string): Promise<NodeCpu | undefined> {
  const file = await open(path, 'r');
  try {
    const header = Buffer.alloc(20);
    const { bytesRead } = await file.read(header, 0, header.length, 0);
    if (bytesRead < header.length) return undefined;
    const isElf = header[0] === 0x7f && header.toString('latin1', 1, 4) === 'ELF';
    // EI_CLASS 2 = 64-bit, EI_DATA 1 = little-endian: all Lambda targets are both.
    if (!isElf || header[4] !== 2 || header[5] !== 1) return undefined;
    return MACHINE[header.readUInt16LE(18)];
  } finally {
    await file.close();
  }
}

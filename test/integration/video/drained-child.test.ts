import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { spawnDrained } from '../../../shared/video/drained-child.ts';
import { readExactly } from '../../../shared/video/frame-pipe.ts';
import { blockedWriting, bytesWritten, childProcesses, eventually } from './helpers.ts';

/** A child writing `blocks` blocks of 1 MiB, block k filled with byte first + k, then a line on stderr. */
const writer = (blocks: number, first = 0) => [
  '-e',
  `for (let k = 0; k < ${blocks}; k++) process.stdout.write(Buffer.alloc(1 << 20, ${first} + k)); process.stderr.write('done\\n');`,
];

const MiB = 1 << 20;

describe('spawnDrained', () => {
  it('delivers everything in order to a consumer that blocks its thread, then the exit', async () => {
    const child = spawnDrained(process.execPath, writer(24), { aheadBytes: 2 * MiB });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const received = createHash('sha256');
    for (let k = 0; k < 24; k++) {
      const block = await readExactly(child.stdout, MiB);
      expect(block?.length).toBe(MiB);
      expect(block![0]).toBe(k);
      expect(block![MiB - 1]).toBe(k);
      received.update(block!);
      // Busy, as during inference: this thread's event loop does not turn.
      const until = performance.now() + 5;
      while (performance.now() < until);
    }
    expect(await readExactly(child.stdout, MiB)).toBeNull();
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(stderr).toBe('done\n');
    expect(child.running()).toBe(false);
    const expected = createHash('sha256');
    for (let k = 0; k < 24; k++) expected.update(Buffer.alloc(MiB, k));
    expect(received.digest('hex')).toBe(expected.digest('hex'));
  });

  it('holds the child back once aheadBytes are waiting, and kills it on request', async () => {
    // head writes 256 MiB with blocking writes: held back, it blocks on its stdout and stays there.
    const child = spawnDrained('head', ['-c', String(256 * MiB), '/dev/zero'], { aheadBytes: 4 * MiB });
    await readExactly(child.stdout, MiB);
    const [head] = childProcesses().filter((c) => c.command === 'head');
    expect(head).toBeDefined();
    const before = process.memoryUsage().arrayBuffers;
    // Each MiB read lets head write one more: it writes what was read plus aheadBytes (4 MiB), plus
    // what the consumer's stream buffers ahead (up to its largest read, 1 MiB) and the pipes hold,
    // then blocks until the next read.
    for (let read = 1; read <= 4; read++) {
      await eventually(`head has written ${read + 4} MiB and is blocked writing`, () => bytesWritten(head!.pid) >= (read + 4) * MiB && blockedWriting(head!.pid));
      expect(bytesWritten(head!.pid), `after ${read} MiB read`).toBeLessThan((read + 6) * MiB);
      await readExactly(child.stdout, MiB);
    }
    // 250 MiB were left to write: the child is held on its pipe, not done, and they are not in memory.
    expect(child.running()).toBe(true);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * MiB);
    child.kill();
    const exit = await child.exited;
    expect(exit.signal).toBe('SIGKILL');
    expect(childProcesses().filter((c) => c.command === 'head')).toEqual([]);
  });

  it('hands stdout over in pieces of chunkBytes (one frame each), the rest last', async () => {
    const child = spawnDrained('head', ['-c', String(10 * MiB + 5), '/dev/zero'], { aheadBytes: 4 * MiB, chunkBytes: 3 * MiB });
    const sizes: number[] = [];
    for await (const chunk of child.stdout) sizes.push((chunk as Buffer).length);
    expect(sizes).toEqual([3 * MiB, 3 * MiB, 3 * MiB, MiB + 5]);
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });

  it('keeps children that run at the same time apart, each in order', async () => {
    // One relay worker serves every child of this thread: their pieces must not cross.
    const firsts = [0, 100];
    const children = firsts.map((first) => spawnDrained(process.execPath, writer(6, first), { aheadBytes: MiB, chunkBytes: MiB }));
    for (let k = 0; k < 6; k++) {
      for (const [i, child] of children.entries()) {
        const block = await readExactly(child.stdout, MiB);
        expect([block?.length, block?.[0], block?.[MiB - 1]]).toEqual([MiB, firsts[i]! + k, firsts[i]! + k]);
        child.recycle(block!);
      }
    }
    for (const child of children) expect(await child.exited).toEqual({ code: 0, signal: null });
    // A command that cannot start fails alone; the next child still runs.
    expect((await spawnDrained('/nonexistent/ffmpeg', [], { aheadBytes: MiB }).exited).error).toMatchObject({ code: 'ENOENT' });
    const after = spawnDrained(process.execPath, writer(1), { aheadBytes: MiB });
    expect((await readExactly(after.stdout, MiB))?.[0]).toBe(0);
    expect(await after.exited).toEqual({ code: 0, signal: null });
  });

  it('reports a command that cannot start as an error, without hanging', async () => {
    const child = spawnDrained('/nonexistent/ffmpeg', [], { aheadBytes: MiB });
    const exit = await child.exited;
    expect(exit.code).toBeNull();
    expect(exit.error).toMatchObject({ code: 'ENOENT' });
    expect(await readExactly(child.stdout, 10)).toBeNull();
  });
});

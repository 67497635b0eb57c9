import { describe, expect, it } from 'vitest';
import { giveBackScratch, takeScratch, withScratch } from '../../../shared/vision/scratch.ts';

describe('scratch buffers for model inputs', () => {
  it('hands a given-back buffer out again for the same length, and a new one for another length', () => {
    const first = takeScratch(1001);
    giveBackScratch(first);
    expect(takeScratch(1001)).toBe(first);
    const other = takeScratch(1002);
    expect(other).not.toBe(first);
    expect(other).toHaveLength(1002);
  });

  it('never hands one buffer to two holders at once', () => {
    const a = takeScratch(2001);
    const b = takeScratch(2001);
    expect(a).not.toBe(b);
    giveBackScratch(a);
    giveBackScratch(b);
    const again = [takeScratch(2001), takeScratch(2001)];
    expect(new Set(again)).toEqual(new Set([a, b]));
  });

  it('gives the buffer back when the work fails too', async () => {
    let used: Float32Array | undefined;
    await expect(
      withScratch(3001, async (buffer) => {
        used = buffer;
        throw new Error('model failed');
      }),
    ).rejects.toThrow('model failed');
    expect(takeScratch(3001)).toBe(used);
  });

  it('concurrent users of one length get distinct buffers', async () => {
    const seen: Float32Array[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = withScratch(4001, async (buffer) => {
      seen.push(buffer);
      await gate;
    });
    const second = withScratch(4001, async (buffer) => {
      seen.push(buffer);
    });
    await second;
    release();
    await first;
    expect(seen[0]).not.toBe(seen[1]);
  });
});

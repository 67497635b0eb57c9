import { describe, expect, it } from 'vitest';
import { withScratch } from '../../../shared/vision/scratch.ts';

describe('withScratch', () => {
  it('gives a view of exactly the length asked for', async () => {
    const length = await withScratch(1000, async (values) => values.length);
    expect(length).toBe(1000);
  });

  it('reuses a buffer once its lease has ended, for the same or a smaller length', async () => {
    const first = await withScratch(5000, async (values) => values.buffer);
    const again = await withScratch(5000, async (values) => values.buffer);
    const smaller = await withScratch(3000, async (values) => values.buffer);
    expect(again).toBe(first);
    expect(smaller).toBe(first);
  });

  it('never hands one buffer to two leases that overlap in time', async () => {
    const buffers = await Promise.all(
      [0, 1, 2].map((n) =>
        withScratch(7000, async (values) => {
          values.fill(n);
          // Each lease holds its buffer across an await, as a model run does.
          await new Promise((resolve) => setImmediate(resolve));
          expect(values.every((v) => v === n)).toBe(true);
          return values.buffer;
        }),
      ),
    );
    expect(new Set(buffers).size).toBe(3);
  });

  it('gives the buffer back when the use fails', async () => {
    let leased: ArrayBufferLike | undefined;
    await expect(
      withScratch(9000, async (values) => {
        leased = values.buffer;
        throw new Error('model failed');
      }),
    ).rejects.toThrow('model failed');
    expect(await withScratch(9000, async (values) => values.buffer)).toBe(leased);
  });
});

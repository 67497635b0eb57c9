import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../../shared/async/map-limit.ts';

describe('mapLimit', () => {
  it('keeps item order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const delays = [30, 5, 20, 1, 15, 8, 2, 25];
    const results = await mapLimit(delays, 3, async (delay, index) => {
      running++;
      most = Math.max(most, running);
      await sleep(delay);
      running--;
      return index * 10;
    });
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(most).toBe(3);
  });

  it('starts the next task as soon as one finishes, not per batch', async () => {
    let releaseSlow!: () => void;
    const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
    const started: number[] = [];
    // Item 0 waits until every other item has started: run in batches of 2, this never ends.
    await mapLimit([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      if (item === 0) await slow;
      else if (started.length === 6) releaseSlow();
    });
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const seen: number[] = [];
    await expect(
      mapLimit([1, 2, 3, 4, 5], 1, async (item) => {
        seen.push(item);
        if (item === 2) throw new Error('broken item 2');
      }),
    ).rejects.toThrow('broken item 2');
    expect(seen).toEqual([1, 2]);
  });

  it('handles no items', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});

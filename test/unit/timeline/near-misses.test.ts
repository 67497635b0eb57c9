import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../shared/timeline/merge.ts';
import { findNearMisses, MAX_NEAR_MISSES } from '../../../shared/timeline/near-misses.ts';
import { chunk, face } from './make-chunks.ts';

/** An unnamed face of track `track` nearest to `nearest`, `over` above its threshold of 0.53. */
const unnamed = (time: number, track: string, nearest: string, over: number, quality = 0.5) =>
  face(null, time, { track, nearest, threshold: 0.53, distance: 0.53 + over, quality });

describe('findNearMisses', () => {
  it('lists unnamed tracks within the band above their threshold, closest first, one entry per track', () => {
    const chunks = [
      chunk(0, 0, 10, [
        unnamed(1, '0-1', 'ada', 0.03, 0.2),
        unnamed(1.5, '0-1', 'ada', 0.03, 0.9),
        unnamed(2, '0-2', 'grace', 0.01),
        unnamed(3, '0-3', 'ada', 0.2),
        face('ada', 4, { track: '0-4', threshold: 0.53, distance: 0.4 }),
        face(null, 5, { track: '0-5' }),
      ]),
    ];
    const misses = findNearMisses(chunks, 0.05);
    expect(misses.map((miss) => [miss.name, miss.track])).toEqual([
      ['grace', '0-2'],
      ['ada', '0-1'],
    ]);
    expect(misses[1]).toMatchObject({ firstSeen: 1, lastSeen: 1.5, threshold: 0.53, bestFace: { time: 1.5 } });
    expect(misses[1]!.distance).toBeCloseTo(0.56, 9);
  });

  it('keeps the closest when there are more than it lists', () => {
    const faces = Array.from({ length: MAX_NEAR_MISSES + 5 }, (_, i) => unnamed(i * 0.1, `0-${i}`, 'ada', 0.001 * (MAX_NEAR_MISSES + 5 - i)));
    const misses = findNearMisses([chunk(0, 0, 10, faces)], 0.5);
    expect(misses).toHaveLength(MAX_NEAR_MISSES);
    expect(misses[0]!.track).toBe(`0-${MAX_NEAR_MISSES + 4}`);
  });

  it('is part of the timeline when a band is given, and absent otherwise', () => {
    const chunks = [chunk(0, 0, 10, [unnamed(1, '0-1', 'ada', 0.01)])];
    expect(buildTimeline(chunks, { sampleFps: 2, videoDuration: 10, nearMissBand: 0.05 }).nearMisses).toHaveLength(1);
    expect(buildTimeline(chunks, { sampleFps: 2, videoDuration: 10 }).nearMisses).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { evaluatePhotos, type LabelledEmbedding } from '../../../shared/eval/photos.ts';

/** Photos on a line: descriptor = [position]. Distances are then plain differences. */
const at = (identity: string, position: number, source = `${identity}@${position}`): LabelledEmbedding => ({ identity, source, embedding: [position] });

describe('evaluatePhotos', () => {
  it('scores a cleanly separated set: rank1 1, pair accuracy 1, threshold between the classes', () => {
    const result = evaluatePhotos([at('ann', 0), at('ann', 0.3), at('bob', 2), at('bob', 2.4)]);
    expect(result.photos).toBe(4);
    expect(result.identities).toBe(2);
    expect(result.rank1).toBe(1);
    expect(result.rank1Photos).toBe(4);
    expect(result.rank1Misses).toEqual([]);
    expect(result.pairs).toEqual({ same: 2, different: 4 });
    expect(result.pairAccuracy).toBe(1);
    // Same pairs at 0.3 and 0.4, the nearest different pair at 1.7: the midpoint of 0.4 and 1.7.
    expect(result.bestThreshold).toBeCloseTo(1.05, 12);
    expect(result.sameDistance.max).toBeCloseTo(0.4, 12);
    expect(result.differentDistance.min).toBeCloseTo(1.7, 12);
  });

  it('reports a rank-1 miss and leaves photos of one-photo identities out of rank1', () => {
    // ann's two photos are 1 apart; bob (one photo) sits 0.2 from ann@0 and 1.2 from ann@1.
    const result = evaluatePhotos([at('ann', 0), at('ann', 1), at('bob', -0.2), at('cid', 9)]);
    expect(result.rank1Photos).toBe(2);
    expect(result.rank1).toBe(0.5);
    expect(result.rank1Misses).toHaveLength(1);
    expect(result.rank1Misses[0]).toMatchObject({ source: 'ann@0', identity: 'ann', nearest: 'bob' });
    expect(result.rank1Misses[0]!.distance).toBeCloseTo(0.2, 12);
  });

  it('the best threshold maximises pair accuracy with overlapping classes', () => {
    // Pairs: ann 0-1 same d=1; bob 5-5.5 same d=0.5; ann@1 vs cid@1.8 different d=0.8 (inside the same range).
    const result = evaluatePhotos([at('ann', 0), at('ann', 1), at('bob', 5), at('bob', 5.5), at('cid', 1.8)]);
    // Sorted pairs: 0.5 same, 0.8 diff, 1 same, 1.8 diff, ... Best: threshold in (0.5, 0.8) gives
    // 1 same + all 8 different right = 9 of 10, or in (1, 1.8): 2 same + 7 different = 9 of 10.
    expect(result.pairs).toEqual({ same: 2, different: 8 });
    expect(result.pairAccuracy).toBeCloseTo(0.9, 12);
    // The first threshold reaching the best is kept.
    expect(result.bestThreshold).toBeCloseTo(0.65, 12);
  });

  it.each([
    ['same pair sorted first', [at('ann', 0), at('ann', 1), at('bob', 2)]],
    ['different pair sorted first', [at('bob', 0), at('ann', 1), at('ann', 2)]],
  ])('never puts the threshold between tied distances (%s)', (_, items) => {
    // One same pair and one different pair both at distance 1, another different pair at 2:
    // no threshold can accept the first without the second, so the best is 2 of 3 (reject all).
    const result = evaluatePhotos(items);
    expect(result.pairAccuracy).toBeCloseTo(2 / 3, 12);
    expect(result.bestThreshold).toBeLessThan(1);
  });

  it('tied distances of the same class may be accepted together', () => {
    // ann: 0, 1, 2 -> same pairs at 1, 1, 2; bob at 10 -> different pairs at 8, 9, 10.
    const result = evaluatePhotos([at('ann', 0), at('ann', 1), at('ann', 2), at('bob', 10)]);
    expect(result.pairAccuracy).toBe(1);
    expect(result.bestThreshold).toBeCloseTo(5, 12);
  });

  it('gives NaN rank1 and pair accuracy when there is nothing to score', () => {
    const result = evaluatePhotos([at('ann', 0)]);
    expect(result.rank1).toBeNaN();
    expect(result.pairAccuracy).toBeNaN();
    expect(result.pairs).toEqual({ same: 0, different: 0 });
  });

  it('scores video-like copies against the clean photos when every photo has one', () => {
    const items = [
      { ...at('ann', 0), videoLike: [0.8] },
      { ...at('ann', 1), videoLike: [2.5] },
      { ...at('bob', 4), videoLike: [5] },
    ];
    const result = evaluatePhotos(items);
    // Clean pairs: 1 (same), 3 and 4 (different): separable at 2.
    expect(result.pairAccuracy).toBe(1);
    expect(result.bestThreshold).toBeCloseTo(2, 12);
    // Copy i against photo j (i != j): 0.2 S, 1.5 D, 2.5 S, 3.2 D, 4 D, 5 D -> best 5 of 6 at 0.85.
    expect(result.videoLike).toBeDefined();
    expect(result.videoLike!.pairAccuracy).toBeCloseTo(5 / 6, 12);
    expect(result.videoLike!.bestThreshold).toBeCloseTo(0.85, 12);
    // Without a copy for every photo there is no video-like score.
    expect(evaluatePhotos([items[0]!, items[1]!, at('bob', 4)]).videoLike).toBeUndefined();
  });
});

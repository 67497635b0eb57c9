import { describe, expect, it } from 'vitest';
import { euclidean } from '../../../shared/match/distance.ts';
import { confidenceOf, identityDistances, indexGallery, matchEmbedding, type MatchRule } from '../../../shared/match/matcher.ts';
import { Gallery } from '../../../shared/schemas/gallery.ts';
import { gallery, vec } from './vectors.ts';

const RULE: MatchRule = { threshold: 0.5, margin: 0.04, softness: 0.04 };

describe('euclidean', () => {
  it('is the straight-line distance', () => {
    expect(euclidean([0, 0, 0], [3, 4, 0])).toBe(5);
    expect(euclidean(Float32Array.from([1, 2]), [1, 2])).toBe(0);
  });
});

describe('indexGallery / identityDistances', () => {
  it('gives each identity the distance to its nearest descriptor', () => {
    const index = indexGallery(
      gallery({
        ann: [vec(1), vec(0.2), vec(-3)],
        bob: [vec(0, 2)],
      }),
    );
    expect(index.names).toEqual(['ann', 'bob']);
    expect(Array.from(index.owner)).toEqual([0, 0, 0, 1]);
    const distances = identityDistances(index, vec(0, 0));
    expect(distances[0]).toBeCloseTo(0.2, 6);
    expect(distances[1]).toBeCloseTo(2, 6);
  });

  it('the test galleries are valid galleries', () => {
    expect(Gallery.safeParse(gallery({ ann: [vec(1)] })).success).toBe(true);
  });
});

describe('matchEmbedding', () => {
  const two = indexGallery(gallery({ ann: [vec(0)], bob: [vec(0, 1)] }));

  it('names the nearest identity within the threshold', () => {
    const match = matchEmbedding(two, vec(0.3), RULE);
    expect(match.identity).toBe('ann');
    expect(match.nearest).toBe('ann');
    expect(match.distance).toBeCloseTo(0.3, 6);
    expect(match.runnerUpDistance).toBeCloseTo(Math.hypot(0.3, 1), 6);
    expect(match.confidence).toBeGreaterThan(0.5);
  });

  it('names nobody beyond the threshold but still reports the nearest identity and distance', () => {
    const match = matchEmbedding(two, vec(-0.7), RULE);
    expect(match.identity).toBeNull();
    expect(match.nearest).toBe('ann');
    expect(match.distance).toBeCloseTo(0.7, 6);
    expect(match.confidence).toBe(0);
  });

  it('names at exactly the threshold, with confidence 0.5', () => {
    const one = indexGallery(gallery({ ann: [vec(0)] }));
    const match = matchEmbedding(one, vec(0.5), RULE);
    expect(match.distance).toBe(0.5);
    expect(match.identity).toBe('ann');
    expect(match.confidence).toBeCloseTo(0.5, 12);
    expect(confidenceOf(RULE.threshold, RULE)).toBe(0.5);
  });

  it('confidence falls with distance', () => {
    const near = confidenceOf(0.3, RULE);
    const mid = confidenceOf(0.45, RULE);
    const far = confidenceOf(0.6, RULE);
    expect(near).toBeGreaterThan(mid);
    expect(mid).toBeGreaterThan(0.5);
    expect(far).toBeLessThan(0.5);
  });

  it('with one identity the runner-up is at Infinity and the margin never blocks', () => {
    const one = indexGallery(gallery({ ann: [vec(0)] }));
    const match = matchEmbedding(one, vec(0.45), RULE);
    expect(match.runnerUpDistance).toBe(Infinity);
    expect(match.identity).toBe('ann');
  });

  it('the margin rejects a face at similar distances from two look-alikes', () => {
    // ann at distance 0.40, bob at 0.42: both within the threshold, only 0.02 apart.
    const lookAlikes = indexGallery(gallery({ ann: [vec(0.4)], bob: [vec(0, 0.42)] }));
    const ambiguous = matchEmbedding(lookAlikes, vec(0), RULE);
    expect(ambiguous.distance).toBeCloseTo(0.4, 6);
    expect(ambiguous.runnerUpDistance).toBeCloseTo(0.42, 6);
    expect(ambiguous.nearest).toBe('ann');
    expect(ambiguous.identity).toBeNull();
    expect(ambiguous.confidence).toBe(0);

    // The same face with bob far enough away is named.
    const apart = indexGallery(gallery({ ann: [vec(0.4)], bob: [vec(0, 0.6)] }));
    expect(matchEmbedding(apart, vec(0), RULE).identity).toBe('ann');
    // ...and with the margin switched off the look-alike case is named too.
    expect(matchEmbedding(lookAlikes, vec(0), { ...RULE, margin: 0 }).identity).toBe('ann');
  });

  it('an exact tie between two identities names nobody, even with margin 0', () => {
    const twins = indexGallery(gallery({ ann: [vec(0.3)], bob: [vec(-0.3)] }));
    const match = matchEmbedding(twins, vec(0), { ...RULE, margin: 0.0001 });
    expect(match.identity).toBeNull();
    expect(match.distance).toBe(match.runnerUpDistance);
  });

  it.each([
    ['best first', { a: 0.1, b: 0.9, c: 0.5 }, 'a', 0.5],
    ['best last', { a: 0.9, b: 0.5, c: 0.1 }, 'c', 0.5],
    ['best in the middle', { a: 0.5, b: 0.1, c: 0.9 }, 'b', 0.5],
    ['runner-up after best', { a: 0.9, b: 0.1, c: 0.3 }, 'b', 0.3],
  ] as const)('finds nearest and runner-up whatever the gallery order (%s)', (_, at, nearest, runnerUp) => {
    const index = indexGallery(gallery({ a: [vec(at.a)], b: [vec(at.b)], c: [vec(at.c)] }));
    const match = matchEmbedding(index, vec(0), RULE);
    expect(match.nearest).toBe(nearest);
    expect(match.identity).toBe(nearest);
    expect(match.distance).toBeCloseTo(0.1, 6);
    expect(match.runnerUpDistance).toBeCloseTo(runnerUp, 6);
  });
});

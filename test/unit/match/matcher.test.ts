import { describe, expect, it } from 'vitest';
import { euclidean } from '../../../shared/match/distance.ts';
import { DEFAULT_FUSION, fusedDistance } from '../../../shared/match/fusion.ts';
import { confidenceOf, decide, DEFAULT_RULE, identityDistances, indexGallery, matchDescriptor, SMALL_FACE, thresholdFor, type MatchRule } from '../../../shared/match/matcher.ts';
import { Gallery } from '../../../shared/schemas/gallery.ts';
import { gallery, unitAt, vec } from './vectors.ts';

const RULE: MatchRule = { threshold: 0.5, smallFaceAllowance: 0.03, singleSightingPenalty: 0.05, margin: 0.04, softness: 0.04, nearMissBand: 0.05 };
/** Matching on dlib alone (no FaceRes descriptor), where distances are plain Euclidean ones. */
const dlib = (embedding: number[]) => ({ dlib: embedding });

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
    expect(Array.from(index.dlib.owner)).toEqual([0, 0, 0, 1]);
    const distances = identityDistances(index, dlib(vec(0, 0)));
    expect(distances[0]).toBeCloseTo(0.2, 6);
    expect(distances[1]).toBeCloseTo(2, 6);
  });

  it('the test galleries are valid galleries', () => {
    expect(Gallery.safeParse(gallery({ ann: [vec(1)] })).success).toBe(true);
  });
});

describe('matchDescriptor', () => {
  const two = indexGallery(gallery({ ann: [vec(0)], bob: [vec(0, 1)] }));

  it('names the nearest identity within the threshold', () => {
    const match = matchDescriptor(two, dlib(vec(0.3)), RULE);
    expect(match.identity).toBe('ann');
    expect(match.nearest).toBe('ann');
    expect(match.distance).toBeCloseTo(0.3, 6);
    expect(match.runnerUpDistance).toBeCloseTo(Math.hypot(0.3, 1), 6);
    expect(match.confidence).toBeGreaterThan(0.5);
  });

  it('names nobody beyond the threshold but still reports the nearest identity and distance', () => {
    const match = matchDescriptor(two, dlib(vec(-0.7)), RULE);
    expect(match.identity).toBeNull();
    expect(match.nearest).toBe('ann');
    expect(match.distance).toBeCloseTo(0.7, 6);
    expect(match.confidence).toBe(0);
  });

  it('names at exactly the threshold, with confidence 0.5', () => {
    const one = indexGallery(gallery({ ann: [vec(0)] }));
    const match = matchDescriptor(one, dlib(vec(0.5)), RULE);
    expect(match.distance).toBe(0.5);
    expect(match.identity).toBe('ann');
    expect(match.confidence).toBeCloseTo(0.5, 12);
    expect(confidenceOf(RULE.threshold, RULE.threshold, RULE.softness)).toBe(0.5);
  });

  it('confidence falls with distance', () => {
    const near = confidenceOf(0.3, RULE.threshold, RULE.softness);
    const mid = confidenceOf(0.45, RULE.threshold, RULE.softness);
    const far = confidenceOf(0.6, RULE.threshold, RULE.softness);
    expect(near).toBeGreaterThan(mid);
    expect(mid).toBeGreaterThan(0.5);
    expect(far).toBeLessThan(0.5);
  });

  it('with one identity the runner-up is at Infinity and the margin never blocks', () => {
    const one = indexGallery(gallery({ ann: [vec(0)] }));
    const match = matchDescriptor(one, dlib(vec(0.45)), RULE);
    expect(match.runnerUpDistance).toBe(Infinity);
    expect(match.identity).toBe('ann');
  });

  it('the margin rejects a face at similar distances from two look-alikes', () => {
    // ann at distance 0.40, bob at 0.42: both within the threshold, only 0.02 apart.
    const lookAlikes = indexGallery(gallery({ ann: [vec(0.4)], bob: [vec(0, 0.42)] }));
    const ambiguous = matchDescriptor(lookAlikes, dlib(vec(0)), RULE);
    expect(ambiguous.distance).toBeCloseTo(0.4, 6);
    expect(ambiguous.runnerUpDistance).toBeCloseTo(0.42, 6);
    expect(ambiguous.nearest).toBe('ann');
    expect(ambiguous.identity).toBeNull();
    expect(ambiguous.confidence).toBe(0);

    // The same face with bob far enough away is named.
    const apart = indexGallery(gallery({ ann: [vec(0.4)], bob: [vec(0, 0.6)] }));
    expect(matchDescriptor(apart, dlib(vec(0)), RULE).identity).toBe('ann');
    // ...and with the margin switched off the look-alike case is named too.
    expect(matchDescriptor(lookAlikes, dlib(vec(0)), { ...RULE, margin: 0 }).identity).toBe('ann');
  });

  it('an exact tie between two identities names nobody, even with margin 0', () => {
    const twins = indexGallery(gallery({ ann: [vec(0.3)], bob: [vec(-0.3)] }));
    const match = matchDescriptor(twins, dlib(vec(0)), { ...RULE, margin: 0.0001 });
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
    const match = matchDescriptor(index, dlib(vec(0)), RULE);
    expect(match.nearest).toBe(nearest);
    expect(match.identity).toBe(nearest);
    expect(match.distance).toBeCloseTo(0.1, 6);
    expect(match.runnerUpDistance).toBeCloseTo(runnerUp, 6);
  });
});

describe('fused distances', () => {
  it("map an average stranger of both descriptors onto dlib's average stranger", () => {
    expect(fusedDistance(DEFAULT_FUSION.dlib.mean, DEFAULT_FUSION.faceres.mean)).toBeCloseTo(DEFAULT_FUSION.dlib.mean, 12);
  });

  it('never fall below 0, however alike two faces are', () => {
    expect(fusedDistance(0, 0)).toBe(0);
    expect(fusedDistance(0.1, 0.2)).toBe(0);
  });

  it('weigh one standard deviation of either descriptor alike', () => {
    const base = fusedDistance(0.5, 0.9);
    expect(fusedDistance(0.5 - DEFAULT_FUSION.dlib.std, 0.9) - base).toBeCloseTo(fusedDistance(0.5, 0.9 - DEFAULT_FUSION.faceres.std) - base, 12);
  });

  it('are what identityDistances gives a face with both descriptors', () => {
    const index = indexGallery(gallery({ ann: [vec(0.3)], bob: [vec(0, 0.6)] }, { ann: [unitAt(0)], bob: [unitAt(1), unitAt(2)] }));
    const face = { dlib: vec(0), faceres: unitAt(2) };
    const distances = identityDistances(index, face);
    expect(distances[0]).toBeCloseTo(fusedDistance(0.3, Math.SQRT2), 6);
    expect(distances[1]).toBeCloseTo(fusedDistance(0.6, 0), 6);
  });

  it('let FaceRes overturn a dlib ranking when it disagrees strongly (a look-alike)', () => {
    // dlib puts the face slightly nearer ann; FaceRes is sure it is bob.
    const index = indexGallery(gallery({ ann: [vec(0.4)], bob: [vec(0, 0.45)] }, { ann: [unitAt(0)], bob: [unitAt(1)] }));
    const match = matchDescriptor(index, { dlib: vec(0), faceres: unitAt(1) }, DEFAULT_RULE);
    expect(match.identity).toBe('bob');
  });
});

describe('thresholdFor', () => {
  it('gives large faces the threshold and small ones the allowance on top, linearly in between', () => {
    expect(thresholdFor(RULE, 200, false)).toBe(RULE.threshold);
    expect(thresholdFor(RULE, SMALL_FACE.to, false)).toBe(RULE.threshold);
    expect(thresholdFor(RULE, SMALL_FACE.from, false)).toBeCloseTo(RULE.threshold + RULE.smallFaceAllowance, 12);
    expect(thresholdFor(RULE, 10, false)).toBeCloseTo(RULE.threshold + RULE.smallFaceAllowance, 12);
    expect(thresholdFor(RULE, (SMALL_FACE.from + SMALL_FACE.to) / 2, false)).toBeCloseTo(RULE.threshold + RULE.smallFaceAllowance / 2, 12);
  });

  it('holds a face seen once to a stricter bar', () => {
    expect(thresholdFor(RULE, 100, true)).toBeCloseTo(RULE.threshold - RULE.singleSightingPenalty, 12);
  });

  it('names by the threshold it is given', () => {
    const one = indexGallery(gallery({ ann: [vec(0)] }));
    expect(matchDescriptor(one, dlib(vec(0.52)), RULE).identity).toBeNull();
    expect(matchDescriptor(one, dlib(vec(0.52)), RULE, 0.53).identity).toBe('ann');
  });
});

describe('decide', () => {
  it('names the nearest within the threshold and the margin, and nobody otherwise', () => {
    expect(decide([0.6, 0.4, 0.7], 0.5, 0.04)).toEqual({ first: 1, named: true, runnerUpDistance: 0.6 });
    expect(decide([0.42, 0.4], 0.5, 0.04)).toEqual({ first: 1, named: false, runnerUpDistance: 0.42 });
    expect(decide([0.55], 0.5, 0.04)).toEqual({ first: 0, named: false, runnerUpDistance: Infinity });
    expect(decide([0.45], 0.5, 0.04)).toEqual({ first: 0, named: true, runnerUpDistance: Infinity });
    expect(decide([], 0.5, 0.04)).toEqual({ first: -1, named: false, runnerUpDistance: Infinity });
  });
});

import { describe, expect, it } from 'vitest';
import { impostorMoments, rank1, strangersAccepted, tarAtFar, zNormalized, type Distance, type Sample } from '../../../shared/eval/verification.ts';

/**
 * Six photos of three people on a line: a probe's distance to a gallery photo is the gap between
 * their positions plus the probe's own offset (how degraded it is), so every figure can be
 * worked out by hand.
 */
const samples: (Sample & { at: number; offset: number })[] = [
  { identity: 'a', source: 'a1', at: 0, offset: 0 },
  { identity: 'a', source: 'a2', at: 1, offset: 0 },
  { identity: 'b', source: 'b1', at: 10, offset: 0 },
  { identity: 'b', source: 'b2', at: 11, offset: 0 },
  { identity: 'c', source: 'c1', at: 5, offset: 0 },
  // A hard probe: as far from c1's photo (2 + 0.5) as from a2's.
  { identity: 'c', source: 'c2', at: 3, offset: 0.5 },
];
const distance: Distance = (i, j) => Math.abs(samples[i]!.at - samples[j]!.at) + samples[i]!.offset;

describe('rank1', () => {
  it('counts probes whose nearest other photo is of the same person, skipping probes nobody can match', () => {
    const result = rank1(samples, distance);
    // a1 -> a2 (1), a2 -> a1 (1), b1 -> b2, b2 -> b1, c1 (at 5) -> c2 (2): hits. The probe c2 is 2.5 from both a2
    // and c1: the tie goes to the first in order (a2), a miss.
    expect(result.probes).toBe(6);
    expect(result.rate).toBeCloseTo(5 / 6, 10);
    expect(result.misses).toEqual([{ source: 'c2', identity: 'c', nearest: 'a' }]);
  });

  it('leaves out a probe whose identity has no other photo', () => {
    const lone = [...samples.slice(0, 4), samples[4]!];
    expect(rank1(lone, distance).probes).toBe(4);
  });
});

describe('tarAtFar', () => {
  it('takes the threshold that accepts at most the given share of impostor pairs, then counts genuine pairs under it', () => {
    // Genuine pairs (probe -> gallery): a1a2 1, a2a1 1, b1b2 1, b2b1 1, c1c2 2, c2c1 2.5.
    // Impostor pairs: 24, the smallest a2->c2 2, c2->a2 2.5, a1->c2 3, c2->a1 3.5, c1->a2 4, a2->c1 4, ...
    const [loose, strict] = tarAtFar(samples, distance, [2 / 24, 0]);
    expect(loose!.genuinePairs).toBe(6);
    expect(loose!.impostorPairs).toBe(24);
    // FAR 2/24: the threshold is the third smallest impostor distance (3), which accepts every genuine pair.
    expect(loose!.threshold).toBe(3);
    expect(loose!.tar).toBe(1);
    // FAR 0: the smallest impostor distance (2), exclusive: only the four pairs at 1 get under it.
    expect(strict!.threshold).toBe(2);
    expect(strict!.tar).toBeCloseTo(4 / 6, 10);
  });
});

describe('impostorMoments and zNormalized', () => {
  it('uses only pairs of different people, over the included samples', () => {
    const gaps = (i: number, j: number) => Math.abs(samples[i]!.at - samples[j]!.at);
    const m = impostorMoments(samples, gaps, (i) => samples[i]!.identity !== 'c');
    // a vs b: 10, 11, 9, 10.
    expect(m.pairs).toBe(4);
    expect(m.mean).toBeCloseTo(10, 10);
    expect(m.std).toBeCloseTo(Math.sqrt(0.5), 10);
    const z = zNormalized(gaps, m);
    expect(z(0, 2)).toBeCloseTo(0, 10);
    expect(z(0, 3)).toBeCloseTo(1 / Math.sqrt(0.5), 10);
  });
});

describe('strangersAccepted', () => {
  it('holds each identity out, sets the threshold on the others and counts its probes accepted', () => {
    const result = strangersAccepted(samples, () => distance, 1);
    const fold = (id: string) => result.folds.find((f) => f.heldOut === id)!;
    // a held out: genuine nearest own-identity distances b 1, 1; c 2, 2.5 -> threshold (100%) 2.5.
    // a's probes: a1 nearest other is c2 (3), a2 nearest c2 (2): one accepted.
    expect(fold('a')).toEqual({ heldOut: 'a', strangers: 2, accepted: 1, threshold: 2.5 });
    // c held out: threshold 1; c1 (at 5) is 4 from a2, c2 is 2.5 from a2: none accepted.
    expect(fold('c')).toEqual({ heldOut: 'c', strangers: 2, accepted: 0, threshold: 1 });
    expect(result.strangers).toBe(6);
    expect(result.strangersAccepted).toBeCloseTo(result.accepted / 6, 10);
  });

  it('a lower genuine acceptance lowers the threshold', () => {
    const all = strangersAccepted(samples, () => distance, 1);
    const most = strangersAccepted(samples, () => distance, 0.5);
    const a = (r: typeof all) => r.folds.find((f) => f.heldOut === 'a')!.threshold;
    // Genuine distances for fold a: [1, 1, 2, 2.5]; half of them: the second, 1.
    expect(a(most)).toBe(1);
    expect(a(all)).toBe(2.5);
  });
});

import { describe, expect, it } from 'vitest';
import { evaluateOpenSet, type OpenSetItem } from '../../../shared/eval/open-set.ts';
import { euclidean } from '../../../shared/match/distance.ts';

/** Photos as points on a line: distances are differences, so every figure can be worked out by hand. */
const item = (identity: string, at: number, probeAt: number | null = at): OpenSetItem => ({
  identity,
  source: `${identity}@${at}`,
  enrolled: Float32Array.of(at),
  probe: probeAt === null ? null : Float32Array.of(probeAt),
});

describe('evaluateOpenSet', () => {
  it('never matches a probe against its own photo, and counts an undetected probe as a miss', () => {
    const figures = evaluateOpenSet([item('ada', 0), item('ada', 1, null), item('bob', 10), item('bob', 11)], euclidean);
    expect(figures.notDetected).toBe(1);
    // ada@0 -> ada@1 at 1 (hit); ada@1 undetected (miss); bob@10 -> bob@11 (hit); bob@11 -> bob@10 (hit).
    expect(figures.rank1).toBe(0.75);
  });

  it('takes TAR at the largest threshold that keeps impostor acceptance within FAR', () => {
    // Genuine distances 1, 1, 1, 1; impostor distances from each probe to the nearest photo of the other person: 9, 10, 9, 10.
    const items = [item('ada', 0), item('ada', 1), item('bob', 10), item('bob', 11)];
    const [loose, strict] = evaluateOpenSet(items, euclidean, [0.5, 0.1]).tarAtFar;
    expect(loose).toEqual({ far: 0.5, tar: 1, threshold: 9 });
    expect(strict!.tar).toBe(1);
    expect(strict!.threshold).toBeLessThan(9);
  });

  it('holds each identity out and counts its probes accepted at the 95% genuine threshold of the others', () => {
    // Genuine distances are all 1, so every held-out threshold is 1. Strangers within 1 of someone else:
    // dee@-0.5 (0.5 from ada@0) and, with ada held out, ada@0 (0.5 from dee); cy@12.5 is 1.5 from bob@11.
    const items = [item('ada', 0), item('ada', 1), item('bob', 10), item('bob', 11), item('cy', 12.5), item('dee', -0.5)];
    expect(evaluateOpenSet(items, euclidean).strangersAcceptedAt95).toBeCloseTo(2 / 6);
  });
});

import { describe, expect, it } from 'vitest';
import { weightedNms, type Detection } from '../../../shared/vision/nms.ts';

const detection = (x: number, y: number, side: number, score: number): Detection => ({
  box: { x, y, width: side, height: side },
  score,
  keypoints: [
    { x: x + side * 0.3, y: y + side * 0.4 },
    { x: x + side * 0.7, y: y + side * 0.4 },
  ],
});

/** Equal up to the rounding of a one-member weighted mean. */
function expectSame(actual: Detection | undefined, expected: Detection) {
  expect(actual).toBeDefined();
  expect(actual!.score).toBe(expected.score);
  for (const key of ['x', 'y', 'width', 'height'] as const) expect(actual!.box[key]).toBeCloseTo(expected.box[key], 9);
  expect(actual!.keypoints).toHaveLength(expected.keypoints.length);
  expected.keypoints.forEach((p, k) => {
    expect(actual!.keypoints[k]!.x).toBeCloseTo(p.x, 9);
    expect(actual!.keypoints[k]!.y).toBeCloseTo(p.y, 9);
  });
}

describe('weightedNms', () => {
  it('merges overlapping detections into their score-weighted mean, keeping the top score', () => {
    const strong = detection(100, 100, 50, 0.9);
    const weak = detection(104, 98, 52, 0.6); // IoU with strong ~0.8
    const [merged, ...rest] = weightedNms([weak, strong], 0.3);
    expect(rest).toEqual([]);
    expect(merged!.score).toBe(0.9);
    const mean = (p: number, q: number) => (0.9 * p + 0.6 * q) / 1.5;
    expect(merged!.box.x).toBeCloseTo(mean(100, 104), 10);
    expect(merged!.box.y).toBeCloseTo(mean(100, 98), 10);
    expect(merged!.box.width).toBeCloseTo(mean(50, 52), 10);
    expect(merged!.box.height).toBeCloseTo(mean(50, 52), 10);
    expect(merged!.keypoints).toHaveLength(2);
    expect(merged!.keypoints[1]!.x).toBeCloseTo(mean(100 + 35, 104 + 0.7 * 52), 10);
    expect(merged!.keypoints[0]!.y).toBeCloseTo(mean(100 + 20, 98 + 0.4 * 52), 10);
  });

  it('keeps separate faces apart, strongest first, unchanged', () => {
    const a = detection(0, 0, 40, 0.7);
    const b = detection(200, 10, 40, 0.95);
    const c = detection(35, 0, 40, 0.8); // touches a, IoU ~0.07
    const kept = weightedNms([a, b, c], 0.3);
    expect(kept.map((d) => d.score)).toEqual([0.95, 0.8, 0.7]);
    expectSame(kept[0], b);
    expectSame(kept[1], c);
    expectSame(kept[2], a);
  });

  it('merges each face with its own cluster when two faces each have duplicates', () => {
    const kept = weightedNms([detection(0, 0, 40, 0.9), detection(2, 1, 40, 0.8), detection(300, 300, 60, 0.85), detection(303, 298, 58, 0.7), detection(1, 2, 41, 0.65)], 0.3);
    expect(kept).toHaveLength(2);
    expect(kept[0]!.box.x).toBeGreaterThan(0);
    expect(kept[0]!.box.x).toBeLessThan(2);
    expect(kept[1]!.box.x).toBeGreaterThan(300);
    expect(kept[1]!.box.x).toBeLessThan(303);
  });

  it('uses the IoU threshold given: the same pair merges at 0.3 and stays apart at 0.9', () => {
    const pair = [detection(0, 0, 100, 0.9), detection(20, 0, 100, 0.8)]; // IoU = 80 / 120 ~ 0.67
    expect(weightedNms(pair, 0.3)).toHaveLength(1);
    expect(weightedNms(pair, 0.9)).toHaveLength(2);
  });

  it('returns nothing for nothing, and does not modify its input', () => {
    expect(weightedNms([], 0.3)).toEqual([]);
    const input = [detection(0, 0, 40, 0.6), detection(1, 1, 40, 0.9)];
    const copy = structuredClone(input);
    weightedNms(input, 0.3);
    expect(input).toEqual(copy);
  });
});

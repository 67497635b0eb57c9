import { describe, expect, it } from 'vitest';
import { planPyramid } from '../../../shared/vision/pyramid.ts';

const OPTIONS = { minWindowSide: 320, inputSize: 192, sizeMultiple: 32 };

describe('planPyramid', () => {
  it('starts with the whole frame fitted into the nominal input, padded to the size step', () => {
    const [whole] = planPyramid(640, 360, OPTIONS);
    expect(whole).toEqual({ scale: 0.3, width: 192, height: 128 });
    const [portrait] = planPyramid(360, 640, OPTIONS);
    expect(portrait).toEqual({ scale: 0.3, width: 128, height: 192 });
  });

  it('adds the short side fitted to 192, then halves the window down to minWindowSide', () => {
    expect(planPyramid(640, 360, OPTIONS)).toEqual([
      { scale: 0.3, width: 192, height: 128 },
      { scale: 192 / 360, width: 352, height: 192 },
    ]);
    const hd = planPyramid(1920, 1080, OPTIONS);
    expect(hd.map((level) => [level.width, level.height])).toEqual([
      [192, 128],
      [352, 192],
      [704, 384],
    ]);
    expect(hd[2]!.scale).toBeCloseTo(192 / 540, 12);
  });

  it('scans the whole frame only when minWindowSide is null or larger than the frame', () => {
    expect(planPyramid(1920, 1080, { ...OPTIONS, minWindowSide: null })).toEqual([{ scale: 0.1, width: 192, height: 128 }]);
    expect(planPyramid(300, 200, OPTIONS)).toHaveLength(1);
  });

  it('does not repeat the whole frame for a square image', () => {
    const levels = planPyramid(1000, 1000, OPTIONS);
    expect(levels.map((level) => level.scale)).toEqual([0.192, 0.384]);
  });

  it('never goes below a third of the input, however small minWindowSide is', () => {
    // Windows of 2160, 1080, 540, 270, 135 and 67.5 px; 33.75 would only upsample.
    const levels = planPyramid(3840, 2160, { ...OPTIONS, minWindowSide: 1 });
    expect(levels).toHaveLength(7);
    expect(levels.at(-1)!.scale).toBeCloseTo(192 / 67.5, 12);
  });

  it.each([
    [640, 360],
    [1920, 1080],
    [1280, 720],
    [1080, 1920],
    [777, 555],
    [50, 30],
  ])('every level of %ix%i holds the scaled frame and is a multiple of 32', (width, height) => {
    for (const level of planPyramid(width, height, OPTIONS)) {
      expect(level.width % 32).toBe(0);
      expect(level.height % 32).toBe(0);
      expect(level.width).toBeGreaterThanOrEqual(width * level.scale);
      expect(level.height).toBeGreaterThanOrEqual(height * level.scale);
      // Padding stays under one size step.
      expect(level.width - width * level.scale).toBeLessThan(32);
      expect(level.height - height * level.scale).toBeLessThan(32);
    }
  });
});

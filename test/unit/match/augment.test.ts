import { describe, expect, it } from 'vitest';
import { AUGMENTATIONS } from '../../../shared/match/augment.ts';
import { NO_JITTER } from '../../../shared/vision/align.ts';

describe('AUGMENTATIONS', () => {
  it('starts with the photo as is and its mirror image', () => {
    const [identity, mirror] = AUGMENTATIONS;
    expect(identity).toEqual({ jitter: NO_JITTER, gain: 1 });
    expect(mirror).toEqual({ jitter: { ...NO_JITTER, flip: true }, gain: 1 });
  });

  it('has no duplicate variants', () => {
    const keys = AUGMENTATIONS.map((variant) => JSON.stringify(variant));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps every variant small: a few degrees, a few percent of scale and shift, +-25% light', () => {
    for (const { jitter, gain } of AUGMENTATIONS) {
      expect(Math.abs(jitter.rotation)).toBeLessThanOrEqual(0.15);
      expect(Math.abs(jitter.scale - 1)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(jitter.shiftX)).toBeLessThanOrEqual(5);
      expect(Math.abs(jitter.shiftY)).toBeLessThanOrEqual(5);
      expect(Math.abs(gain - 1)).toBeLessThanOrEqual(0.25);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { thumbnailRegion, thumbnailSize } from '../../../shared/video/thumbnail.ts';

describe('thumbnailRegion', () => {
  it('grows the box by the margin on every side, with even sides', () => {
    expect(thumbnailRegion({ x: 100, y: 50, width: 40, height: 60 }, 640, 360, 0.25)).toEqual({ x: 90, y: 35, width: 60, height: 90 });
    const odd = thumbnailRegion({ x: 10.5, y: 10.5, width: 33, height: 33 }, 640, 360, 0);
    expect(odd.width % 2).toBe(0);
    expect(odd.height % 2).toBe(0);
  });

  it('stays inside the frame at its edges', () => {
    const region = thumbnailRegion({ x: 600, y: -10, width: 60, height: 50 }, 640, 360, 0.3);
    expect(region.x).toBeGreaterThanOrEqual(0);
    expect(region.y).toBe(0);
    expect(region.x + region.width).toBeLessThanOrEqual(640);
    expect(region.y + region.height).toBeLessThanOrEqual(360);
  });
});

describe('thumbnailSize', () => {
  it('fits the longer side into maxSize and never enlarges', () => {
    expect(thumbnailSize({ width: 400, height: 200 }, 100)).toEqual({ width: 100, height: 50 });
    expect(thumbnailSize({ width: 60, height: 90 }, 256)).toEqual({ width: 60, height: 90 });
    expect(thumbnailSize({ width: 60, height: 90 })).toEqual({ width: 60, height: 90 });
  });
});

import { describe, expect, it } from 'vitest';
import { planTiles, type Tile } from '../../../shared/vision/tiles.ts';

const OPTIONS = { minTileSide: 320, overlap: 0.25 };

/** Tiles of one size (the levels below the whole frame). */
const level = (tiles: Tile[], side: number) => tiles.filter((tile) => tile.side === side);

describe('planTiles', () => {
  it('starts with the whole frame, letterboxed to a centred square', () => {
    const [whole] = planTiles(640, 360, OPTIONS);
    expect(whole).toEqual({ left: 0, top: -140, side: 640 });
    const [portrait] = planTiles(360, 640, OPTIONS);
    expect(portrait).toEqual({ left: -140, top: 0, side: 640 });
  });

  it('plans 1 + 3 windows for 640x360 and 1 + 3 + 15 for 1920x1080 (minTileSide 320)', () => {
    const small = planTiles(640, 360, OPTIONS);
    expect(small).toHaveLength(4);
    expect(level(small, 360)).toHaveLength(3);

    const hd = planTiles(1920, 1080, OPTIONS);
    expect(hd).toHaveLength(19);
    expect(level(hd, 1080)).toHaveLength(3);
    expect(level(hd, 540)).toHaveLength(15);
    expect(hd.every((tile) => tile.side >= 320)).toBe(true);
  });

  it('plans only the whole frame when minTileSide is larger than the frame (null in detect)', () => {
    expect(planTiles(1920, 1080, { minTileSide: Infinity, overlap: 0.25 })).toEqual([{ left: 0, top: -420, side: 1920 }]);
    expect(planTiles(300, 200, OPTIONS)).toHaveLength(1);
  });

  it('does not repeat the whole frame as a tile for a square image', () => {
    const tiles = planTiles(1000, 1000, OPTIONS);
    expect(tiles[0]).toEqual({ left: 0, top: 0, side: 1000 });
    expect(tiles.slice(1).every((tile) => tile.side === 500)).toBe(true);
    expect(tiles).toHaveLength(1 + 9);
  });

  it.each([
    [640, 360],
    [1920, 1080],
    [1280, 720],
    [1080, 1920],
    [777, 555],
  ])('tiles of every level stay inside %ix%i, cover it and overlap their neighbours', (width, height) => {
    const tiles = planTiles(width, height, OPTIONS).slice(1);
    for (const side of new Set(tiles.map((tile) => tile.side))) {
      const row = level(tiles, side);
      for (const tile of row) {
        expect(tile.left).toBeGreaterThanOrEqual(0);
        expect(tile.top).toBeGreaterThanOrEqual(0);
        expect(tile.left + tile.side).toBeLessThanOrEqual(width + 1e-9);
        expect(tile.top + tile.side).toBeLessThanOrEqual(height + 1e-9);
      }
      // Coverage: every point of a fine grid is inside some tile of this level.
      for (let y = 0; y <= height; y += height / 37) {
        for (let x = 0; x <= width; x += width / 41) {
          const inside = row.some((t) => x >= t.left - 1e-9 && x <= t.left + t.side + 1e-9 && y >= t.top - 1e-9 && y <= t.top + t.side + 1e-9);
          expect(inside, `(${x.toFixed(1)}, ${y.toFixed(1)}) at side ${side}`).toBe(true);
        }
      }
      // Overlap: neighbouring columns (and rows) share at least overlap * side.
      const lefts = [...new Set(row.map((t) => t.left))].sort((p, q) => p - q);
      const tops = [...new Set(row.map((t) => t.top))].sort((p, q) => p - q);
      for (const starts of [lefts, tops]) {
        for (let i = 1; i < starts.length; i++) {
          expect(side - (starts[i]! - starts[i - 1]!)).toBeGreaterThanOrEqual(OPTIONS.overlap * side - 1e-9);
        }
      }
    }
  });

  it('more overlap means at least as many tiles', () => {
    const few = planTiles(1920, 1080, { minTileSide: 320, overlap: 0 }).length;
    const many = planTiles(1920, 1080, { minTileSide: 320, overlap: 0.5 }).length;
    expect(many).toBeGreaterThan(few);
  });

  it('halves the tile side per level down to minTileSide', () => {
    const sides = [...new Set(planTiles(3840, 2160, { minTileSide: 300, overlap: 0.25 }).slice(1).map((t) => t.side))];
    expect(sides).toEqual([2160, 1080, 540]);
  });
});

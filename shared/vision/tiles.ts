/** A square window of the frame that is resized to the detector's input. */
export interface Tile {
  left: number;
  top: number;
  side: number;
}

/**
 * The windows the detector looks at: the whole frame (letterboxed), then overlapping square tiles
 * of half the previous side, down to `minTileSide`. The detector sees faces down to a few percent of
 * its input, so a face of 20 px in a 1920-px frame is found only in a tile a few hundred pixels wide.
 */
export function planTiles(width: number, height: number, options: { minTileSide: number; overlap: number }): Tile[] {
  const tiles: Tile[] = [{ left: (width - Math.max(width, height)) / 2, top: (height - Math.max(width, height)) / 2, side: Math.max(width, height) }];
  // Below a few detector inputs' worth of pixels, tiles only upsample: never go smaller.
  const smallest = Math.max(options.minTileSide, 64);
  for (let side = Math.min(width, height); side >= smallest; side /= 2) {
    if (side >= Math.max(width, height)) continue;
    const stride = side * (1 - options.overlap);
    const columns = Math.max(1, Math.ceil((width - side) / stride) + 1);
    const rows = Math.max(1, Math.ceil((height - side) / stride) + 1);
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < columns; column++) {
        const left = columns === 1 ? (width - side) / 2 : ((width - side) * column) / (columns - 1);
        const top = rows === 1 ? (height - side) / 2 : ((height - side) * row) / (rows - 1);
        tiles.push({ left, top, side });
      }
    }
  }
  return tiles;
}

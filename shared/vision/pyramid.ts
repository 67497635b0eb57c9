/**
 * One scale of the frame the detector looks at: the whole frame resized by `scale`, padded with
 * black on the right and bottom to `width` x `height` (multiples of the detector's size step).
 */
export interface PyramidLevel {
  scale: number;
  width: number;
  height: number;
}

export interface PyramidOptions {
  /**
   * The finest level maps windows this many source pixels wide onto the detector's nominal input
   * (192 px); `null` scans the whole frame only.
   */
  minWindowSide: number | null;
  /** The detector's nominal input side. */
  inputSize: number;
  /** The detector takes sizes that are multiples of this. */
  sizeMultiple: number;
}

const roundUp = (value: number, multiple: number): number => Math.max(multiple, Math.ceil(value / multiple) * multiple);

function level(width: number, height: number, scale: number, multiple: number): PyramidLevel {
  return { scale, width: roundUp(width * scale, multiple), height: roundUp(height * scale, multiple) };
}

/**
 * The scales the detector runs at: first the whole frame fitted into its nominal input (the large
 * faces), then the frame at the scale where its short side fills that input, then each level at
 * twice the scale of the one before, while a window of the nominal input still covers at least
 * `minWindowSide` source pixels. The detector sees faces down to a few percent of its input, so a
 * 20-px face in a 1920-px frame needs a level where a few hundred source pixels map onto 192.
 *
 * These are the scales overlapping square tiles of the short side, halved down to `minWindowSide`,
 * would have, but the fully convolutional detector takes each level whole: no overlaps computed
 * twice, no faces cut by a tile's edge.
 */
export function planPyramid(width: number, height: number, options: PyramidOptions): PyramidLevel[] {
  const { inputSize, sizeMultiple } = options;
  const levels = [level(width, height, inputSize / Math.max(width, height), sizeMultiple)];
  if (options.minWindowSide === null) return levels;
  // Below a third of the input, windows only upsample the frame: never go finer.
  const smallest = Math.max(options.minWindowSide, inputSize / 3);
  for (let side = Math.min(width, height); side >= smallest; side /= 2) {
    if (side >= Math.max(width, height)) continue;
    levels.push(level(width, height, inputSize / side, sizeMultiple));
  }
  return levels;
}

import { continuousToIndex, invertAffine, similarityTransform, type Affine, type Point } from './affine.ts';

/** The five points alignment uses, in image pixels, as seen in the image (left = image left). */
export interface FivePoints {
  leftEye: Point;
  rightEye: Point;
  nose: Point;
  leftMouth: Point;
  rightMouth: Point;
}

/** Side of the embedder's input crop. */
export const ALIGNED_SIZE = 150;

/**
 * Where dlib / face-api frame those points in their 150x150 chips. The 128-D network was trained
 * on chips framed this way; ArcFace-style (tighter) crops separated identities far worse here.
 */
export const DLIB_TEMPLATE: FivePoints = {
  leftEye: { x: 51.2, y: 36.2 },
  rightEye: { x: 103.6, y: 36.2 },
  nose: { x: 77.4, y: 66.6 },
  leftMouth: { x: 51.5, y: 93 },
  rightMouth: { x: 100, y: 93 },
};

const ORDER = ['leftEye', 'rightEye', 'nose', 'leftMouth', 'rightMouth'] as const;

export const fivePointsToArray = (points: FivePoints): Point[] => ORDER.map((name) => points[name]);

/** Small random changes of the chip's framing, the jitter dlib applies when it enrols faces. */
export interface Jitter {
  rotation: number;
  scale: number;
  shiftX: number;
  shiftY: number;
  flip: boolean;
}

export const NO_JITTER: Jitter = { rotation: 0, scale: 1, shiftX: 0, shiftY: 0, flip: false };

/**
 * The map from aligned-chip pixel indexes to image pixel indexes for a face with these landmarks. Jitter is
 * applied in chip space (around its centre), so augmentation never needs a second detection.
 */
export function alignmentTransform(points: FivePoints, jitter: Jitter = NO_JITTER): Affine {
  const imageToChip = similarityTransform(fivePointsToArray(points), fivePointsToArray(DLIB_TEMPLATE));
  const chipToImage = invertAffine(imageToChip);
  if (jitter === NO_JITTER) return continuousToIndex(chipToImage);
  const centre = ALIGNED_SIZE / 2;
  const cos = Math.cos(jitter.rotation) / jitter.scale;
  const sin = Math.sin(jitter.rotation) / jitter.scale;
  const mirror = jitter.flip ? -1 : 1;
  // chip' -> chip: mirror, rotate and scale about the centre, then shift.
  const a = cos * mirror;
  const b = -sin;
  const d = sin * mirror;
  const e = cos;
  const inner: Affine = {
    a,
    b,
    c: centre - a * centre - b * centre + jitter.shiftX,
    d,
    e,
    f: centre - d * centre - e * centre + jitter.shiftY,
  };
  return continuousToIndex(compose(chipToImage, inner));
}

/** outer ∘ inner: first `inner`, then `outer`. */
export function compose(outer: Affine, inner: Affine): Affine {
  return {
    a: outer.a * inner.a + outer.b * inner.d,
    b: outer.a * inner.b + outer.b * inner.e,
    c: outer.a * inner.c + outer.b * inner.f + outer.c,
    d: outer.d * inner.a + outer.e * inner.d,
    e: outer.d * inner.b + outer.e * inner.e,
    f: outer.d * inner.c + outer.e * inner.f + outer.f,
  };
}

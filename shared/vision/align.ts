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

const mapPoints = (points: FivePoints, f: (p: Point) => Point): FivePoints => ({
  leftEye: f(points.leftEye),
  rightEye: f(points.rightEye),
  nose: f(points.nose),
  leftMouth: f(points.leftMouth),
  rightMouth: f(points.rightMouth),
});

/** A square aligned chip: its side in pixels and where the five points sit in it. */
export interface ChipFrame {
  size: number;
  template: FivePoints;
}

/** The dlib / face-api chip the 128-D embedder takes. */
export const DLIB_CHIP: ChipFrame = { size: ALIGNED_SIZE, template: DLIB_TEMPLATE };

/**
 * The standard five-point ArcFace template of 112x112 chips (insightface's, the one most
 * 112-px face-recognition networks are trained on), in OpenCV pixel-index coordinates, as seen
 * in the image (left = image left = the subject's right).
 */
export const ARCFACE_TEMPLATE_112: FivePoints = {
  leftEye: { x: 38.2946, y: 51.6963 },
  rightEye: { x: 73.5318, y: 51.5014 },
  nose: { x: 56.0252, y: 71.7366 },
  leftMouth: { x: 41.5493, y: 92.3655 },
  rightMouth: { x: 70.7299, y: 92.2041 },
};

/**
 * The ArcFace template scaled from 112 to `size` pixels. Alignment works in continuous
 * coordinates (pixel k spans [k, k+1)), so the index coordinates move by half a pixel first.
 */
export function arcfaceChip(size: number): ChipFrame {
  const scale = size / 112;
  return { size, template: mapPoints(ARCFACE_TEMPLATE_112, (p) => ({ x: (p.x + 0.5) * scale, y: (p.y + 0.5) * scale })) };
}

/** The 224x224 ArcFace-framed chip HSE FaceRes takes (shared/vision/embed-faceres.ts). */
export const ARCFACE_CHIP_224: ChipFrame = arcfaceChip(224);

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
 * The map from aligned-chip pixel indexes to image pixel indexes for a face with these landmarks
 * (the dlib chip unless `chip` says otherwise). Jitter is applied in chip space (around its
 * centre), so augmentation never needs a second detection.
 */
export function alignmentTransform(points: FivePoints, jitter: Jitter = NO_JITTER, chip: ChipFrame = DLIB_CHIP): Affine {
  const imageToChip = similarityTransform(fivePointsToArray(points), fivePointsToArray(chip.template));
  const chipToImage = invertAffine(imageToChip);
  if (jitter === NO_JITTER) return continuousToIndex(chipToImage);
  const centre = chip.size / 2;
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

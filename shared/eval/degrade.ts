import sharp from 'sharp';
import type { FoundFace } from '../match/gallery.ts';
import type { Box } from '../schemas/faces.ts';
import type { FivePoints } from '../vision/align.ts';
import { analyzeImage, type AnalyzedFace } from '../vision/analyze.ts';
import { embedFaces } from '../vision/embed.ts';
import { embedFacesFaceRes } from '../vision/embed-faceres.ts';
import { padImage, type RgbImage } from '../vision/image.ts';
import type { AnalyzeOptions } from '../vision/options.ts';

/** How a reference photo is made to look like a face in a video frame. */
export interface Degradation {
  name: string;
  /** The face is shrunk to this width (px), never enlarged. */
  faceWidth: number;
  /** Gaussian blur sigma after shrinking (0: none). */
  blur: number;
  jpegQuality: number;
  /**
   * Find the face and its landmarks again on the degraded image, as a video scan must, instead of
   * reusing the clean photo's landmarks.
   */
  relandmark: boolean;
}

/**
 * The faces of the sample footage are 30-110 px wide and heavily compressed: the matcher's
 * threshold is calibrated on copies like these against clean photos, because photo-to-photo
 * distances understate video-to-photo distances.
 */
export const VIDEO_LIKE: Degradation = { name: 'video-like', faceWidth: 64, blur: 0, jpegQuality: 60, relandmark: false };

/** A small, soft, blocky face whose landmarks are found again: the hard case of TV footage. */
export const HARD: Degradation = { name: 'hard', faceWidth: 40, blur: 0.7, jpegQuality: 50, relandmark: true };

const scalePoints = (points: FivePoints, sx: number, sy: number): FivePoints => {
  const scale = (p: { x: number; y: number }) => ({ x: p.x * sx, y: p.y * sy });
  return {
    leftEye: scale(points.leftEye),
    rightEye: scale(points.rightEye),
    nose: scale(points.nose),
    leftMouth: scale(points.leftMouth),
    rightMouth: scale(points.rightMouth),
  };
};

/** A reference photo made to look like `degradation`: the image, and where its face and landmarks went. */
export interface DegradedPhoto {
  image: RgbImage;
  box: Box;
  points: FivePoints;
}

export async function degradePhoto({ image, face }: FoundFace, degradation: Degradation): Promise<DegradedPhoto> {
  const scale = Math.min(1, degradation.faceWidth / face.box.width);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(width, height);
  if (degradation.blur > 0) pipeline = pipeline.blur(degradation.blur);
  const jpeg = await pipeline.jpeg({ quality: degradation.jpegQuality }).toBuffer();
  const { data } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const sx = width / image.width;
  const sy = height / image.height;
  return {
    image: { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) },
    box: { x: face.box.x * sx, y: face.box.y * sy, width: face.box.width * sx, height: face.box.height * sy },
    points: scalePoints(face.points, sx, sy),
  };
}

const centre = (box: Box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

/**
 * The face found again in a degraded photo, as a video scan would find it: the detection nearest
 * where the reference face went, within half a face width (a border is added and the search
 * repeated when nothing is found, as enrolment does for tight crops); null when there is none.
 */
export async function refindFace({ image, box }: DegradedPhoto, options: AnalyzeOptions): Promise<{ image: RgbImage; face: AnalyzedFace } | null> {
  const target = centre(box);
  for (const attempt of [{ image, offset: 0 }, padImage(image, 0.5)]) {
    let best: { shift: number; face: AnalyzedFace } | null = null;
    for (const face of await analyzeImage(attempt.image, options)) {
      const c = centre(face.box);
      const shift = Math.hypot(c.x - attempt.offset - target.x, c.y - attempt.offset - target.y) / box.width;
      if (shift <= 0.5 && (best === null || shift < best.shift)) best = { shift, face };
    }
    if (best) return { image: attempt.image, face: best.face };
  }
  return null;
}

/** A reference face as a video would show it, described by both descriptors. */
export interface DegradedFace {
  dlib: Float32Array;
  faceres: Float32Array;
}

/**
 * The descriptors of a reference face as a video would show it, or null when the degraded face is
 * no longer found (which a scan would miss too).
 */
export async function degradedFace(found: FoundFace, degradation: Degradation, options: AnalyzeOptions): Promise<DegradedFace | null> {
  const degraded = await degradePhoto(found, degradation);
  const threads = options.detect.threads;
  let image = degraded.image;
  let points = degraded.points;
  let dlib: Float32Array;
  if (degradation.relandmark) {
    const again = await refindFace(degraded, options);
    if (!again) return null;
    image = again.image;
    points = again.face.points;
    dlib = again.face.embedding;
  } else {
    [dlib] = (await embedFaces(image, [{ points }], threads)) as [Float32Array];
  }
  const [faceres] = await embedFacesFaceRes(image, [{ points }], threads);
  return { dlib, faceres: faceres!.descriptor };
}

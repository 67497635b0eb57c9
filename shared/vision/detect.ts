import * as ort from 'onnxruntime-node';
import { sampleInto, scaleAffine } from './affine.ts';
import type { RgbImage } from './image.ts';
import { loadCountedModel } from './model-loads.ts';
import { FACE_DETECTOR, decodeDetection } from './models.ts';
import { weightedNms, type Detection } from './nms.ts';
import { DEFAULT_DETECT_OPTIONS, type DetectOptions } from './options.ts';
import { planPyramid, type PyramidLevel } from './pyramid.ts';
import { withScratch } from './scratch.ts';

const ROW = 17;

/** The detector's pyramid for a frame of this size. */
export function detectorPyramid(width: number, height: number, options: Pick<DetectOptions, 'minWindowSide'> = DEFAULT_DETECT_OPTIONS): PyramidLevel[] {
  return planPyramid(width, height, {
    minWindowSide: options.minWindowSide,
    inputSize: FACE_DETECTOR.anchors.inputSize,
    sizeMultiple: FACE_DETECTOR.input.sizeMultiple,
  });
}

/** Finds every face in `image`: the detector runs on each level of the frame's pyramid. */
export async function detectFaces(image: RgbImage, options: DetectOptions = DEFAULT_DETECT_OPTIONS): Promise<Detection[]> {
  const levels = detectorPyramid(image.width, image.height, options);
  const session = await loadCountedModel('face-detector', { threads: options.threads });
  const candidates: Detection[] = [];
  for (const level of levels) candidates.push(...(await detectAtLevel(session, image, level, options.minScore)));
  return weightedNms(candidates, options.nmsIoU);
}

/** Cheap pre-check on the logit so most anchors are never decoded. */
const logit = (p: number): number => Math.log(p / (1 - p));

async function detectAtLevel(session: ort.InferenceSession, image: RgbImage, level: PyramidLevel, minScore: number): Promise<Detection[]> {
  const { width, height, scale } = level;
  const output = await withScratch(width * height * 3, (pixels) => {
    // Every value is written: the padding beyond the frame's right and bottom edges samples black.
    sampleInto(image, scaleAffine(0, 0, scale), width, height, pixels);
    return session.run({ [FACE_DETECTOR.input.name]: new ort.Tensor('float32', pixels, [1, height, width, 3]) });
  });
  const raw = output[FACE_DETECTOR.outputs.detections.name]!.data as Float32Array;
  const minLogit = logit(minScore);
  const toFrame = (p: { x: number; y: number }) => ({ x: (p.x * width) / scale, y: (p.y * height) / scale });
  const found: Detection[] = [];
  for (let anchor = 0; anchor < raw.length / ROW; anchor++) {
    if (raw[anchor * ROW]! < minLogit) continue;
    const decoded = decodeDetection(raw, anchor, level);
    const topLeft = toFrame({ x: decoded.box.xMin, y: decoded.box.yMin });
    const bottomRight = toFrame({ x: decoded.box.xMax, y: decoded.box.yMax });
    found.push({
      box: { x: topLeft.x, y: topLeft.y, width: bottomRight.x - topLeft.x, height: bottomRight.y - topLeft.y },
      score: decoded.score,
      keypoints: decoded.keypoints.map(toFrame),
    });
  }
  return found;
}

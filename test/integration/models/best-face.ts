import * as ort from 'onnxruntime-node';
import { decodeDetection, FACE_DETECTOR, loadModel, type DecodedDetection, type DetectorInputSize } from '../../../shared/vision/models.ts';
import { imageSize, letterbox, type Region } from './fixture-images.ts';

/**
 * The highest-scoring face of a photo per the converted detector, mapped back to the photo's
 * pixels. Just enough post-processing to cut face crops for the landmark and embedder tests.
 */

const NOMINAL: DetectorInputSize = { height: FACE_DETECTOR.anchors.inputSize, width: FACE_DETECTOR.anchors.inputSize };

export async function runDetector(image: Float32Array, size: DetectorInputSize = NOMINAL): Promise<Float32Array> {
  const session = await loadModel('face-detector');
  const out = await session.run({ image: new ort.Tensor('float32', image, [1, size.height, size.width, 3]) });
  return out[FACE_DETECTOR.outputs.detections.name]!.data as Float32Array;
}

export function bestDetection(detections: Float32Array): DecodedDetection {
  let best = 0;
  for (let i = 1; i < FACE_DETECTOR.anchors.count; i++) if (detections[i * 17]! > detections[best * 17]!) best = i;
  return decodeDetection(detections, best);
}

export async function bestFace(path: string): Promise<{ score: number; region: Region; detection: DecodedDetection }> {
  const size = FACE_DETECTOR.anchors.inputSize;
  const detection = bestDetection(await runDetector(await letterbox(path, size)));
  // Undo the letterbox: the photo was scaled by s and centred.
  const { width, height } = await imageSize(path);
  const s = size / Math.max(width, height);
  const padX = (size - width * s) / 2;
  const padY = (size - height * s) / 2;
  const toX = (n: number) => (n * size - padX) / s;
  const toY = (n: number) => (n * size - padY) / s;
  const { box } = detection;
  return {
    score: detection.score,
    detection,
    region: { left: toX(box.xMin), top: toY(box.yMin), width: toX(box.xMax) - toX(box.xMin), height: toY(box.yMax) - toY(box.yMin) },
  };
}

/** `region` grown by `factor` around its centre. */
export function scaleRegion(region: Region, factor: number): Region {
  const cx = region.left + region.width / 2;
  const cy = region.top + region.height / 2;
  return { left: cx - (region.width * factor) / 2, top: cy - (region.height * factor) / 2, width: region.width * factor, height: region.height * factor };
}

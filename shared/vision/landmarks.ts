import * as ort from 'onnxruntime-node';
import { applyAffine, sampleInto, type Affine, type Point } from './affine.ts';
import type { FivePoints } from './align.ts';
import type { RgbImage } from './image.ts';
import { loadCountedModel } from './model-loads.ts';
import { FACE_LANDMARKS } from './models.ts';
import type { Detection } from './nms.ts';
import { withScratch } from './scratch.ts';

const SIZE = FACE_LANDMARKS.input.shape[1];

export interface Landmarks {
  /** The mesh's confidence that its crop holds a face. */
  faceflag: number;
  /** Alignment points in frame pixels. */
  points: FivePoints;
}

/**
 * The landmark model's crop for a detection, as the mesh was trained: the box made square on its
 * long side, enlarged 1.5x and turned so the detector's eyes are level.
 */
export function landmarkCrop(detection: Detection): Affine {
  const [rightEye, leftEye] = detection.keypoints as [Point, Point];
  const angle = Math.atan2(leftEye.y - rightEye.y, leftEye.x - rightEye.x);
  const side = Math.max(detection.box.width, detection.box.height) * FACE_LANDMARKS.roi.scale;
  const cx = detection.box.x + detection.box.width / 2;
  const cy = detection.box.y + detection.box.height / 2;
  const s = side / SIZE;
  const a = Math.cos(angle) * s;
  const b = -Math.sin(angle) * s;
  const d = Math.sin(angle) * s;
  const e = Math.cos(angle) * s;
  // Pixel centres: output pixel u covers [u, u+1); source pixel centres sit at integer indexes.
  const centre = 0.5 - SIZE / 2;
  return { a, b, c: cx - 0.5 + (a + b) * centre, d, e, f: cy - 0.5 + (d + e) * centre };
}

const mean = (mesh: Float32Array, crop: Affine, indexes: readonly number[]): Point => {
  let x = 0;
  let y = 0;
  for (const i of indexes) {
    x += mesh[i * 3]!;
    y += mesh[i * 3 + 1]!;
  }
  // Mesh coordinates are continuous; the crop maps pixel indexes (centres at k + 0.5).
  const index = applyAffine(crop, { x: x / indexes.length - 0.5, y: y / indexes.length - 0.5 });
  return { x: index.x + 0.5, y: index.y + 0.5 };
};

/** Runs the mesh on every detection in one batch and returns the five alignment points of each. */
export async function locateLandmarks(image: RgbImage, detections: readonly Detection[], threads = 1): Promise<Landmarks[]> {
  if (detections.length === 0) return [];
  const crops = detections.map(landmarkCrop);
  const session = await loadCountedModel('face-landmarks', { threads });
  const output = await withScratch(detections.length * SIZE * SIZE * 3, (batch) => {
    crops.forEach((crop, i) => sampleInto(image, crop, SIZE, SIZE, batch, { offset: i * SIZE * SIZE * 3 }));
    return session.run({ [FACE_LANDMARKS.input.name]: new ort.Tensor('float32', batch, [detections.length, SIZE, SIZE, 3]) });
  });
  const meshes = output[FACE_LANDMARKS.outputs.mesh.name]!.data as Float32Array;
  const flags = output[FACE_LANDMARKS.outputs.faceflag.name]!.data as Float32Array;
  const per = FACE_LANDMARKS.landmarkCount * 3;
  const { alignment } = FACE_LANDMARKS;
  return crops.map((crop, i) => {
    const mesh = meshes.subarray(i * per, (i + 1) * per);
    return {
      faceflag: flags[i]!,
      points: {
        leftEye: mean(mesh, crop, alignment.leftEye),
        rightEye: mean(mesh, crop, alignment.rightEye),
        nose: mean(mesh, crop, alignment.nose),
        leftMouth: mean(mesh, crop, alignment.leftMouth),
        rightMouth: mean(mesh, crop, alignment.rightMouth),
      },
    };
  });
}

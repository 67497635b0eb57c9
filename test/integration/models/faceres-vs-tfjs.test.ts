import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { findReferenceFace } from '../../../shared/match/gallery.ts';
import { sampleInto } from '../../../shared/vision/affine.ts';
import { alignmentTransform, ARCFACE_CHIP_224, NO_JITTER } from '../../../shared/vision/align.ts';
import { embedFacesFaceRes, l2Normalize } from '../../../shared/vision/embed-faceres.ts';
import { FACERES_EMBEDDER, loadModel } from '../../../shared/vision/models.ts';
import { DEFAULT_ANALYZE_OPTIONS } from '../../../shared/vision/options.ts';
import { bestFace, scaleRegion } from './best-face.ts';
import { difference } from './compare.ts';
import { cropSquare, FIXTURES, fixturePhotos, shortName } from './fixture-images.ts';
import { initTfjsWasm, loadHumanGraphModel, tf, type GraphModel } from '../../../tools/tfjs/reference.ts';

/**
 * The converted HSE FaceRes against the TF.js graph model on 224x224 crops around the detected
 * face of every fixture photo. The ONNX graph takes RGB 0..255 and does the BGR swap and mean
 * subtraction itself; TF.js is given the input HSE's own code prepares (x[..., ::-1] minus
 * 103.939/116.779/123.68). Tolerance: 1e-4 of the descriptor's scale (its values are 0..6; seen
 * ~1e-6) and 1e-5 on the gender probability.
 */

const SIZE = FACERES_EMBEDDER.input.shape[1];
let reference: GraphModel;

beforeAll(async () => {
  await initTfjsWasm();
  reference = await loadHumanGraphModel('faceres');
});

interface FaceResOut {
  descriptor: Float32Array;
  gender: number;
}

async function runOnnx(image: Float32Array): Promise<FaceResOut> {
  const session = await loadModel('faceres-embedder');
  const out = await session.run({ image: new ort.Tensor('float32', image, [1, SIZE, SIZE, 3]) });
  return { descriptor: out['descriptor']!.data as Float32Array, gender: (out['gender']!.data as Float32Array)[0]! };
}

function runReference(image: Float32Array): FaceResOut {
  return tf.tidy(() => {
    const rgb = tf.tensor4d(image, [1, SIZE, SIZE, 3]);
    const x = tf.sub(tf.reverse(rgb, 3), tf.tensor1d([103.939, 116.779, 123.68])) as import('@tensorflow/tfjs-core').Tensor4D;
    const [descriptor, gender] = reference.execute(x, ['global_pooling/Mean', 'gender_pred/Sigmoid']) as import('@tensorflow/tfjs-core').Tensor[];
    return { descriptor: descriptor!.dataSync() as Float32Array, gender: gender!.dataSync()[0]! };
  });
}

async function faceCrop(photo: string): Promise<Float32Array> {
  const face = await bestFace(photo);
  return cropSquare(photo, scaleRegion(face.region, 1.3), SIZE);
}

describe('faceres-embedder.onnx vs TF.js faceres', () => {
  for (const photo of fixturePhotos()) {
    it(`matches on the face of ${shortName(photo)}`, async () => {
      const crop = await faceCrop(photo);
      const onnx = await runOnnx(crop);
      const tfjs = runReference(crop);
      expect(onnx.descriptor.length).toBe(1024);
      const d = difference(onnx.descriptor, tfjs.descriptor);
      expect(d.scale).toBeGreaterThan(0.1); // a live descriptor, not all zeros
      expect(d.relative).toBeLessThan(1e-4);
      expect(Math.abs(onnx.gender - tfjs.gender)).toBeLessThan(1e-5);
    });
  }

  it("embedFacesFaceRes gives what HSE's preprocessing and TF.js give on the same ArcFace chip, L2-normalized", async () => {
    const photo = join(FIXTURES, 'faces/rose_leslie/fr_knn_train_img1.jpg');
    const { image, face } = await findReferenceFace({ source: photo, bytes: readFileSync(photo) }, 'rose_leslie', DEFAULT_ANALYZE_OPTIONS);
    const chip = new Float32Array(SIZE * SIZE * 3);
    sampleInto(image, alignmentTransform(face.points, NO_JITTER, ARCFACE_CHIP_224), SIZE, SIZE, chip);
    const tfjs = runReference(chip);
    const [ours] = await embedFacesFaceRes(image, [{ points: face.points }]);
    expect(difference(ours!.descriptor, l2Normalize(tfjs.descriptor)).maxAbs).toBeLessThan(1e-5);
    expect(Math.abs(ours!.male - tfjs.gender)).toBeLessThan(1e-5);
  });
});

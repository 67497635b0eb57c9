import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { FACE_DETECTOR, loadModel } from '../../../shared/vision/models.ts';
import { bestDetection, runDetector } from './best-face.ts';
import { difference, sigmoid } from './compare.ts';
import { FIXTURES, fixturePhotos, letterbox, shortName, stretch } from './fixture-images.ts';
import { initTfjsWasm, loadHumanGraphModel, runGraphModel, tf, type GraphModel } from '../../../tools/tfjs/reference.ts';

/**
 * The converted full-range detector against the TF.js graph model it came from, on the same
 * letterboxed fixture photos, and at the other input sizes the conversion takes (the TF.js graph
 * resized as Keras would build it). Tolerance: 1e-4 of the output's scale (raw regressors reach a
 * few hundred pixels; seen: ~1e-6), and 1e-4 on sigmoid scores.
 */

const SIZE = FACE_DETECTOR.anchors.inputSize;
let reference: GraphModel;

beforeAll(async () => {
  await initTfjsWasm();
  reference = await loadHumanGraphModel('facemesh-detection-full');
});

function runReference(image: Float32Array, model = reference, height: number = SIZE, width: number = SIZE): Float32Array {
  return tf.tidy(() => {
    // The normalization of @tensorflow-models/face-detection: x * (2/255) + (-1).
    const x = tf.add(tf.mul(tf.tensor4d(image, [1, height, width, 3]), 2 / 255), -1) as import('@tensorflow/tfjs-core').Tensor4D;
    return runGraphModel(model, x, 'Identity:0');
  });
}

function expectAgreement(onnx: Float32Array, tfjs: Float32Array): void {
  expect(onnx.length).toBe(tfjs.length);
  expect(difference(onnx, tfjs).relative).toBeLessThan(1e-4);
  let worstScore = 0;
  for (let i = 0; i < onnx.length / 17; i++) worstScore = Math.max(worstScore, Math.abs(sigmoid(onnx[i * 17]!) - sigmoid(tfjs[i * 17]!)));
  expect(worstScore).toBeLessThan(1e-4);
}

describe('face-detector.onnx vs TF.js facemesh-detection-full', () => {
  for (const photo of fixturePhotos()) {
    it(`matches on ${shortName(photo)}`, async () => {
      const image = await letterbox(photo, SIZE);
      expectAgreement(await runDetector(image), runReference(image));
    });
  }

  // The pyramid's level shapes for 640x360 and 1920x1080 frames (shared/vision/pyramid.ts).
  for (const [width, height] of [
    [352, 192],
    [192, 128],
    [704, 384],
  ] as const) {
    it(`matches at a ${width}x${height} input, anchors following the input's size`, async () => {
      const scene = fixturePhotos().find((photo) => photo.includes('/scenes/'))!;
      const image = await stretch(scene, width, height);
      const model = await loadHumanGraphModel('facemesh-detection-full', { inputSize: { height, width } });
      const onnx = await runDetector(image, { height, width });
      expect(onnx.length).toBe((width / 4) * (height / 4) * 17);
      expectAgreement(onnx, runReference(image, model, height, width));
      model.dispose();
    });
  }

  it('finds the face on fr_obama.jpg with score > 0.5, box and keypoints in place', async () => {
    const best = bestDetection(await runDetector(await letterbox(join(FIXTURES, 'faces/barack_obama/fr_obama.jpg'), SIZE)));
    expect(best.score).toBeGreaterThan(0.5);
    const { box, keypoints } = best;
    // The face is in the upper middle of the (portrait) photo, about a quarter of its height.
    expect((box.xMin + box.xMax) / 2).toBeGreaterThan(0.45);
    expect((box.xMin + box.xMax) / 2).toBeLessThan(0.62);
    expect((box.yMin + box.yMax) / 2).toBeGreaterThan(0.15);
    expect((box.yMin + box.yMax) / 2).toBeLessThan(0.33);
    expect(box.yMax - box.yMin).toBeGreaterThan(0.15);
    expect(box.yMax - box.yMin).toBeLessThan(0.35);
    const [rightEye, leftEye, nose, mouth] = keypoints as [{ x: number; y: number }, { x: number; y: number }, { x: number; y: number }, { x: number; y: number }];
    expect(rightEye.x).toBeLessThan(leftEye.x); // the subject's right eye is on the image left
    expect(nose.x).toBeGreaterThan(rightEye.x);
    expect(nose.x).toBeLessThan(leftEye.x);
    expect(nose.y).toBeGreaterThan(rightEye.y);
    expect(mouth.y).toBeGreaterThan(nose.y);
    for (const k of keypoints) {
      expect(k.x).toBeGreaterThan(box.xMin - 0.05);
      expect(k.x).toBeLessThan(box.xMax + 0.05);
    }
  });

  it('runs a batch of two like two single frames', async () => {
    const photos = fixturePhotos().slice(0, 2);
    const images = await Promise.all(photos.map((p) => letterbox(p, SIZE)));
    const batch = new Float32Array(images[0]!.length * 2);
    batch.set(images[0]!);
    batch.set(images[1]!, images[0]!.length);
    const session = await loadModel('face-detector');
    const out = (await session.run({ image: new ort.Tensor('float32', batch, [2, SIZE, SIZE, 3]) }))['detections']!;
    expect([...out.dims]).toEqual([2, 2304, 17]);
    const data = out.data as Float32Array;
    const half = data.length / 2;
    expect(difference(data.subarray(0, half), await runDetector(images[0]!)).maxAbs).toBeLessThan(1e-4);
    expect(difference(data.subarray(half), await runDetector(images[1]!)).maxAbs).toBeLessThan(1e-4);
  });
});

import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { FACE_LANDMARKS, loadModel } from '../../../shared/vision/models.ts';
import { bestFace, scaleRegion } from './best-face.ts';
import { difference } from './compare.ts';
import { cropSquare, FIXTURES, fixturePhotos, letterbox, shortName } from './fixture-images.ts';
import { initTfjsWasm, loadHumanGraphModel, runGraphModel, tf, type GraphModel } from '../../../tools/tfjs/reference.ts';

/**
 * The converted FaceMesh against the TF.js graph model, on face crops cut the way TF.js does
 * (detector box, square, x1.5; no rotation here) and on whole letterboxed photos (non-faces
 * exercise the face flag's low end). Tolerance: 1e-4 of the mesh scale (192 px; seen ~1e-6),
 * 1e-5 absolute on the face-flag probability.
 */

const SIZE = 192;
let reference: GraphModel;

beforeAll(async () => {
  await initTfjsWasm();
  reference = await loadHumanGraphModel('facemesh');
});

async function runOnnx(image: Float32Array): Promise<{ mesh: Float32Array; faceflag: number }> {
  const session = await loadModel('face-landmarks');
  const out = await session.run({ image: new ort.Tensor('float32', image, [1, SIZE, SIZE, 3]) });
  return { mesh: out['mesh']!.data as Float32Array, faceflag: (out['faceflag']!.data as Float32Array)[0]! };
}

function runReference(image: Float32Array): { mesh: Float32Array; faceflag: number } {
  // TF.js face-landmarks-detection feeds the crop in [0, 1].
  const x = tf.div(tf.tensor4d(image, [1, SIZE, SIZE, 3]), 255) as import('@tensorflow/tfjs-core').Tensor4D;
  const mesh = runGraphModel(reference, x, 'Identity_2:0'); // output_mesh
  const faceflag = runGraphModel(reference, x, 'Identity_1:0')[0]!; // output_faceflag
  x.dispose();
  return { mesh, faceflag };
}

async function faceCrop(photo: string): Promise<Float32Array> {
  const face = await bestFace(photo);
  return cropSquare(photo, scaleRegion(face.region, FACE_LANDMARKS.roi.scale), SIZE);
}

function expectMatch(onnx: { mesh: Float32Array; faceflag: number }, tfjs: { mesh: Float32Array; faceflag: number }): void {
  expect(onnx.mesh.length).toBe(FACE_LANDMARKS.landmarkCount * 3);
  const d = difference(onnx.mesh, tfjs.mesh);
  expect(d.maxAbs / FACE_LANDMARKS.meshScale).toBeLessThan(1e-4);
  expect(Math.abs(onnx.faceflag - tfjs.faceflag)).toBeLessThan(1e-5);
}

describe('face-landmarks.onnx vs TF.js facemesh', () => {
  for (const photo of fixturePhotos()) {
    it(`matches on the face crop of ${shortName(photo)}`, async () => {
      const crop = await faceCrop(photo);
      expectMatch(await runOnnx(crop), runReference(crop));
    });
    it(`matches on the whole of ${shortName(photo)}`, async () => {
      const image = await letterbox(photo, SIZE);
      expectMatch(await runOnnx(image), runReference(image));
    });
  }

  it('flags a face crop of Obama and puts eyes, nose and mouth where they belong', async () => {
    const { mesh, faceflag } = await runOnnx(await faceCrop(join(FIXTURES, 'faces/barack_obama/fr_obama.jpg')));
    expect(faceflag).toBeGreaterThan(FACE_LANDMARKS.roi.minFaceflag);
    const centre = (indices: readonly number[]) => ({
      x: indices.reduce((s, i) => s + mesh[i * 3]!, 0) / indices.length,
      y: indices.reduce((s, i) => s + mesh[i * 3 + 1]!, 0) / indices.length,
    });
    const a = FACE_LANDMARKS.alignment;
    const [leftEye, rightEye, nose, leftMouth, rightMouth] = [a.leftEye, a.rightEye, a.nose, a.leftMouth, a.rightMouth].map(centre) as [
      { x: number; y: number },
      { x: number; y: number },
      { x: number; y: number },
      { x: number; y: number },
      { x: number; y: number },
    ];
    expect(leftEye.x).toBeLessThan(rightEye.x); // "left" is the image left
    expect(leftMouth.x).toBeLessThan(rightMouth.x);
    expect(nose.x).toBeGreaterThan(leftEye.x);
    expect(nose.x).toBeLessThan(rightEye.x);
    expect(nose.y).toBeGreaterThan(Math.max(leftEye.y, rightEye.y));
    expect(Math.min(leftMouth.y, rightMouth.y)).toBeGreaterThan(nose.y);
    // The crop is the box x1.5, so the face spans roughly the middle two thirds.
    const eyeDistance = rightEye.x - leftEye.x;
    expect(eyeDistance).toBeGreaterThan(SIZE * 0.15);
    expect(eyeDistance).toBeLessThan(SIZE * 0.4);
  });

  it('does not flag a whole scene as one face', async () => {
    const { faceflag } = await runOnnx(await letterbox(join(FIXTURES, 'scenes/fr_two_people.jpg'), SIZE));
    expect(faceflag).toBeLessThan(0.5);
  });
});

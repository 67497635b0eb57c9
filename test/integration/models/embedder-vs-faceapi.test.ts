import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { FACE_EMBEDDER, loadModel } from '../../../shared/vision/models.ts';
import { bestFace, scaleRegion } from './best-face.ts';
import { difference, euclidean } from './compare.ts';
import { cropSquare, FIXTURES, fixturePhotos, shortName } from './fixture-images.ts';
import { loadFaceApiRecognition, tf } from '../../../tools/tfjs/reference.ts';

/**
 * The rebuilt FaceRecognitionNet against face-api's own `faceRecognitionNet` (same weights,
 * face-api's code building the network), on 150x150 crops around detected faces. Tolerance:
 * Euclidean distance between the two descriptors < 0.01 (dlib's same-person threshold is
 * 0.6; seen ~1e-6) and max abs difference < 1e-4.
 */

const SIZE = 150;
type FaceApi = Awaited<ReturnType<typeof loadFaceApiRecognition>>;
let faceApi: FaceApi;

beforeAll(async () => {
  faceApi = await loadFaceApiRecognition();
});

async function chip(photo: string): Promise<Float32Array> {
  const face = await bestFace(photo);
  return cropSquare(photo, scaleRegion(face.region, 1.2), SIZE);
}

async function embedOnnx(image: Float32Array): Promise<Float32Array> {
  const session = await loadModel('face-embedder');
  const out = await session.run({ image: new ort.Tensor('float32', image, [1, SIZE, SIZE, 3]) });
  return out[FACE_EMBEDDER.outputs.embedding.name]!.data as Float32Array;
}

async function embedFaceApi(image: Float32Array): Promise<Float32Array> {
  const input = tf.tensor3d(image, [SIZE, SIZE, 3]);
  try {
    const descriptor = await faceApi.nets.faceRecognitionNet.computeFaceDescriptor(input);
    if (Array.isArray(descriptor)) throw new Error('expected one descriptor');
    return descriptor;
  } finally {
    input.dispose();
  }
}

describe('face-embedder.onnx vs face-api faceRecognitionNet', () => {
  for (const photo of fixturePhotos()) {
    it(`matches on the face of ${shortName(photo)}`, async () => {
      const image = await chip(photo);
      const onnx = await embedOnnx(image);
      const reference = await embedFaceApi(image);
      expect(onnx.length).toBe(128);
      expect(euclidean(onnx, reference)).toBeLessThan(0.01);
      expect(difference(onnx, reference).maxAbs).toBeLessThan(1e-4);
    });
  }

  it('puts two photos of Obama close and other people far', async () => {
    const at = (p: string) => join(FIXTURES, 'faces', p);
    const [obama, obama2, alex, salley, lin] = await Promise.all(
      [
        'barack_obama/fr_obama.jpg',
        'barack_obama/fr_obama2.jpg',
        'alex_lacamoire/fr_alex-lacamoire.png',
        'john_salley/dlib_000179_02159509.jpg',
        'lin_manuel_miranda/fr_lin-manuel-miranda.png',
      ].map(async (p) => embedOnnx(await chip(at(p)))),
    );
    // Two different pictures of him: under dlib's same-person distance of 0.6, with room.
    expect(euclidean(obama!, obama2!)).toBeLessThan(0.55);
    for (const other of [alex!, salley!, lin!]) {
      expect(euclidean(obama!, other)).toBeGreaterThan(0.6);
      expect(euclidean(obama2!, other)).toBeGreaterThan(0.6);
    }
  });
});

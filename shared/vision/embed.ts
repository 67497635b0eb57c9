import * as ort from 'onnxruntime-node';
import { sampleInto } from './affine.ts';
import { ALIGNED_SIZE, alignmentTransform, NO_JITTER, type FivePoints, type Jitter } from './align.ts';
import type { RgbImage } from './image.ts';
import { loadCountedModel } from './model-loads.ts';
import { FACE_EMBEDDER } from './models.ts';
import { withScratch } from './scratch.ts';

export interface EmbedRequest {
  points: FivePoints;
  jitter?: Jitter;
  /** Multiplies pixel values (brightness augmentation). */
  gain?: number;
}

/** Aligns each face to the dlib chip and returns its 128-D descriptor, all in one batch. */
export async function embedFaces(image: RgbImage, requests: readonly EmbedRequest[], threads = 1): Promise<Float32Array[]> {
  if (requests.length === 0) return [];
  const per = ALIGNED_SIZE * ALIGNED_SIZE * 3;
  const session = await loadCountedModel('face-embedder', { threads });
  const output = await withScratch(requests.length * per, (batch) => {
    requests.forEach((request, i) => {
      sampleInto(image, alignmentTransform(request.points, request.jitter ?? NO_JITTER), ALIGNED_SIZE, ALIGNED_SIZE, batch, {
        offset: i * per,
        scale: request.gain ?? 1,
      });
    });
    return session.run({ [FACE_EMBEDDER.input.name]: new ort.Tensor('float32', batch, [requests.length, ALIGNED_SIZE, ALIGNED_SIZE, 3]) });
  });
  const data = output[FACE_EMBEDDER.outputs.embedding.name]!.data as Float32Array;
  return requests.map((_, i) => data.slice(i * 128, (i + 1) * 128));
}

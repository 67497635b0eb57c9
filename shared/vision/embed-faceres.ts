import * as ort from 'onnxruntime-node';
import { sampleInto } from './affine.ts';
import { alignmentTransform, ARCFACE_CHIP_224, NO_JITTER } from './align.ts';
import type { EmbedRequest } from './embed.ts';
import type { RgbImage } from './image.ts';
import { FACERES_EMBEDDER, loadModel } from './models.ts';

/** What HSE FaceRes says about one face. */
export interface FaceResOutput {
  /**
   * The 1024-D identity descriptor, L2-normalized: compare with Euclidean distance (0..2, the
   * same order as cosine distance). On the degraded probes of bench/descriptors.ts it separated
   * identities as well as or better than the raw pooled features.
   */
  descriptor: Float32Array;
  /** Probability that the face is a man's (the network's gender head); below 0.5, a woman's. */
  male: number;
}

export const FACERES_DIMENSIONS = FACERES_EMBEDDER.outputs.descriptor.shape[1];

/** Scales `v` to unit length in place (a zero vector stays zero) and returns it. */
export function l2Normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}

/**
 * Aligns each face to the 224x224 ArcFace chip and runs FaceRes on all of them in one batch. The
 * graph does the BGR swap and mean subtraction, so the chip is plain RGB 0..255 like every model.
 */
export async function embedFacesFaceRes(image: RgbImage, requests: readonly EmbedRequest[], threads = 1): Promise<FaceResOutput[]> {
  if (requests.length === 0) return [];
  const size = ARCFACE_CHIP_224.size;
  const per = size * size * 3;
  const batch = new Float32Array(requests.length * per);
  requests.forEach((request, i) => {
    sampleInto(image, alignmentTransform(request.points, request.jitter ?? NO_JITTER, ARCFACE_CHIP_224), size, size, batch, {
      offset: i * per,
      scale: request.gain ?? 1,
    });
  });
  const session = await loadModel('faceres-embedder', { threads });
  const output = await session.run({ [FACERES_EMBEDDER.input.name]: new ort.Tensor('float32', batch, [requests.length, size, size, 3]) });
  const descriptors = output[FACERES_EMBEDDER.outputs.descriptor.name]!.data as Float32Array;
  const gender = output[FACERES_EMBEDDER.outputs.gender.name]!.data as Float32Array;
  return requests.map((_, i) => ({
    descriptor: l2Normalize(descriptors.slice(i * FACERES_DIMENSIONS, (i + 1) * FACERES_DIMENSIONS)),
    male: gender[i]!,
  }));
}

import * as ort from 'onnxruntime-node';
import { sampleInto } from './affine.ts';
import { alignmentTransform, ARCFACE_CHIP_224, NO_JITTER } from './align.ts';
import type { EmbedRequest } from './embed.ts';
import type { RgbImage } from './image.ts';
import { loadCountedModel } from './model-loads.ts';
import { FACERES_EMBEDDER } from './models.ts';
import { withScratch } from './scratch.ts';

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

/** Values in one FaceRes input chip (224x224 RGB). */
export const FACERES_CHIP_VALUES = ARCFACE_CHIP_224.size * ARCFACE_CHIP_224.size * 3;

/**
 * The face cut out and aligned to the 224x224 ArcFace chip, plain RGB 0..255 (the graph does the
 * BGR swap and mean subtraction). A scan keeps a few of these per track and embeds them later,
 * so the frame they came from need not be kept. `into`, a chip no longer needed, is overwritten
 * instead of allocating a new one.
 */
export function faceResChip(image: RgbImage, request: EmbedRequest, into?: Float32Array): Float32Array {
  const size = ARCFACE_CHIP_224.size;
  const chip = into?.length === FACERES_CHIP_VALUES ? into : new Float32Array(FACERES_CHIP_VALUES);
  sampleInto(image, alignmentTransform(request.points, request.jitter ?? NO_JITTER, ARCFACE_CHIP_224), size, size, chip, { scale: request.gain ?? 1 });
  return chip;
}

/** Runs FaceRes on chips made by faceResChip, all in one batch. */
export async function embedFaceResChips(chips: readonly Float32Array[], threads = 1): Promise<FaceResOutput[]> {
  if (chips.length === 0) return [];
  const size = ARCFACE_CHIP_224.size;
  const session = await loadCountedModel('faceres-embedder', { threads });
  const output = await withScratch(chips.length * FACERES_CHIP_VALUES, (batch) => {
    chips.forEach((chip, i) => batch.set(chip, i * FACERES_CHIP_VALUES));
    return session.run({ [FACERES_EMBEDDER.input.name]: new ort.Tensor('float32', batch, [chips.length, size, size, 3]) });
  });
  const descriptors = output[FACERES_EMBEDDER.outputs.descriptor.name]!.data as Float32Array;
  const gender = output[FACERES_EMBEDDER.outputs.gender.name]!.data as Float32Array;
  return chips.map((_, i) => ({
    descriptor: l2Normalize(descriptors.slice(i * FACERES_DIMENSIONS, (i + 1) * FACERES_DIMENSIONS)),
    male: gender[i]!,
  }));
}

/** Aligns each face of one image to the ArcFace chip and runs FaceRes on all of them in one batch. */
export async function embedFacesFaceRes(image: RgbImage, requests: readonly EmbedRequest[], threads = 1): Promise<FaceResOutput[]> {
  return embedFaceResChips(
    requests.map((request) => faceResChip(image, request)),
    threads,
  );
}

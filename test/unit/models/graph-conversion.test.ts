import { createRequire } from 'node:module';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../../tools/models/onnx-graph-builder.ts';
import { TfOpsEmitter } from '../../../tools/models/tf-ops-emitter.ts';
import { graphModelSchema } from '../../../tools/models/tfjs-graph-model.ts';
import { convertGraphModel } from '../../../tools/models/tfjs-graph-to-onnx.ts';
import { decodeWeights, type WeightSpec } from '../../../tools/models/tfjs-weights.ts';

/**
 * A tiny TF.js graph model using the MediaPipe models' op set (fused convs with BiasAdd/Relu,
 * fused depthwise, Pad, AddV2, Prelu, ResizeBilinear, MaxPool, DepthToSpace, the
 * Shape -> StridedSlice -> Pack -> Reshape chain, Sigmoid, ConcatV2, Identity), converted to
 * ONNX and compared with what tfjs-converter's own executor computes from the same JSON.
 */

const require = createRequire(import.meta.url);
const tf: typeof import('@tensorflow/tfjs-core') = require('@tensorflow/tfjs-core');
const converter: typeof import('@tensorflow/tfjs-converter') = require('@tensorflow/tfjs-converter');
require('@tensorflow/tfjs-backend-cpu');

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ints = (...v: number[]) => ({ list: { i: v.map(String) } });
const str = (s: string) => ({ s: b64(s) });
const T = { T: { type: 'DT_FLOAT' } };

function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 31 - 1) * 0.5;
  });
}

/** Weights in manifest order, as a graph model stores them (float32 and int32, unquantized). */
const weightList: { spec: WeightSpec; data: number[] }[] = [
  { spec: { name: 'pad1/paddings', shape: [4, 2], dtype: 'int32' }, data: [0, 0, 1, 1, 1, 1, 0, 0] },
  { spec: { name: 'conv1/w', shape: [3, 3, 3, 8], dtype: 'float32' }, data: values(216, 1) },
  { spec: { name: 'conv1/b', shape: [8], dtype: 'float32' }, data: values(8, 2) },
  { spec: { name: 'dw1/w', shape: [3, 3, 8, 1], dtype: 'float32' }, data: values(72, 3) },
  { spec: { name: 'dw1/b', shape: [8], dtype: 'float32' }, data: values(8, 4) },
  { spec: { name: 'prelu/alpha', shape: [1, 1, 8], dtype: 'float32' }, data: values(8, 5) },
  { spec: { name: 'up/size', shape: [2], dtype: 'int32' }, data: [8, 8] },
  { spec: { name: 'ss/begin', shape: [1], dtype: 'int32' }, data: [0] },
  { spec: { name: 'ss/end', shape: [1], dtype: 'int32' }, data: [1] },
  { spec: { name: 'ss/strides', shape: [1], dtype: 'int32' }, data: [1] },
  { spec: { name: 'pack/1', shape: [], dtype: 'int32' }, data: [64] },
  { spec: { name: 'pack/2', shape: [], dtype: 'int32' }, data: [2] },
  { spec: { name: 'cat/axis', shape: [], dtype: 'int32' }, data: [2] },
];

function weightsBuffer(list: readonly { spec: WeightSpec; data: number[] }[] = weightList): Uint8Array {
  const total = list.reduce((n, w) => n + w.data.length * 4, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const w of list) {
    for (const v of w.data) {
      if (w.spec.dtype === 'int32') view.setInt32(offset, v, true);
      else view.setFloat32(offset, v, true);
      offset += 4;
    }
  }
  return bytes;
}

const constNode = (spec: WeightSpec) => ({
  name: spec.name,
  op: 'Const',
  attr: {
    dtype: { type: spec.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' },
    value: { tensor: { dtype: spec.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT', tensorShape: { dim: spec.shape.map((d) => ({ size: String(d) })) } } },
  },
});

/** A TF.js graph-model JSON: an [N, 8, 8, 3] float input, the weights as Const nodes, then `nodes`. */
function graphModelJson(weights: readonly { spec: WeightSpec }[], nodes: readonly object[]) {
  return {
    format: 'graph-model',
    generatedBy: 'test',
    convertedBy: 'test',
    modelTopology: {
      versions: {},
      node: [
        { name: 'input', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '8' }, { size: '8' }, { size: '3' }] } } } },
        ...weights.map((w) => constNode(w.spec)),
        ...nodes,
      ],
    },
    weightsManifest: [{ paths: ['weights.bin'], weights: weights.map((w) => w.spec) }],
  };
}

const modelJson = graphModelJson(weightList, [
  { name: 'pad1', op: 'Pad', input: ['input', 'pad1/paddings'], attr: { ...T, Tpaddings: { type: 'DT_INT32' } } },
  {
    name: 'conv1',
    op: '_FusedConv2D',
    input: ['pad1', 'conv1/w', 'conv1/b'],
    attr: {
      ...T,
      strides: ints(1, 2, 2, 1),
      padding: str('VALID'),
      data_format: str('NHWC'),
      dilations: ints(1, 1, 1, 1),
      fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } },
      num_args: { i: '1' },
      epsilon: { f: 0 },
    },
  },
  {
    name: 'dw1',
    op: 'FusedDepthwiseConv2dNative',
    input: ['conv1', 'dw1/w', 'dw1/b'],
    attr: {
      ...T,
      strides: ints(1, 1, 1, 1),
      padding: str('SAME'),
      data_format: str('NHWC'),
      dilations: ints(1, 1, 1, 1),
      fused_ops: { list: { s: [b64('BiasAdd')] } },
      num_args: { i: '1' },
    },
  },
  { name: 'add1', op: 'AddV2', input: ['conv1', 'dw1'], attr: T },
  { name: 'prelu', op: 'Prelu', input: ['add1', 'prelu/alpha'], attr: T },
  { name: 'up', op: 'ResizeBilinear', input: ['prelu', 'up/size'], attr: { ...T, half_pixel_centers: { b: true }, align_corners: { b: false } } },
  { name: 'mp', op: 'MaxPool', input: ['up'], attr: { ...T, ksize: ints(1, 2, 2, 1), strides: ints(1, 2, 2, 1), padding: str('VALID'), data_format: str('NHWC') } },
  { name: 'd2s', op: 'DepthToSpace', input: ['mp'], attr: { ...T, block_size: { i: '2' }, data_format: str('NHWC') } },
  { name: 'shape', op: 'Shape', input: ['d2s'], attr: { ...T, out_type: { type: 'DT_INT32' } } },
  {
    name: 'ss',
    op: 'StridedSlice',
    input: ['shape', 'ss/begin', 'ss/end', 'ss/strides'],
    attr: {
      T: { type: 'DT_INT32' },
      Index: { type: 'DT_INT32' },
      shrink_axis_mask: { i: '1' },
      begin_mask: { i: '0' },
      end_mask: { i: '0' },
      ellipsis_mask: { i: '0' },
      new_axis_mask: { i: '0' },
    },
  },
  { name: 'pack', op: 'Pack', input: ['ss', 'pack/1', 'pack/2'], attr: { T: { type: 'DT_INT32' }, N: { i: '3' }, axis: { i: '0' } } },
  { name: 'reshape', op: 'Reshape', input: ['d2s', 'pack'], attr: { ...T, Tshape: { type: 'DT_INT32' } } },
  { name: 'sig', op: 'Sigmoid', input: ['reshape'], attr: T },
  { name: 'cat', op: 'ConcatV2', input: ['reshape', 'sig', 'cat/axis'], attr: { ...T, N: { i: '2' }, Tidx: { type: 'DT_INT32' } } },
  { name: 'Identity', op: 'Identity', input: ['cat'], attr: T },
]);

/** What tfjs-converter's own executor computes for `outputs` of a graph model. */
function tfjsReference(json: unknown, bin: Uint8Array, input: Float32Array, shape: [number, number, number, number], outputs: string[]): { shape: number[]; data: Float32Array }[] {
  const reference = converter.loadGraphModelSync([json as import('@tensorflow/tfjs-core').io.ModelJSON, bin.buffer as ArrayBuffer]);
  return tf.tidy(() => {
    const out = reference.execute(tf.tensor4d(input, shape), outputs);
    return (Array.isArray(out) ? out : [out]).map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
  });
}

const maxAbsDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
};

/**
 * A tiny Keras MobileNet as TF.js exports it (the op set of HSE FaceRes): Conv2D and depthwise
 * convs followed by folded batch norm (Mul/Add), ReLU6 as Relu -> Minimum -> Maximum, the
 * global pooling as Mean over [1, 2], then dense layers as _FusedMatMul (BiasAdd, Relu) and a
 * Sigmoid head next to the pooled features.
 */
const kerasWeights: { spec: WeightSpec; data: number[] }[] = [
  { spec: { name: 'conv1/w', shape: [3, 3, 3, 8], dtype: 'float32' }, data: values(216, 41).map((v) => v * 4) },
  { spec: { name: 'bn1/sub', shape: [8], dtype: 'float32' }, data: values(8, 42) },
  { spec: { name: 'relu/six', shape: [], dtype: 'float32' }, data: [6] },
  { spec: { name: 'relu/zero', shape: [], dtype: 'float32' }, data: [0] },
  { spec: { name: 'dw1/w', shape: [3, 3, 8, 1], dtype: 'float32' }, data: values(72, 43).map((v) => v * 4) },
  { spec: { name: 'bn2/mul', shape: [8], dtype: 'float32' }, data: values(8, 44) },
  { spec: { name: 'pool/axes', shape: [2], dtype: 'int32' }, data: [1, 2] },
  { spec: { name: 'feats/w', shape: [8, 6], dtype: 'float32' }, data: values(48, 45) },
  { spec: { name: 'feats/b', shape: [6], dtype: 'float32' }, data: values(6, 46) },
  { spec: { name: 'head/w', shape: [6, 1], dtype: 'float32' }, data: values(6, 47) },
  { spec: { name: 'head/b', shape: [1], dtype: 'float32' }, data: values(1, 48) },
];

const fusedMatMul = (name: string, input: string, fused: string[]) => ({
  name,
  op: '_FusedMatMul',
  input: [input, `${name}/w`, `${name}/b`],
  attr: { ...T, transpose_a: { b: false }, transpose_b: { b: false }, fused_ops: { list: { s: fused.map(b64) } }, num_args: { i: '1' }, epsilon: { f: 0 } },
});

const kerasJson = graphModelJson(kerasWeights, [
  {
    name: 'conv1',
    op: 'Conv2D',
    input: ['input', 'conv1/w'],
    attr: { ...T, strides: ints(1, 2, 2, 1), padding: str('SAME'), data_format: str('NHWC'), dilations: ints(1, 1, 1, 1) },
  },
  { name: 'bn1', op: 'Add', input: ['conv1', 'bn1/sub'], attr: T },
  { name: 'relu1', op: 'Relu', input: ['bn1'], attr: T },
  { name: 'relu1/min', op: 'Minimum', input: ['relu1', 'relu/six'], attr: T },
  { name: 'relu1/clip', op: 'Maximum', input: ['relu1/min', 'relu/zero'], attr: T },
  {
    name: 'dw1',
    op: 'DepthwiseConv2dNative',
    input: ['relu1/clip', 'dw1/w'],
    attr: { ...T, strides: ints(1, 1, 1, 1), padding: str('SAME'), data_format: str('NHWC'), dilations: ints(1, 1, 1, 1) },
  },
  { name: 'bn2', op: 'Mul', input: ['dw1', 'bn2/mul'], attr: T },
  { name: 'relu2', op: 'Relu', input: ['bn2'], attr: T },
  { name: 'relu2/min', op: 'Minimum', input: ['relu2', 'relu/six'], attr: T },
  { name: 'relu2/clip', op: 'Maximum', input: ['relu2/min', 'relu/zero'], attr: T },
  { name: 'pool', op: 'Mean', input: ['relu2/clip', 'pool/axes'], attr: { ...T, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } },
  fusedMatMul('feats', 'pool', ['BiasAdd', 'Relu']),
  fusedMatMul('head', 'feats', ['BiasAdd']),
  { name: 'head/sigmoid', op: 'Sigmoid', input: ['head'], attr: T },
]);

describe('convertGraphModel', () => {
  for (const mode of ['track', 'wrap'] as const) {
    it(`matches tfjs-converter on a small Keras MobileNet graph: ReLU6 as Minimum/Maximum (one Clip in ONNX), Mean, _FusedMatMul (${mode} layout)`, async () => {
      const bin = weightsBuffer(kerasWeights);
      const input = Float32Array.from(values(2 * 8 * 8 * 3, 49), (v) => v * 4);
      const [pooled, head, relu] = tfjsReference(kerasJson, bin, input, [2, 8, 8, 3], ['pool', 'head/sigmoid', 'relu1']);

      const builder = new OnnxGraphBuilder();
      const e = new TfOpsEmitter(builder, mode);
      const x = e.input('image', [null, 8, 8, 3]);
      const model = graphModelSchema.parse(kerasJson);
      convertGraphModel(e, model, decodeWeights(model.weightsManifest[0]!.weights, bin), {
        input: x,
        outputs: [
          { node: 'pool', name: 'pooled' },
          { node: 'head/sigmoid', name: 'probability' },
        ],
      });
      const bytes = builder.encode({ graphName: 'g', docString: '', producerVersion: 'test' });
      // Each Relu -> Minimum(6) -> Maximum(0) chain becomes one Clip, which ONNX Runtime fuses into the conv.
      const ops = onnxProto.onnx.ModelProto.decode(bytes).graph!.node!.map((node) => node.opType);
      expect(ops.filter((op) => op === 'Clip')).toHaveLength(2);
      expect(ops.filter((op) => op === 'Min' || op === 'Max' || op === 'Relu')).toEqual(['Relu']);
      const session = await ort.InferenceSession.create(bytes);
      const out = await session.run({ image: new ort.Tensor('float32', input, [2, 8, 8, 3]) });
      await session.release();
      expect([...out['pooled']!.dims]).toEqual([2, 8]);
      expect([...out['probability']!.dims]).toEqual([2, 1]);
      expect(pooled!.shape).toEqual([2, 8]);
      // ReLU6 must actually clip somewhere, or the test would not tell Minimum from a no-op.
      expect(Math.max(...relu!.data)).toBeGreaterThan(6);
      expect(maxAbsDifference(out['pooled']!.data as Float32Array, pooled!.data)).toBeLessThan(1e-5);
      expect(maxAbsDifference(out['probability']!.data as Float32Array, head!.data)).toBeLessThan(1e-5);
    });
  }

  for (const mode of ['track', 'wrap'] as const) {
    it(`matches tfjs-converter on a small MediaPipe-style graph (${mode} layout)`, async () => {
      const bin = weightsBuffer();
      const input = Float32Array.from(values(2 * 8 * 8 * 3, 9), (v) => v * 2);

      const reference = converter.loadGraphModelSync([modelJson as unknown as import('@tensorflow/tfjs-core').io.ModelJSON, bin.buffer as ArrayBuffer]);
      const expected = tf.tidy(() => {
        const out = reference.execute(tf.tensor4d(input, [2, 8, 8, 3]), 'Identity');
        if (Array.isArray(out)) throw new Error('one output expected');
        return { shape: out.shape, data: out.dataSync() };
      });

      const builder = new OnnxGraphBuilder();
      const e = new TfOpsEmitter(builder, mode);
      const x = e.input('image', [null, 8, 8, 3]);
      const model = graphModelSchema.parse(modelJson);
      convertGraphModel(e, model, decodeWeights(model.weightsManifest[0]!.weights, bin), { input: x, outputs: [{ node: 'Identity', name: 'out' }] });
      const bytes = builder.encode({ graphName: 'g', docString: '', producerVersion: 'test' });
      // The shape chain folds away: no Shape/Slice/Gather nodes reach ONNX.
      expect(Buffer.from(bytes).includes(Buffer.from('Shape'))).toBe(false);
      // On NCHW tensors the per-channel PRelu is two 1x1 depthwise convs and a Relu, which ONNX
      // Runtime keeps in its blocked layout; the values below must still match tfjs's Prelu.
      const ops = onnxProto.onnx.ModelProto.decode(bytes).graph!.node!.map((node) => node.opType);
      expect(ops.includes('PRelu')).toBe(mode === 'wrap');

      const session = await ort.InferenceSession.create(bytes);
      const out = (await session.run({ image: new ort.Tensor('float32', input, [2, 8, 8, 3]) }))['out']!;
      await session.release();
      expect([...out.dims]).toEqual([2, 64, 4]);
      expect(expected.shape).toEqual([2, 64, 4]);
      let worst = 0;
      for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs((out.data as Float32Array)[i]! - expected.data[i]!));
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it('names the node and op it cannot convert', () => {
    const model = graphModelSchema.parse({
      ...modelJson,
      modelTopology: { node: [modelJson.modelTopology.node[0], { name: 'weird', op: 'Cumsum', input: ['input'] }] },
    });
    const e = new TfOpsEmitter(new OnnxGraphBuilder());
    const x = e.input('image', [null, 8, 8, 3]);
    expect(() => convertGraphModel(e, model, new Map(), { input: x, outputs: [{ node: 'weird', name: 'out' }] })).toThrow(/Cumsum node weird: op Cumsum is not supported/);
  });
});

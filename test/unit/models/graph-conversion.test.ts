import { createRequire } from 'node:module';
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

function weightsBuffer(): Uint8Array {
  const total = weightList.reduce((n, w) => n + w.data.length * 4, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const w of weightList) {
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

const modelJson = {
  format: 'graph-model',
  generatedBy: 'test',
  convertedBy: 'test',
  modelTopology: {
    versions: {},
    node: [
      { name: 'input', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '8' }, { size: '8' }, { size: '3' }] } } } },
      ...weightList.map((w) => constNode(w.spec)),
      { name: 'pad1', op: 'Pad', input: ['input', 'pad1/paddings'], attr: { ...T, Tpaddings: { type: 'DT_INT32' } } },
      {
        name: 'conv1',
        op: '_FusedConv2D',
        input: ['pad1', 'conv1/w', 'conv1/b'],
        attr: { ...T, strides: ints(1, 2, 2, 1), padding: str('VALID'), data_format: str('NHWC'), dilations: ints(1, 1, 1, 1), fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } }, num_args: { i: '1' }, epsilon: { f: 0 } },
      },
      {
        name: 'dw1',
        op: 'FusedDepthwiseConv2dNative',
        input: ['conv1', 'dw1/w', 'dw1/b'],
        attr: { ...T, strides: ints(1, 1, 1, 1), padding: str('SAME'), data_format: str('NHWC'), dilations: ints(1, 1, 1, 1), fused_ops: { list: { s: [b64('BiasAdd')] } }, num_args: { i: '1' } },
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
        attr: { T: { type: 'DT_INT32' }, Index: { type: 'DT_INT32' }, shrink_axis_mask: { i: '1' }, begin_mask: { i: '0' }, end_mask: { i: '0' }, ellipsis_mask: { i: '0' }, new_axis_mask: { i: '0' } },
      },
      { name: 'pack', op: 'Pack', input: ['ss', 'pack/1', 'pack/2'], attr: { T: { type: 'DT_INT32' }, N: { i: '3' }, axis: { i: '0' } } },
      { name: 'reshape', op: 'Reshape', input: ['d2s', 'pack'], attr: { ...T, Tshape: { type: 'DT_INT32' } } },
      { name: 'sig', op: 'Sigmoid', input: ['reshape'], attr: T },
      { name: 'cat', op: 'ConcatV2', input: ['reshape', 'sig', 'cat/axis'], attr: { ...T, N: { i: '2' }, Tidx: { type: 'DT_INT32' } } },
      { name: 'Identity', op: 'Identity', input: ['cat'], attr: T },
    ],
  },
  weightsManifest: [{ paths: ['weights.bin'], weights: weightList.map((w) => w.spec) }],
};

describe('convertGraphModel', () => {
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

import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder, type OnnxDim } from '../../../tools/models/onnx-graph-builder.ts';
import { convGeometry, floatConst, TfOpsEmitter, type LayoutMode, type Tensor } from '../../../tools/models/tf-ops-emitter.ts';

/**
 * Each TF op translation, built into a tiny ONNX graph, run by ONNX Runtime and compared with
 * the same op computed by tfjs-core on its CPU backend (an independent implementation of TF's
 * semantics), in both layout modes.
 */

const require = createRequire(import.meta.url);
type Tf = typeof import('@tensorflow/tfjs-core');
type TfTensor = import('@tensorflow/tfjs-core').Tensor;
type Rank4 = import('@tensorflow/tfjs-core').Tensor4D;
const tf: Tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');

beforeAll(async () => {
  tf.env().set('PROD', true); // no "install tfjs-node" banner
  await tf.setBackend('cpu');
});

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

async function runOnnx(
  mode: LayoutMode,
  inputShape: readonly number[],
  input: Float32Array,
  body: (e: TfOpsEmitter, x: Tensor) => Tensor,
  nominal?: { shape: readonly number[]; declared: { input: readonly OnnxDim[]; output: readonly OnnxDim[] } },
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const builder = new OnnxGraphBuilder();
  const e = new TfOpsEmitter(builder, mode);
  const x = e.input('x', [null, ...(nominal?.shape ?? inputShape).slice(1)], nominal?.declared.input);
  e.output(body(e, x), 'y', nominal?.declared.output);
  const session = await ort.InferenceSession.create(builder.encode({ graphName: 'test', docString: '', producerVersion: 'test' }));
  const result = await session.run({ x: new ort.Tensor('float32', input, [...inputShape]) });
  await session.release();
  const y = result['y']!;
  return { data: y.data as Float32Array, dims: y.dims };
}

function expectClose(actual: { data: Float32Array; dims: readonly number[] }, expected: TfTensor, tolerance = 1e-5): void {
  expect([...actual.dims]).toEqual(expected.shape);
  const want = expected.dataSync();
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((actual.data[i] as number) - (want[i] as number)));
  expect(worst).toBeLessThan(tolerance);
}

describe('convGeometry', () => {
  it('splits SAME padding like TF (the odd pixel after)', () => {
    expect(convGeometry([192, 192], [3, 3], { strides: [2, 2], padding: 'SAME' })).toEqual({ out: [96, 96], pads: [0, 0, 1, 1] });
    expect(convGeometry([7, 7], [3, 3], { strides: [2, 2], padding: 'SAME' })).toEqual({ out: [4, 4], pads: [1, 1, 1, 1] });
    expect(convGeometry([150, 150], [7, 7], { strides: [2, 2], padding: 'VALID' })).toEqual({ out: [72, 72], pads: [0, 0, 0, 0] });
    expect(convGeometry([8, 8], [3, 3], { strides: [2, 2], padding: 'VALID' })).toEqual({ out: [3, 3], pads: [0, 0, 0, 0] });
  });
});

for (const mode of ['track', 'wrap'] as const) {
  describe(`op translations (${mode} layout)`, () => {
    it('Conv2D SAME, stride 2, odd input, bias + relu', async () => {
      const shape = [2, 7, 7, 3];
      const x = values(size(shape), 1);
      const w = values(3 * 3 * 3 * 4, 2);
      const b = values(4, 3);
      const out = await runOnnx(mode, shape, x, (e, t) =>
        e.conv2d(t, floatConst([3, 3, 3, 4], w), floatConst([4], b), { strides: [2, 2], padding: 'SAME' }, { kind: 'relu' }, 'c'),
      );
      expectClose(out, tf.relu(tf.add(tf.conv2d(tf.tensor4d(x, shape as [number, number, number, number]), tf.tensor4d(w, [3, 3, 3, 4]), 2, 'same'), tf.tensor1d(b))));
    });

    it('Conv2D VALID with dilation 2, and with explicit paddings', async () => {
      const shape = [1, 9, 9, 2];
      const x = values(size(shape), 4);
      const w = values(3 * 3 * 2 * 3, 5);
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const wt = tf.tensor4d(w, [3, 3, 2, 3]);
      const dilated = await runOnnx(mode, shape, x, (e, t) =>
        e.conv2d(t, floatConst([3, 3, 2, 3], w), undefined, { strides: [1, 1], padding: 'VALID', dilations: [2, 2] }, { kind: 'none' }, 'c'),
      );
      expectClose(dilated, tf.conv2d(xt, wt, 1, 'valid', 'NHWC', 2));
      const explicit = await runOnnx(mode, shape, x, (e, t) =>
        e.conv2d(
          t,
          floatConst([3, 3, 2, 3], w),
          undefined,
          {
            strides: [2, 1],
            padding: {
              explicit: [
                [1, 2],
                [0, 1],
              ],
            },
          },
          { kind: 'relu6' },
          'c',
        ),
      );
      expectClose(
        explicit,
        tf.relu6(
          tf.conv2d(
            xt,
            wt,
            [2, 1],
            [
              [0, 0],
              [1, 2],
              [0, 1],
              [0, 0],
            ],
          ),
        ),
      );
    });

    it('DepthwiseConv2d with channel multiplier 2, SAME stride 2 on an even input, bias + prelu', async () => {
      const shape = [1, 8, 8, 3];
      const x = values(size(shape), 6);
      const w = values(3 * 3 * 3 * 2, 7);
      const b = values(6, 8);
      const alpha = values(6, 9);
      const out = await runOnnx(mode, shape, x, (e, t) =>
        e.depthwiseConv2d(t, floatConst([3, 3, 3, 2], w), floatConst([6], b), { strides: [2, 2], padding: 'SAME' }, { kind: 'prelu', alpha: floatConst([1, 1, 6], alpha) }, 'dw'),
      );
      const conv = tf.add(tf.depthwiseConv2d(tf.tensor4d(x, [1, 8, 8, 3]), tf.tensor4d(w, [3, 3, 3, 2]), 2, 'same'), tf.tensor1d(b));
      expectClose(out, tf.prelu(conv, tf.tensor3d(alpha, [1, 1, 6])));
    });

    it('Pad on spatial and channel axes, after a conv (NCHW) and on the raw input (NHWC)', async () => {
      const shape = [1, 4, 5, 2];
      const x = values(size(shape), 10);
      const w = values(2 * 2, 11);
      const paddings: [number, number][] = [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 3],
      ];
      const out = await runOnnx(mode, shape, x, (e, t) => {
        const c = e.conv2d(t, floatConst([1, 1, 2, 2], w), undefined, { strides: [1, 1], padding: 'VALID' }, { kind: 'none' }, 'c');
        return e.concat([e.pad(c, paddings, 'p1'), e.pad(t, paddings, 'p2', 0.5)], 3, 'cat');
      });
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const c = tf.conv2d(xt, tf.tensor4d(w, [1, 1, 2, 2]), 1, 'valid');
      expectClose(out, tf.concat([tf.pad(c, paddings), tf.pad(xt, paddings, 0.5)], 3));
    });

    it('MaxPool VALID and AvgPool SAME (padding excluded from the average)', async () => {
      const shape = [1, 7, 6, 3];
      const x = values(size(shape), 12);
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const max = await runOnnx(mode, shape, x, (e, t) => e.pool('max', t, [2, 2], { strides: [2, 2], padding: 'VALID' }, 'mp'));
      expectClose(max, tf.maxPool(xt, 2, 2, 'valid'));
      const avg = await runOnnx(mode, shape, x, (e, t) => e.pool('avg', t, [3, 3], { strides: [2, 2], padding: 'SAME' }, 'ap'));
      expectClose(avg, tf.avgPool(xt, 3, 2, 'same'));
    });

    it('ResizeBilinear: half-pixel centers, align corners, and neither', async () => {
      const shape = [1, 5, 4, 2];
      const x = values(size(shape), 13);
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      for (const [alignCorners, halfPixelCenters, to] of [
        [false, true, [10, 8]],
        [true, false, [9, 7]],
        [false, false, [10, 8]],
      ] as const) {
        const out = await runOnnx(mode, shape, x, (e, t) => e.resizeBilinear(t, to, { alignCorners, halfPixelCenters }, 'rs'));
        expectClose(out, tf.image.resizeBilinear(xt, [to[0], to[1]], alignCorners, halfPixelCenters));
      }
    });

    it('DepthToSpace (TF NHWC depth order = ONNX DCR)', async () => {
      const shape = [2, 3, 3, 8];
      const x = values(size(shape), 14);
      const out = await runOnnx(mode, shape, x, (e, t) => e.depthToSpace(t, 2, 'd2s'));
      expectClose(out, tf.depthToSpace(tf.tensor4d(x, shape as [number, number, number, number]), 2));
    });

    it('Reshape of a conv output keeps NHWC memory order', async () => {
      const shape = [2, 3, 4, 2];
      const x = values(size(shape), 15);
      const w = values(2 * 5, 16);
      const out = await runOnnx(mode, shape, x, (e, t) => {
        const c = e.conv2d(t, floatConst([1, 1, 2, 5], w), undefined, { strides: [1, 1], padding: 'VALID' }, { kind: 'none' }, 'c');
        return e.reshape(c, [-1, 12, 5], 'r');
      });
      const c = tf.conv2d(tf.tensor4d(x, shape as [number, number, number, number]), tf.tensor4d(w, [1, 1, 2, 5]), 1, 'valid');
      expectClose(out, tf.reshape(c, [2, 12, 5]));
    });

    it('Reshape copying the batch (0) follows an input larger than the nominal one', async () => {
      const shape = [2, 6, 8, 2];
      const x = values(size(shape), 21);
      const w = values(2 * 5, 22);
      const nominal = { shape: [2, 3, 4, 2], declared: { input: ['N', 'height', 'width', 2], output: ['N', 'cells', 5] } };
      const out = await runOnnx(
        mode,
        shape,
        x,
        (e, t) => {
          const c = e.conv2d(t, floatConst([1, 1, 2, 5], w), undefined, { strides: [1, 1], padding: 'VALID' }, { kind: 'none' }, 'c');
          const r = e.reshape(c, [0, -1, 5], 'r');
          expect(r.shape).toEqual([null, 12, 5]);
          return r;
        },
        nominal,
      );
      const c = tf.conv2d(tf.tensor4d(x, shape as [number, number, number, number]), tf.tensor4d(w, [1, 1, 2, 5]), 1, 'valid');
      expectClose(out, tf.reshape(c, [2, 48, 5]));
    });

    it('Element-wise ops broadcast constants of rank 0, 1 and 3 and mix layouts', async () => {
      const shape = [1, 3, 4, 3];
      const x = values(size(shape), 17);
      const w = values(9, 18);
      const c1 = values(3, 19);
      const c3 = values(3 * 4 * 3, 20);
      const out = await runOnnx(mode, shape, x, (e, t) => {
        const c = e.conv2d(t, floatConst([1, 1, 3, 3], w), undefined, { strides: [1, 1], padding: 'VALID' }, { kind: 'sigmoid' }, 'c');
        let y = e.binary('Add', c, floatConst([3], c1), 'a');
        y = e.binary('Mul', y, floatConst([3, 4, 3], c3), 'm');
        y = e.binary('Sub', y, floatConst([], Float32Array.of(0.25)), 's');
        y = e.binary('Div', y, t, 'd'); // NCHW (track mode) with the NHWC input
        return e.binary('Add', t, y, 'a2');
      });
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      let y: TfTensor = tf.sigmoid(tf.conv2d(xt, tf.tensor4d(w, [1, 1, 3, 3]), 1, 'valid'));
      y = tf.sub(tf.mul(tf.add(y, tf.tensor1d(c1)), tf.tensor3d(c3, [3, 4, 3])), 0.25);
      expectClose(out, tf.add(xt, tf.div(y, xt)), 1e-3 /* division by small inputs amplifies rounding */);
    });

    it('Concat along H of a conv output (NCHW) and the input (NHWC)', async () => {
      const shape = [1, 2, 3, 2];
      const x = values(size(shape), 21);
      const w = values(4, 22);
      const out = await runOnnx(mode, shape, x, (e, t) => {
        const c = e.conv2d(t, floatConst([1, 1, 2, 2], w), undefined, { strides: [1, 1], padding: 'VALID' }, { kind: 'none' }, 'c');
        return e.concat([c, t], 1, 'cat');
      });
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      expectClose(out, tf.concat([tf.conv2d(xt, tf.tensor4d(w, [1, 1, 2, 2]), 1, 'valid'), xt], 1));
    });

    it('Minimum and Maximum against scalar constants (Keras ReLU6) and between two tensors of different layouts', async () => {
      const shape = [2, 3, 4, 3];
      const x = values(size(shape), 26).map((v) => v * 8);
      const w = values(9, 27);
      const out = await runOnnx(mode, shape, x, (e, t) => {
        const c = e.conv2d(t, floatConst([1, 1, 3, 3], w), undefined, { strides: [1, 1], padding: 'VALID' }, { kind: 'relu' }, 'c');
        const relu6 = e.binary('Max', e.binary('Min', c, floatConst([], Float32Array.of(6)), 'min'), floatConst([], Float32Array.of(0)), 'max');
        return e.binary('Min', e.binary('Max', relu6, t, 'max2'), floatConst([3], Float32Array.of(1, 2, 3)), 'min2');
      });
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const c = tf.relu(tf.conv2d(xt, tf.tensor4d(w, [1, 1, 3, 3]), 1, 'valid'));
      const relu6 = tf.maximum(tf.minimum(c, 6), 0);
      expectClose(out, tf.minimum(tf.maximum(relu6, xt), tf.tensor1d([1, 2, 3])));
    });

    it('Mean over spatial axes, over channels and over one axis, with and without keep_dims', async () => {
      const shape = [2, 3, 4, 5];
      const x = values(size(shape), 28);
      const w = values(25, 29);
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const conv = tf.conv2d(xt, tf.tensor4d(w, [1, 1, 5, 5]), 1, 'valid');
      for (const [axes, keepDims] of [
        [[1, 2], false],
        [[2, 1], true],
        [[-1], false],
        [[3], true],
        [[1], false],
        [[0, 2], true],
      ] as const) {
        const out = await runOnnx(mode, shape, x, (e, t) => {
          const c = e.conv2d(t, floatConst([1, 1, 5, 5], w), undefined, { strides: [1, 1], padding: 'VALID' }, { kind: 'none' }, 'c');
          return e.reduceMean(c, axes, keepDims, 'mean');
        });
        expectClose(out, tf.mean(conv, [...axes], keepDims));
      }
    });

    it('Gather of channels (RGB -> BGR) on the raw input and after a conv', async () => {
      const shape = [2, 3, 2, 3];
      const x = values(size(shape), 30);
      const w = values(12, 31);
      const out = await runOnnx(mode, shape, x, (e, t) => {
        const c = e.conv2d(t, floatConst([1, 1, 3, 4], w), undefined, { strides: [1, 1], padding: 'VALID' }, { kind: 'none' }, 'c');
        return e.concat([e.selectChannels(t, [2, 1, 0], 'bgr'), e.selectChannels(c, [3, 0], 'pick')], 3, 'cat');
      });
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const c = tf.conv2d(xt, tf.tensor4d(w, [1, 1, 3, 4]), 1, 'valid');
      expectClose(out, tf.concat([tf.reverse(xt, 3), tf.gather(c, [3, 0], 3)], 3));
    });

    it('Spatial mean then MatMul', async () => {
      const shape = [2, 3, 3, 4];
      const x = values(size(shape), 23);
      const w = values(4 * 5, 24);
      const out = await runOnnx(mode, shape, x, (e, t) => {
        const c = e.conv2d(t, floatConst([1, 1, 4, 4], values(16, 25)), undefined, { strides: [1, 1], padding: 'VALID' }, { kind: 'none' }, 'c');
        return e.matMul(e.meanSpatial(c, 'mean'), floatConst([4, 5], w), 'fc');
      });
      const c = tf.conv2d(tf.tensor4d(x, shape as [number, number, number, number]) as Rank4, tf.tensor4d(values(16, 25), [1, 1, 4, 4]), 1, 'valid');
      expectClose(out, tf.matMul(tf.mean(c, [1, 2]) as import('@tensorflow/tfjs-core').Tensor2D, tf.tensor2d(w, [4, 5])));
    });
  });
}

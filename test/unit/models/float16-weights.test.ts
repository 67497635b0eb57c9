import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exactFloat16Bits, FLOAT16_MIN_VALUES, OnnxGraphBuilder } from '../../../tools/models/onnx-graph-builder.ts';
import { floatConst, TfOpsEmitter } from '../../../tools/models/tf-ops-emitter.ts';
import { float16ToFloat32 } from '../../../tools/models/tfjs-weights.ts';

/**
 * Weights that came from a float16 TF.js file are stored as float16 (plus a Cast) when the
 * builder is asked to: the bits must round-trip exactly, and the model must compute exactly what
 * the float32-stored one does, in a smaller file.
 */

describe('exactFloat16Bits', () => {
  it('gives back the bits of every finite float16 after decoding', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue; // infinities and NaNs are not weights
      expect(exactFloat16Bits(float16ToFloat32(bits))).toBe(bits);
    }
  });

  it('refuses values a float16 cannot hold exactly', () => {
    for (const value of [0.1, 1 + 2 ** -11, 65536, 2 ** -25, 3 * 2 ** -26, Number.NaN, Infinity, 1e-40]) {
      expect(exactFloat16Bits(value)).toBeUndefined();
    }
  });
});

/** A 1x1 conv of 4 -> 8 channels (32 weights) with a bias of 8, and the encoded model. */
function convModel(weights: Float32Array, float16Weights: boolean): Uint8Array {
  const builder = new OnnxGraphBuilder({ float16Weights });
  const e = new TfOpsEmitter(builder);
  const x = e.input('x', [null, 3, 3, 4]);
  const bias = Float32Array.from({ length: 8 }, (_, i) => i / 4);
  e.output(e.conv2d(x, floatConst([1, 1, 4, 8], weights), floatConst([8], bias), { strides: [1, 1], padding: 'VALID' }, { kind: 'none' }, 'c'), 'y');
  return builder.encode({ graphName: 'g', docString: '', producerVersion: 'test' });
}

async function run(model: Uint8Array, input: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model);
  const out = await session.run({ x: new ort.Tensor('float32', input, [1, 3, 3, 4]) });
  await session.release();
  return out['y']!.data as Float32Array;
}

describe('OnnxGraphBuilder float16Weights', () => {
  const input = Float32Array.from({ length: 36 }, (_, i) => (i % 7) - 3);
  const halves = Float32Array.from({ length: 32 }, (_, i) => float16ToFloat32(0x3000 + i * 37)); // exact float16 values

  it('stores exact float16 weights at half the size and computes the same outputs', async () => {
    expect(halves.length).toBeGreaterThan(FLOAT16_MIN_VALUES);
    const full = convModel(halves, false);
    const half = convModel(halves, true);
    expect(half.byteLength).toBeLessThan(full.byteLength);
    expect(Buffer.from(half).includes(Buffer.from('Cast'))).toBe(true);
    expect(Array.from(await run(half, input))).toEqual(Array.from(await run(full, input)));
  });

  it('keeps float32 when a value is not a float16, and for small constants', () => {
    const inexact = Float32Array.from(halves);
    inexact[5] = 0.1;
    expect(convModel(inexact, true)).toEqual(convModel(inexact, false)); // the 8-value bias stays float32 too
  });
});

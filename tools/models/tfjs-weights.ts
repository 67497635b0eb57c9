import { z } from 'zod';

/**
 * Decoding of TF.js weight files (a weights manifest plus its concatenated .bin shards).
 * Written to reproduce `tf.io.decodeWeights` value for value, so that a converted model starts
 * from exactly the numbers the TF.js original runs with.
 */

const quantizationSchema = z.object({
  dtype: z.enum(['uint8', 'uint16', 'float16']),
  scale: z.number().optional(),
  min: z.number().optional(),
});

export const weightSpecSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32']),
  quantization: quantizationSchema.optional(),
});
export type WeightSpec = z.infer<typeof weightSpecSchema>;

export const weightsManifestSchema = z.array(z.object({ paths: z.array(z.string()).min(1), weights: z.array(weightSpecSchema) }));
export type WeightsManifest = z.infer<typeof weightsManifestSchema>;

/** One decoded weight, in TF's own layout (e.g. conv filters HWIO). */
export type WeightTensor = { name: string; shape: number[]; dtype: 'float32'; data: Float32Array } | { name: string; shape: number[]; dtype: 'int32'; data: Int32Array };

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** IEEE 754 half -> float; exact (every half is representable as a float). */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * uint8/uint16 affine dequantization as TF.js does it: `q * scale + min` computed in double
 * precision, then rounded once to float32 when stored.
 */
export function dequantize(quantized: Uint8Array | Uint16Array, scale: number, min: number): Float32Array {
  const out = new Float32Array(quantized.length);
  for (let i = 0; i < quantized.length; i++) out[i] = (quantized[i] as number) * scale + min;
  return out;
}

function bytesPerValue(spec: WeightSpec): number {
  if (spec.quantization) return spec.quantization.dtype === 'uint8' ? 1 : 2;
  return 4;
}

/** Reads little-endian values without assuming the buffer is aligned. */
function readUint16(bytes: Uint8Array, count: number): Uint16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, true);
  return out;
}

function decodeOne(spec: WeightSpec, bytes: Uint8Array): WeightTensor {
  const size = sizeOf(spec.shape);
  const { name, shape } = spec;
  const q = spec.quantization;
  if (q) {
    if (q.dtype === 'float16') {
      if (spec.dtype !== 'float32') throw new Error(`weight ${name}: float16 quantization of ${spec.dtype} is not supported`);
      const halves = readUint16(bytes, size);
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = float16ToFloat32(halves[i] as number);
      return { name, shape, dtype: 'float32', data };
    }
    if (q.scale === undefined || q.min === undefined) throw new Error(`weight ${name}: ${q.dtype} quantization without scale/min`);
    const quantized = q.dtype === 'uint8' ? bytes.slice(0, size) : readUint16(bytes, size);
    const values = dequantize(quantized, q.scale, q.min);
    if (spec.dtype === 'float32') return { name, shape, dtype: 'float32', data: values };
    return { name, shape, dtype: 'int32', data: Int32Array.from(values, (v) => Math.round(v)) };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (spec.dtype === 'float32') {
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(i * 4, true);
    return { name, shape, dtype: 'float32', data };
  }
  const data = new Int32Array(size);
  for (let i = 0; i < size; i++) data[i] = view.getInt32(i * 4, true);
  return { name, shape, dtype: 'int32', data };
}

/**
 * Decodes every weight of `specs` from `buffer` (all shards concatenated, in manifest order).
 * Throws when the buffer is shorter or longer than the specs describe: a truncated or
 * mismatched .bin must never turn into a model with garbage weights.
 */
export function decodeWeights(specs: readonly WeightSpec[], buffer: Uint8Array): Map<string, WeightTensor> {
  const weights = new Map<string, WeightTensor>();
  let offset = 0;
  for (const spec of specs) {
    const length = sizeOf(spec.shape) * bytesPerValue(spec);
    if (offset + length > buffer.byteLength) {
      throw new Error(`weights buffer too short: ${spec.name} needs bytes ${offset}..${offset + length}, buffer has ${buffer.byteLength}`);
    }
    weights.set(spec.name, decodeOne(spec, buffer.subarray(offset, offset + length)));
    offset += length;
  }
  if (offset !== buffer.byteLength) {
    throw new Error(`weights buffer has ${buffer.byteLength - offset} unexpected trailing bytes`);
  }
  return weights;
}

/** Looks a float weight up by name, checking its shape when one is given. */
export function floatWeight(weights: ReadonlyMap<string, WeightTensor>, name: string, shape?: readonly number[]): Float32Array {
  const w = weights.get(name);
  if (!w) throw new Error(`missing weight ${name}`);
  if (w.dtype !== 'float32') throw new Error(`weight ${name} is ${w.dtype}, expected float32`);
  if (shape && (shape.length !== w.shape.length || shape.some((d, i) => d !== w.shape[i]))) {
    throw new Error(`weight ${name} has shape [${w.shape}], expected [${shape}]`);
  }
  return w.data;
}

/**
 * The weight specs of a weights manifest (`[{ paths, weights }]`) or of a graph model.json
 * (`{ weightsManifest }`), in byte order, with the shard files they are read from.
 */
export function manifestWeightSpecs(json: unknown): { specs: WeightSpec[]; paths: string[] } {
  const raw = Array.isArray(json) ? json : (json as { weightsManifest?: unknown } | null)?.weightsManifest;
  const manifest = weightsManifestSchema.parse(raw);
  return { specs: manifest.flatMap((group) => group.weights), paths: manifest.flatMap((group) => group.paths) };
}

import { endianness } from 'node:os';
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';

/**
 * A thin, deterministic writer of ONNX graphs on top of the protobuf classes of `onnx-proto`:
 * names are made unique with counters (never random), nodes and initializers keep insertion
 * order, and tensors are stored as raw little-endian bytes, so the same calls always encode to
 * the same bytes.
 */

const { onnx } = onnxProto;
type NodeProto = Onnx.INodeProto;
type TensorProto = Onnx.ITensorProto;
type ValueInfoProto = Onnx.IValueInfoProto;
type AttributeProto = Onnx.IAttributeProto;

export type OnnxDtype = 'float32' | 'int64';
/** A dimension of a graph input/output: a number, or the name of a symbolic dimension. */
export type OnnxDim = number | string;

/** Node attributes, tagged so ints and floats cannot be confused. */
export type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string };

export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  ints: (value: readonly number[]): Attr => ({ kind: 'ints', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  floats: (value: readonly number[]): Attr => ({ kind: 'floats', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
};

/** ONNX IR version and default-domain opset the converted models declare. */
export const IR_VERSION = 8;
export const OPSET_VERSION = 13;

const elemType = (dtype: OnnxDtype): number => (dtype === 'float32' ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.INT64);

function toAttributeProto(name: string, a: Attr): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: [...a.value] };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'floats':
      return { name, type: T.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
  }
}

function valueInfo(name: string, dtype: OnnxDtype, dims: readonly OnnxDim[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elemType(dtype),
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

const FLOAT32 = new Float32Array(1);
const FLOAT32_BITS = new Uint32Array(FLOAT32.buffer);

/**
 * The IEEE half-precision bits of `value` when it is exactly representable (a weight decoded from
 * a float16 TF.js file always is), else undefined.
 */
export function exactFloat16Bits(value: number): number | undefined {
  FLOAT32[0] = value;
  const bits = FLOAT32_BITS[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127;
  const mantissa = bits & 0x7fffff;
  if (exponent === -127) return mantissa === 0 ? sign : undefined; // zero; float32 subnormals are too small
  if (exponent > 15) return undefined; // too large, infinite or NaN
  if (exponent >= -14) return mantissa & 0x1fff ? undefined : sign | ((exponent + 15) << 10) | (mantissa >>> 13);
  // A float16 subnormal: value = m * 2^-24 with m < 1024.
  const shift = -(exponent + 1);
  const significand = 0x800000 | mantissa;
  if (shift > 23 || significand & ((1 << shift) - 1)) return undefined;
  return sign | (significand >>> shift);
}

function rawBytes(data: Float32Array | BigInt64Array | Uint16Array): Uint8Array {
  // Typed arrays are in platform byte order; ONNX raw_data is little-endian.
  if (endianness() !== 'LE') throw new Error('the ONNX writer only supports little-endian hosts');
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

export interface BuilderOptions {
  /**
   * Store float weights of more than FLOAT16_MIN_VALUES values as float16 when every value is
   * exactly a float16 (weights from a float16 TF.js file), each followed by a Cast to float32.
   * ONNX Runtime folds the casts when it loads the model: the same float32 network, half the file.
   */
  float16Weights?: boolean;
}

/** Smaller constants (scalars, normalization means) stay float32: nothing to gain. */
export const FLOAT16_MIN_VALUES = 16;

/** The float16 bits of every value, or undefined if any is not exactly a float16. */
function toFloat16(data: Float32Array): Uint16Array | undefined {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const bits = exactFloat16Bits(data[i]!);
    if (bits === undefined) return undefined;
    out[i] = bits;
  }
  return out;
}

export class OnnxGraphBuilder {
  constructor(private readonly options: BuilderOptions = {}) {}

  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly taken = new Set<string>();
  private readonly counters = new Map<string, number>();

  /** A value/node name not used yet, derived from `hint` (ONNX names must be unique in a graph). */
  uniqueName(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'v';
    if (!this.taken.has(base)) {
      this.taken.add(base);
      return base;
    }
    let n = this.counters.get(base) ?? 1;
    while (this.taken.has(`${base}_${n}`)) n++;
    this.counters.set(base, n + 1);
    const name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }

  /** Reserves an exact name (graph inputs/outputs have public names); throws if taken. */
  reserveName(name: string): string {
    if (this.taken.has(name)) throw new Error(`ONNX name already used: ${name}`);
    this.taken.add(name);
    return name;
  }

  initializer(hint: string, dims: readonly number[], data: Float32Array | BigInt64Array): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`initializer ${hint}: ${data.length} values for dims [${dims}]`);
    const name = this.uniqueName(hint);
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: elemType(data instanceof Float32Array ? 'float32' : 'int64'),
      rawData: rawBytes(data),
    });
    return name;
  }

  /** A float32 value: stored as float16 plus a Cast when the options allow and it is exact. */
  floatInitializer(hint: string, dims: readonly number[], values: Float32Array | readonly number[]): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    const half = this.options.float16Weights && data.length > FLOAT16_MIN_VALUES ? toFloat16(data) : undefined;
    if (!half) return this.initializer(hint, dims, data);
    const stored = this.uniqueName(`${hint}/fp16`);
    this.initializers.push({ name: stored, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT16, rawData: rawBytes(half) });
    return this.op('Cast', [stored], { to: attr.int(onnx.TensorProto.DataType.FLOAT) }, hint);
  }

  int64Initializer(hint: string, dims: readonly number[], values: readonly number[]): string {
    return this.initializer(
      hint,
      dims,
      BigInt64Array.from(values, (v) => BigInt(v)),
    );
  }

  /** Adds a node and returns the names of its outputs ('' inputs mean "optional input omitted"). */
  node(
    opType: string,
    inputs: readonly string[],
    attrs: Readonly<Record<string, Attr>> = {},
    options: { hint?: string; outputs?: number; outputNames?: readonly string[] } = {},
  ): string[] {
    const hint = options.hint ?? opType;
    const outputs = options.outputNames ? [...options.outputNames] : Array.from({ length: options.outputs ?? 1 }, () => this.uniqueName(hint));
    this.nodes.push({
      opType,
      name: this.uniqueName(`node/${hint}`),
      input: [...inputs],
      output: outputs,
      attribute: Object.keys(attrs)
        .sort()
        .map((key) => toAttributeProto(key, attrs[key] as Attr)),
    });
    return outputs;
  }

  /** Adds a node with exactly one output and returns its name. */
  op(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, hint?: string): string {
    const [out] = this.node(opType, inputs, attrs, hint === undefined ? {} : { hint });
    return out as string;
  }

  graphInput(name: string, dtype: OnnxDtype, dims: readonly OnnxDim[]): string {
    this.reserveName(name);
    this.inputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  graphOutput(name: string, dtype: OnnxDtype, dims: readonly OnnxDim[]): void {
    this.outputs.push(valueInfo(name, dtype, dims));
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Serializes the model; `metadata` ends up in the model's metadata_props (sorted by key). */
  encode(options: { graphName: string; docString: string; producerVersion: string; metadata?: Record<string, string> }): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'lambdaface-tfjs-converter',
      producerVersion: options.producerVersion,
      docString: options.docString,
      opsetImport: [{ domain: '', version: OPSET_VERSION }],
      metadataProps: Object.entries(options.metadata ?? {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, value]) => ({ key, value })),
      graph: {
        name: options.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

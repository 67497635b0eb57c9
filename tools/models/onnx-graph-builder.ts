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

const elemType = (dtype: OnnxDtype): number =>
  dtype === 'float32' ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.INT64;

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

function rawBytes(data: Float32Array | BigInt64Array): Uint8Array {
  // Typed arrays are in platform byte order; ONNX raw_data is little-endian.
  if (endianness() !== 'LE') throw new Error('the ONNX writer only supports little-endian hosts');
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

export class OnnxGraphBuilder {
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

  floatInitializer(hint: string, dims: readonly number[], values: Float32Array | readonly number[]): string {
    return this.initializer(hint, dims, values instanceof Float32Array ? values : Float32Array.from(values));
  }

  int64Initializer(hint: string, dims: readonly number[], values: readonly number[]): string {
    return this.initializer(hint, dims, BigInt64Array.from(values, (v) => BigInt(v)));
  }

  /** Adds a node and returns the names of its outputs ('' inputs mean "optional input omitted"). */
  node(
    opType: string,
    inputs: readonly string[],
    attrs: Readonly<Record<string, Attr>> = {},
    options: { hint?: string; outputs?: number; outputNames?: readonly string[] } = {},
  ): string[] {
    const hint = options.hint ?? opType;
    const outputs = options.outputNames
      ? [...options.outputNames]
      : Array.from({ length: options.outputs ?? 1 }, () => this.uniqueName(hint));
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

import { NodeAttrs, parseInputRef, type TfGraphModel, type TfNode } from './tfjs-graph-model.ts';
import type { OnnxDim } from './onnx-graph-builder.ts';
import type { WeightTensor } from './tfjs-weights.ts';
import { floatConst, type Activation, type BinaryOp, type ConvParams, type FloatConst, type Tensor, type TfOpsEmitter, type TfPadding } from './tf-ops-emitter.ts';

/**
 * Translates a TF.js graph model (the op set of the MediaPipe face models and of HSE FaceRes, a
 * Keras MobileNet) node by node onto a {@link TfOpsEmitter}. Only the nodes the requested
 * outputs depend on are converted, so unused heads are pruned.
 *
 * Integer tensors (paddings, shapes, axes and the Shape -> StridedSlice -> Pack chains that
 * compute reshape targets) are evaluated at conversion time: the only unknown dimension in these
 * graphs is the batch, so every reshape target folds to a constant (the batch copied from the
 * input, at most one -1), and no shape arithmetic is left for ONNX Runtime to do per call.
 */

/** A small integer vector/scalar evaluated at conversion time; `null` marks the unknown batch size. */
interface Ints {
  readonly kind: 'ints';
  readonly shape: readonly number[]; // [] or [n]
  readonly values: readonly (number | null)[];
}

type Value = Tensor | FloatConst | Ints;

export interface GraphConversion {
  /** The graph input (already normalized as the TF model expects) fed to the Placeholder. */
  input: Tensor;
  /** TF node names to export, the ONNX output name of each, and its declared dims if not the nominal ones. */
  outputs: readonly { node: string; name: string; dims?: readonly OnnxDim[] }[];
}

const isTensor = (v: Value): v is Tensor => v.kind === 'tensor';

function describe(node: TfNode): string {
  return `${node.op} node ${node.name}`;
}

export function convertGraphModel(e: TfOpsEmitter, model: TfGraphModel, weights: ReadonlyMap<string, WeightTensor>, conversion: GraphConversion): void {
  const nodes = new Map<string, TfNode>(model.modelTopology.node.map((n) => [n.name, n]));
  const values = new Map<string, Value>();
  const placeholders = model.modelTopology.node.filter((n) => n.op === 'Placeholder');
  if (placeholders.length !== 1) throw new Error(`expected one Placeholder, found ${placeholders.length}`);

  const hintOf = (node: TfNode): string => node.name.replace(/^StatefulPartitionedCall\//, '');

  function tensor(node: TfNode, v: Value | undefined, what: string): Tensor {
    if (!v || !isTensor(v)) throw new Error(`${describe(node)}: ${what} must be a runtime tensor`);
    return v;
  }
  function fconst(node: TfNode, v: Value | undefined, what: string): FloatConst {
    if (v?.kind !== 'const') throw new Error(`${describe(node)}: ${what} must be a float constant`);
    return v;
  }
  function ints(node: TfNode, v: Value | undefined, what: string): Ints {
    if (v?.kind !== 'ints') throw new Error(`${describe(node)}: ${what} must be a constant integer tensor`);
    return v;
  }
  function knownInts(node: TfNode, v: Value | undefined, what: string): number[] {
    const i = ints(node, v, what);
    if (i.values.some((x) => x === null)) throw new Error(`${describe(node)}: ${what} depends on the batch size`);
    return i.values as number[];
  }

  function convParams(node: TfNode): ConvParams {
    const a = new NodeAttrs(node);
    if (a.string('data_format', 'NHWC') !== 'NHWC') throw new Error(`${describe(node)}: only NHWC is supported`);
    const strides = a.ints('strides');
    const dilations = a.has('dilations') ? a.ints('dilations') : [1, 1, 1, 1];
    const padding = a.string('padding');
    let pad: TfPadding;
    if (padding === 'SAME' || padding === 'VALID') pad = padding;
    else if (padding === 'EXPLICIT') {
      const p = a.ints('explicit_paddings'); // NHWC pairs
      pad = {
        explicit: [
          [p[2] ?? 0, p[3] ?? 0],
          [p[4] ?? 0, p[5] ?? 0],
        ],
      };
    } else throw new Error(`${describe(node)}: unknown padding ${padding}`);
    return {
      strides: [strides[1] ?? 1, strides[2] ?? 1],
      dilations: [dilations[1] ?? 1, dilations[2] ?? 1],
      padding: pad,
    };
  }

  /** BiasAdd plus the activation of a _Fused* op, from its fused_ops list and extra inputs. */
  function fusedTail(node: TfNode, args: Value[]): { bias: FloatConst | undefined; activation: Activation } {
    const a = new NodeAttrs(node);
    const fused = a.strings('fused_ops');
    let bias: FloatConst | undefined;
    let activation: Activation = { kind: 'none' };
    let next = 0;
    for (const op of fused) {
      if (op === 'BiasAdd') bias = fconst(node, args[next++], 'bias');
      else if (op === 'Relu') activation = { kind: 'relu' };
      else if (op === 'Relu6') activation = { kind: 'relu6' };
      else if (op === 'Sigmoid') activation = { kind: 'sigmoid' };
      else if (op === 'Prelu') activation = { kind: 'prelu', alpha: fconst(node, args[next++], 'prelu alpha') };
      else throw new Error(`${describe(node)}: fused op ${op} is not supported`);
    }
    return { bias, activation };
  }

  function weightValue(node: TfNode): Value {
    const w = weights.get(node.name);
    if (!w) throw new Error(`${describe(node)}: no weight of that name in the manifest`);
    if (w.dtype === 'float32') return floatConst(w.shape, w.data);
    // Integer constants (paddings [r, 2], shapes, axes) stay conversion-time values, row-major.
    return { kind: 'ints', shape: w.shape, values: Array.from(w.data) };
  }

  const commutative = (op: BinaryOp): boolean => op === 'Add' || op === 'Mul' || op === 'Min' || op === 'Max';

  function binary(node: TfNode, op: BinaryOp, x: Value | undefined, y: Value | undefined): Tensor {
    if (x && isTensor(x)) {
      if (y && (isTensor(y) || y.kind === 'const')) return e.binary(op, x, y, hintOf(node));
    } else if (y && isTensor(y) && x?.kind === 'const' && commutative(op)) {
      return e.binary(op, y, x, hintOf(node));
    }
    throw new Error(`${describe(node)}: unsupported operand kinds`);
  }

  function translate(node: TfNode, args: Value[]): Value {
    const a = new NodeAttrs(node);
    const hint = hintOf(node);
    switch (node.op) {
      case 'Placeholder':
        return conversion.input;
      case 'Const':
        return weightValue(node);
      case 'Identity':
        return args[0] as Value;
      case 'Pad':
      case 'PadV2': {
        const p = knownInts(node, args[1], 'paddings');
        const pairs: [number, number][] = [];
        for (let i = 0; i < p.length; i += 2) pairs.push([p[i] as number, p[i + 1] as number]);
        let value = 0;
        if (node.op === 'PadV2') {
          const c = fconst(node, args[2], 'constant value');
          value = c.data[0] ?? 0;
        }
        return e.pad(tensor(node, args[0], 'input'), pairs, hint, value);
      }
      case 'Conv2D':
      case '_FusedConv2D': {
        const { bias, activation } = node.op === '_FusedConv2D' ? fusedTail(node, args.slice(2)) : { bias: undefined, activation: { kind: 'none' } as const };
        return e.conv2d(tensor(node, args[0], 'input'), fconst(node, args[1], 'filter'), bias, convParams(node), activation, hint);
      }
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative': {
        const { bias, activation } = node.op === 'FusedDepthwiseConv2dNative' ? fusedTail(node, args.slice(2)) : { bias: undefined, activation: { kind: 'none' } as const };
        return e.depthwiseConv2d(tensor(node, args[0], 'input'), fconst(node, args[1], 'filter'), bias, convParams(node), activation, hint);
      }
      case 'Add':
      case 'AddV2':
      case 'BiasAdd':
        return binary(node, 'Add', args[0], args[1]);
      case 'Sub':
        return binary(node, 'Sub', args[0], args[1]);
      case 'Mul':
        return binary(node, 'Mul', args[0], args[1]);
      case 'RealDiv':
        return binary(node, 'Div', args[0], args[1]);
      // Keras exports ReLU6 (clip_by_value) as Relu -> Minimum(6) -> Maximum(0).
      case 'Minimum':
        return binary(node, 'Min', args[0], args[1]);
      case 'Maximum':
        return binary(node, 'Max', args[0], args[1]);
      case 'Mean':
        return e.reduceMean(tensor(node, args[0], 'input'), knownInts(node, args[1], 'reduction indices'), a.bool('keep_dims'), hint);
      case 'MatMul':
      case '_FusedMatMul': {
        if (a.bool('transpose_a') || a.bool('transpose_b')) throw new Error(`${describe(node)}: transposed operands are not supported`);
        const { bias, activation } = node.op === '_FusedMatMul' ? fusedTail(node, args.slice(2)) : { bias: undefined, activation: { kind: 'none' } as const };
        let y = e.matMul(tensor(node, args[0], 'input'), fconst(node, args[1], 'weights'), hint);
        if (bias) y = e.binary('Add', y, bias, `${hint}/bias`);
        return e.activate(y, activation, hint);
      }
      case 'Relu':
        return e.activate(tensor(node, args[0], 'input'), { kind: 'relu' }, hint);
      case 'Relu6':
        return e.activate(tensor(node, args[0], 'input'), { kind: 'relu6' }, hint);
      case 'Sigmoid':
        return e.activate(tensor(node, args[0], 'input'), { kind: 'sigmoid' }, hint);
      case 'Prelu':
        return e.activate(tensor(node, args[0], 'input'), { kind: 'prelu', alpha: fconst(node, args[1], 'alpha') }, hint);
      case 'MaxPool':
      case 'AvgPool': {
        const k = a.ints('ksize');
        return e.pool(node.op === 'MaxPool' ? 'max' : 'avg', tensor(node, args[0], 'input'), [k[1] ?? 1, k[2] ?? 1], convParams(node), hint);
      }
      case 'ResizeBilinear': {
        const size = knownInts(node, args[1], 'size');
        return e.resizeBilinear(
          tensor(node, args[0], 'input'),
          [size[0] as number, size[1] as number],
          { alignCorners: a.bool('align_corners'), halfPixelCenters: a.bool('half_pixel_centers') },
          hint,
        );
      }
      case 'DepthToSpace':
        if (a.string('data_format', 'NHWC') !== 'NHWC') throw new Error(`${describe(node)}: only NHWC is supported`);
        return e.depthToSpace(tensor(node, args[0], 'input'), a.int('block_size'), hint);
      case 'Shape': {
        const x = tensor(node, args[0], 'input');
        return { kind: 'ints', shape: [x.shape.length], values: [...x.shape] };
      }
      case 'StridedSlice':
        return stridedSlice(node, ints(node, args[0], 'input'), knownInts(node, args[1], 'begin'), knownInts(node, args[2], 'end'), knownInts(node, args[3], 'strides'));
      case 'Pack': {
        if (a.int('axis', 0) !== 0) throw new Error(`${describe(node)}: only axis 0 is supported`);
        const parts = args.map((v, i) => ints(node, v, `value ${i}`));
        if (parts.some((p) => p.shape.length !== 0)) throw new Error(`${describe(node)}: only packing scalars is supported`);
        return { kind: 'ints', shape: [parts.length], values: parts.map((p) => p.values[0] ?? null) };
      }
      case 'Reshape': {
        const x = tensor(node, args[0], 'input');
        const target = ints(node, args[1], 'shape').values;
        // A target like [batch, -1, 16] reads the batch from a Shape at run time. ONNX's 0 copies
        // it from the input, so the -1 keeps following the input's size as it does in TF.
        const batchFromInput = target[0] === null && x.shape[0] === null;
        const onnxTarget = target.map((d, i) => (i === 0 && batchFromInput ? 0 : (d ?? -1)));
        if (onnxTarget.filter((d) => d === -1).length > 1) throw new Error(`${describe(node)}: reshape target [${target}] has more than one unknown dimension`);
        return e.reshape(x, onnxTarget, hint);
      }
      case 'ConcatV2': {
        const axis = knownInts(node, args[args.length - 1], 'axis')[0] as number;
        const xs = args.slice(0, -1).map((v, i) => tensor(node, v, `value ${i}`));
        return e.concat(xs, axis, hint);
      }
      default:
        throw new Error(`${describe(node)}: op ${node.op} is not supported by the converter`);
    }
  }

  function stridedSlice(node: TfNode, x: Ints, begin: number[], end: number[], strides: number[]): Ints {
    const a = new NodeAttrs(node);
    if (a.int('ellipsis_mask', 0) !== 0 || a.int('new_axis_mask', 0) !== 0) throw new Error(`${describe(node)}: ellipsis/new-axis masks are not supported`);
    if (x.shape.length !== 1 || begin.length !== 1) throw new Error(`${describe(node)}: only 1-D integer slices are supported`);
    const n = x.shape[0] as number;
    const stride = strides[0] ?? 1;
    if (stride <= 0) throw new Error(`${describe(node)}: only positive strides are supported`);
    const norm = (i: number): number => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
    const b = a.int('begin_mask', 0) & 1 ? 0 : norm(begin[0] ?? 0);
    if (a.int('shrink_axis_mask', 0) & 1) return { kind: 'ints', shape: [], values: [x.values[b] ?? null] };
    const en = a.int('end_mask', 0) & 1 ? n : norm(end[0] ?? n);
    const out: (number | null)[] = [];
    for (let i = b; i < en; i += stride) out.push(x.values[i] ?? null);
    return { kind: 'ints', shape: [out.length], values: out };
  }

  /** The one runtime input of a node, and its constant scalar input's value, if it has exactly those two. */
  function withScalar(node: TfNode | undefined): { input: string; scalar: number } | undefined {
    const refs = (node?.input ?? []).map(parseInputRef).filter((r) => !r.control);
    if (refs.length !== 2 || refs.some((r) => r.index !== 0)) return undefined;
    const scalarAt = refs.findIndex((r) => {
      const w = weights.get(r.node);
      return nodes.get(r.node)?.op === 'Const' && w?.dtype === 'float32' && w.data.length === 1;
    });
    if (scalarAt < 0) return undefined;
    return { input: refs[1 - scalarAt]!.node, scalar: weights.get(refs[scalarAt]!.node)!.data[0]! };
  }

  /**
   * Keras's ReLU6 arrives as Relu -> Minimum(6) -> Maximum(0): three ops, of which ONNX Runtime
   * fuses only the Relu into the convolution before it, so the other two run on their own and
   * take each activation out of the runtime's blocked (NCHWc) layout and back, in every layer.
   * One Clip(0, 6) is the same function (max(min(relu(x), 6), 0) = min(max(x, 0), 6) for every
   * number), and it fuses whole. Returns the Relu's input when `node` ends such a chain.
   */
  function relu6Input(node: TfNode): string | undefined {
    if (node.op !== 'Maximum') return undefined;
    const max = withScalar(node);
    if (max?.scalar !== 0) return undefined;
    const minNode = nodes.get(max.input);
    const min = minNode?.op === 'Minimum' ? withScalar(minNode) : undefined;
    if (min?.scalar !== 6) return undefined;
    const relu = nodes.get(min.input);
    const refs = (relu?.input ?? []).map(parseInputRef).filter((r) => !r.control);
    return relu?.op === 'Relu' && refs.length === 1 && refs[0]!.index === 0 ? refs[0]!.node : undefined;
  }

  // Depth-first over the inputs of the requested outputs: converts only what they need, in a
  // deterministic order (inputs before consumers, in TF input order).
  const visiting = new Set<string>();
  function argsOf(node: TfNode): Value[] {
    const args: Value[] = [];
    for (const ref of node.input ?? []) {
      const r = parseInputRef(ref);
      if (r.control) continue;
      if (r.index !== 0) throw new Error(`${describe(node)}: multi-output producers are not supported (${ref})`);
      args.push(evaluate(r.node));
    }
    return args;
  }

  function evaluate(name: string): Value {
    const done = values.get(name);
    if (done) return done;
    const node = nodes.get(name);
    if (!node) throw new Error(`graph references unknown node ${name}`);
    if (visiting.has(name)) throw new Error(`graph has a cycle through ${name}`);
    visiting.add(name);
    const clipped = relu6Input(node);
    const v = clipped === undefined ? translate(node, argsOf(node)) : e.activate(tensor(node, evaluate(clipped), 'input'), { kind: 'relu6' }, hintOf(node));
    visiting.delete(name);
    values.set(name, v);
    return v;
  }

  for (const { node, name, dims } of conversion.outputs) {
    const v = evaluate(node);
    if (!isTensor(v)) throw new Error(`output ${node} is not a runtime tensor`);
    e.output(v, name, dims);
  }
}

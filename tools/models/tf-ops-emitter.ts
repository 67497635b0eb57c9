import { attr, type Attr, type OnnxDim, type OnnxDtype, type OnnxGraphBuilder } from './onnx-graph-builder.ts';

/**
 * Emits ONNX nodes for TensorFlow-semantics operations.
 *
 * Callers think in TF terms: 4-D activations are NHWC, filters are HWIO, axes and paddings are
 * given in NHWC order. ONNX convolutions and pools are NCHW-only, so each 4-D value also carries
 * the *physical* layout it has in the ONNX graph:
 *  - 'track' mode (the default): spatial ops produce NCHW and values stay NCHW through
 *    element-wise ops; a Transpose is inserted only where the NHWC memory order matters
 *    (graph input/outputs, Reshape, Concat across layouts). This keeps the graph free of
 *    per-layer transposes.
 *  - 'wrap' mode: every spatial op is wrapped in NHWC->NCHW->NHWC transposes, the naive
 *    translation, kept to measure whether ONNX Runtime's transpose optimizer makes tracking
 *    unnecessary.
 */

export type Dim = number | null;
export type Layout = 'NHWC' | 'NCHW' | 'plain';
export type LayoutMode = 'track' | 'wrap';

/** A runtime value in the ONNX graph. `shape` is always the logical (TF, NHWC) shape. */
export interface Tensor {
  readonly kind: 'tensor';
  readonly name: string;
  readonly dtype: OnnxDtype;
  readonly shape: readonly Dim[];
  readonly layout: Layout;
}

/** A float constant known at conversion time, in TF layout. */
export interface FloatConst {
  readonly kind: 'const';
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export type TfPadding = 'SAME' | 'VALID' | { explicit: readonly [readonly [number, number], readonly [number, number]] };

export interface ConvParams {
  strides: readonly [number, number];
  padding: TfPadding;
  dilations?: readonly [number, number];
}

/** ONNX element-wise ops with TF's broadcasting: TF Add/Sub/Mul/RealDiv/Minimum/Maximum. */
export type BinaryOp = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Min' | 'Max';

export type Activation = { kind: 'none' } | { kind: 'relu' } | { kind: 'relu6' } | { kind: 'sigmoid' } | { kind: 'prelu'; alpha: FloatConst };

const NHWC_TO_NCHW = [0, 3, 1, 2] as const;
const NCHW_TO_NHWC = [0, 2, 3, 1] as const;
/** Where a logical NHWC axis lives in an NCHW tensor. */
const NCHW_POSITION_OF_NHWC_AXIS = [0, 2, 3, 1] as const;

export const floatConst = (shape: readonly number[], data: Float32Array): FloatConst => {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new Error(`constant of shape [${shape}] needs ${size} values, got ${data.length}`);
  return { kind: 'const', shape, data };
};

/** Output size and [top, left, bottom, right] pads of a TF convolution/pool over H and W. */
export function convGeometry(
  input: readonly [number, number],
  kernel: readonly [number, number],
  params: ConvParams,
): { out: [number, number]; pads: [number, number, number, number] } {
  const dilations = params.dilations ?? [1, 1];
  const out: [number, number] = [0, 0];
  const before: [number, number] = [0, 0];
  const after: [number, number] = [0, 0];
  for (const d of [0, 1] as const) {
    const size = input[d];
    const stride = params.strides[d];
    const effective = (kernel[d] - 1) * dilations[d] + 1;
    if (params.padding === 'SAME') {
      out[d] = Math.ceil(size / stride);
      // TF puts the odd pixel of padding after (bottom/right), like ONNX SAME_UPPER.
      const total = Math.max((out[d] - 1) * stride + effective - size, 0);
      before[d] = Math.floor(total / 2);
      after[d] = total - before[d];
    } else if (params.padding === 'VALID') {
      out[d] = Math.ceil((size - effective + 1) / stride);
    } else {
      const [b, a] = params.padding.explicit[d];
      before[d] = b;
      after[d] = a;
      out[d] = Math.floor((size + b + a - effective) / stride) + 1;
    }
    if (out[d] < 1) throw new Error(`convolution output would be empty (input ${size}, kernel ${kernel[d]}, stride ${stride})`);
  }
  return { out, pads: [before[0], before[1], after[0], after[1]] };
}

/** Transposes a dense 4-D array; `perm[i]` is the input axis that becomes output axis i. */
export function transpose4d(data: Float32Array, shape: readonly number[], perm: readonly number[]): { shape: number[]; data: Float32Array } {
  if (shape.length !== 4 || perm.length !== 4) throw new Error('transpose4d needs rank 4');
  const outShape = perm.map((p) => shape[p] as number);
  const inStrides = [shape[1]! * shape[2]! * shape[3]!, shape[2]! * shape[3]!, shape[3]!, 1];
  const strides = perm.map((p) => inStrides[p] as number);
  const out = new Float32Array(data.length);
  let i = 0;
  for (let a = 0; a < outShape[0]!; a++)
    for (let b = 0; b < outShape[1]!; b++)
      for (let c = 0; c < outShape[2]!; c++)
        for (let d = 0; d < outShape[3]!; d++) out[i++] = data[a * strides[0]! + b * strides[1]! + c * strides[2]! + d * strides[3]!] as number;
  return { shape: outShape, data: out };
}

function broadcastShapes(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  // A missing leading axis broadcasts like 1; null (the unknown batch) must stay null.
  const at = (s: readonly Dim[], i: number): Dim => (i >= 0 ? (s[i] as Dim) : 1);
  for (let i = 0; i < rank; i++) {
    const x = at(a, a.length - rank + i);
    const y = at(b, b.length - rank + i);
    if (x === 1) out.push(y);
    else if (y === 1 || x === y) out.push(x);
    else if (x === null || y === null) out.push(x ?? y);
    else throw new Error(`cannot broadcast [${a}] with [${b}]`);
  }
  return out;
}

const onnxDims = (shape: readonly Dim[]): (number | string)[] => shape.map((d) => (d === null ? 'N' : d));

function staticHW(t: Tensor, op: string): [number, number] {
  const [, h, w] = t.shape;
  if (t.shape.length !== 4 || typeof h !== 'number' || typeof w !== 'number') {
    throw new Error(`${op} needs a 4-D input with static height and width, got [${t.shape}]`);
  }
  return [h, w];
}

export class TfOpsEmitter {
  private readonly layoutCache = new Map<string, Tensor>();

  constructor(
    readonly builder: OnnxGraphBuilder,
    readonly mode: LayoutMode = 'track',
  ) {}

  // ---- graph boundary ----------------------------------------------------------------------

  /**
   * A float graph input in NHWC (or any rank, 'plain'). `declared` may name dimensions the graph
   * takes at any size (a fully convolutional model's height and width); `shape` keeps their
   * nominal size for the converter's own bookkeeping.
   */
  input(name: string, shape: readonly Dim[], declared: readonly OnnxDim[] = onnxDims(shape)): Tensor {
    this.builder.graphInput(name, 'float32', declared);
    return { kind: 'tensor', name, dtype: 'float32', shape, layout: shape.length === 4 ? 'NHWC' : 'plain' };
  }

  /** Publishes `t` as graph output `name`, in NHWC order for 4-D values; `declared` as for inputs. */
  output(t: Tensor, name: string, declared?: readonly OnnxDim[]): void {
    const v = this.toLayout(t, 'NHWC');
    this.builder.reserveName(name);
    this.builder.node('Identity', [v.name], {}, { outputNames: [name] });
    this.builder.graphOutput(name, v.dtype, declared ?? onnxDims(v.shape));
  }

  // ---- layout ------------------------------------------------------------------------------

  toLayout(t: Tensor, layout: 'NHWC' | 'NCHW'): Tensor {
    if (t.layout === 'plain' || t.layout === layout) return t;
    const key = `${t.name}->${layout}`;
    const cached = this.layoutCache.get(key);
    if (cached) return cached;
    const perm = layout === 'NCHW' ? NHWC_TO_NCHW : NCHW_TO_NHWC;
    const name = this.builder.op('Transpose', [t.name], { perm: attr.ints(perm) }, `${t.name}/${layout}`);
    const out: Tensor = { ...t, name, layout };
    this.layoutCache.set(key, out);
    return out;
  }

  nchw(t: Tensor): Tensor {
    return this.toLayout(t, 'NCHW');
  }

  nhwc(t: Tensor): Tensor {
    return this.toLayout(t, 'NHWC');
  }

  /** The float result `name` of an NCHW-native op: kept NCHW, or back to NHWC in wrap mode. */
  private spatial(name: string, shape: readonly Dim[]): Tensor {
    const t: Tensor = { kind: 'tensor', name, dtype: 'float32', shape, layout: 'NCHW' };
    return this.mode === 'wrap' ? this.nhwc(t) : t;
  }

  /**
   * An initializer for constant `c` that broadcasts against `target`'s physical tensor the way
   * `c` broadcasts against its logical (NHWC) shape.
   */
  constFor(c: FloatConst, target: Tensor, hint: string): string {
    if (target.layout !== 'NCHW' || c.shape.length === 0) return this.builder.floatInitializer(hint, c.shape, c.data);
    if (c.shape.length > 4) throw new Error(`constant of rank ${c.shape.length} against a 4-D tensor`);
    const shape4 = [...Array<number>(4 - c.shape.length).fill(1), ...c.shape];
    const t = transpose4d(c.data, shape4, NHWC_TO_NCHW);
    return this.builder.floatInitializer(hint, t.shape, t.data);
  }

  // ---- convolutions ------------------------------------------------------------------------

  /** TF Conv2D: `filter` is HWIO [kh, kw, in, out]; optional bias and fused activation. */
  conv2d(x: Tensor, filter: FloatConst, bias: FloatConst | undefined, params: ConvParams, activation: Activation, hint: string): Tensor {
    const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
    if (filter.shape.length !== 4 || x.shape[3] !== cin) throw new Error(`${hint}: filter [${filter.shape}] does not fit input [${x.shape}]`);
    const oihw = transpose4d(filter.data, filter.shape, [3, 2, 0, 1]);
    const w = this.builder.floatInitializer(`${hint}/W`, oihw.shape, oihw.data);
    return this.convCommon(x, w, [kh, kw], cout, 1, bias, params, activation, hint);
  }

  /** TF DepthwiseConv2dNative: `filter` is [kh, kw, in, multiplier]; out channel = c * multiplier + m. */
  depthwiseConv2d(x: Tensor, filter: FloatConst, bias: FloatConst | undefined, params: ConvParams, activation: Activation, hint: string): Tensor {
    const [kh, kw, cin, mult] = filter.shape as [number, number, number, number];
    if (filter.shape.length !== 4 || x.shape[3] !== cin) throw new Error(`${hint}: filter [${filter.shape}] does not fit input [${x.shape}]`);
    // As a grouped conv (group = in): weight [in * mult, 1, kh, kw], [c*mult+m, 0, i, j] = filter[i, j, c, m].
    const t = transpose4d(filter.data, filter.shape, [2, 3, 0, 1]);
    const w = this.builder.floatInitializer(`${hint}/W`, [cin * mult, 1, kh, kw], t.data);
    return this.convCommon(x, w, [kh, kw], cin * mult, cin, bias, params, activation, hint);
  }

  private convCommon(
    x: Tensor,
    weight: string,
    kernel: [number, number],
    cout: number,
    group: number,
    bias: FloatConst | undefined,
    params: ConvParams,
    activation: Activation,
    hint: string,
  ): Tensor {
    const { out, pads } = convGeometry(staticHW(x, hint), kernel, params);
    const inputs = [this.nchw(x).name, weight];
    if (bias) {
      if (bias.data.length !== cout) throw new Error(`${hint}: bias has ${bias.data.length} values for ${cout} channels`);
      inputs.push(this.builder.floatInitializer(`${hint}/B`, [cout], bias.data));
    }
    const name = this.builder.op(
      'Conv',
      inputs,
      {
        kernel_shape: attr.ints(kernel),
        strides: attr.ints(params.strides),
        dilations: attr.ints(params.dilations ?? [1, 1]),
        pads: attr.ints(pads),
        group: attr.int(group),
      },
      hint,
    );
    const y: Tensor = { kind: 'tensor', name, dtype: 'float32', shape: [x.shape[0] ?? null, out[0], out[1], cout], layout: 'NCHW' };
    // Activate before leaving NCHW so wrap mode pays one transpose per conv, not two.
    const activated = this.activate(y, activation, hint);
    return this.spatial(activated.name, activated.shape);
  }

  // ---- element-wise ------------------------------------------------------------------------

  activate(x: Tensor, activation: Activation, hint: string): Tensor {
    switch (activation.kind) {
      case 'none':
        return x;
      case 'relu':
        return { ...x, name: this.builder.op('Relu', [x.name], {}, `${hint}/relu`) };
      case 'sigmoid':
        return { ...x, name: this.builder.op('Sigmoid', [x.name], {}, `${hint}/sigmoid`) };
      case 'relu6': {
        const lo = this.builder.floatInitializer(`${hint}/relu6_min`, [], [0]);
        const hi = this.builder.floatInitializer(`${hint}/relu6_max`, [], [6]);
        return { ...x, name: this.builder.op('Clip', [x.name, lo, hi], {}, `${hint}/relu6`) };
      }
      case 'prelu': {
        const perChannel = this.perChannelPrelu(x, activation.alpha, hint);
        if (perChannel) return perChannel;
        // TF.js Prelu: x < 0 ? alpha * x : x, alpha broadcast over NHWC (usually [1, 1, C]).
        const slope = this.constFor(activation.alpha, x, `${hint}/alpha`);
        return { ...x, name: this.builder.op('PRelu', [x.name, slope], {}, `${hint}/prelu`) };
      }
    }
  }

  /**
   * A per-channel PRelu on an NCHW tensor as alpha * x + (1 - alpha) * Relu(x), the two products
   * as 1x1 depthwise convolutions: equal to PRelu for every x, and made only of ops ONNX Runtime
   * runs in its blocked NCHWc layout (the Add fuses into the second conv). Its PRelu kernel is not,
   * so each PRelu cost a reorder out of that layout and back, and a slow kernel: the FaceMesh
   * landmark model's 23 PRelus made it 1.4x slower than this. Undefined when alpha is not one value
   * per channel (then PRelu stays).
   */
  private perChannelPrelu(x: Tensor, alpha: FloatConst, hint: string): Tensor | undefined {
    const channels = x.shape[3];
    const oneValuePerChannel = typeof channels === 'number' && alpha.data.length === channels && alpha.shape.slice(0, -1).every((d) => d === 1);
    if (x.layout !== 'NCHW' || !oneValuePerChannel) return undefined;
    const scale = (name: string, input: string, weights: Float32Array): string =>
      this.builder.op(
        'Conv',
        [input, this.builder.floatInitializer(`${hint}/${name}/W`, [channels, 1, 1, 1], weights)],
        { kernel_shape: attr.ints([1, 1]), strides: attr.ints([1, 1]), pads: attr.ints([0, 0, 0, 0]), group: attr.int(channels) },
        `${hint}/${name}`,
      );
    const slopes = Float32Array.from(alpha.data);
    const linear = scale('prelu_linear', x.name, slopes);
    const relu = this.builder.op('Relu', [x.name], {}, `${hint}/prelu_relu`);
    const rectified = scale(
      'prelu_rectified',
      relu,
      slopes.map((v) => 1 - v),
    );
    return { ...x, name: this.builder.op('Add', [rectified, linear], {}, `${hint}/prelu`) };
  }

  /** Add/Sub/Mul/Div and element-wise Min/Max with numpy broadcasting over the logical shapes. */
  binary(op: BinaryOp, a: Tensor, b: Tensor | FloatConst, hint: string): Tensor {
    if (b.kind === 'const') {
      const c = this.constFor(b, a, `${hint}/const`);
      return { ...a, name: this.builder.op(op, [a.name, c], {}, hint), shape: broadcastShapes(a.shape, b.shape) };
    }
    let [x, y] = [a, b];
    if (x.layout !== y.layout) {
      if (x.shape.length !== 4 || y.shape.length !== 4) throw new Error(`${hint}: mixing a 4-D tensor with a lower-rank runtime tensor is not supported`);
      const target = x.layout === 'NCHW' || y.layout === 'NCHW' ? 'NCHW' : 'NHWC';
      x = this.toLayout(x, target);
      y = this.toLayout(y, target);
    }
    return { ...x, name: this.builder.op(op, [x.name, y.name], {}, hint), shape: broadcastShapes(x.shape, y.shape) };
  }

  /**
   * Picks and reorders the channels of a 4-D tensor (`order[i]` is the input channel that becomes
   * channel i), e.g. [2, 1, 0] turns RGB into BGR, in whichever layout the tensor is.
   */
  selectChannels(x: Tensor, order: readonly number[], hint: string): Tensor {
    const c = x.shape[3];
    if (x.shape.length !== 4 || typeof c !== 'number' || order.some((i) => !Number.isInteger(i) || i < 0 || i >= c)) {
      throw new Error(`${hint}: cannot select channels [${order}] of [${x.shape}]`);
    }
    const indices = this.builder.int64Initializer(`${hint}/indices`, [order.length], order);
    const axis = x.layout === 'NCHW' ? 1 : 3;
    const name = this.builder.op('Gather', [x.name, indices], { axis: attr.int(axis) }, hint);
    return { ...x, name, shape: [x.shape[0] ?? null, x.shape[1] ?? null, x.shape[2] ?? null, order.length] };
  }

  // ---- shape ops -----------------------------------------------------------------------------

  /** TF Pad with constant value; `paddings[i] = [before, after]` for logical axis i. */
  pad(x: Tensor, paddings: readonly (readonly [number, number])[], hint: string, value = 0): Tensor {
    if (paddings.length !== x.shape.length) throw new Error(`${hint}: ${paddings.length} paddings for rank ${x.shape.length}`);
    if (paddings.every(([b, a]) => b === 0 && a === 0)) return x;
    const physical = x.layout === 'NCHW' ? NHWC_TO_NCHW.map((p) => paddings[p] as readonly [number, number]) : paddings;
    const pads = this.builder.int64Initializer(`${hint}/pads`, [physical.length * 2], [...physical.map((p) => p[0]), ...physical.map((p) => p[1])]);
    const inputs = [x.name, pads];
    if (value !== 0) inputs.push(this.builder.floatInitializer(`${hint}/value`, [], [value]));
    const name = this.builder.op('Pad', inputs, { mode: attr.string('constant') }, hint);
    const shape = x.shape.map((d, i) => (d === null ? null : d + paddings[i]![0] + paddings[i]![1]));
    return { ...x, name, shape };
  }

  /**
   * TF Reshape; `target` may hold one -1, and 0 where a dimension is copied from the input (ONNX's
   * meaning). A 4-D NCHW input is first put back in NHWC order.
   */
  reshape(x: Tensor, target: readonly number[], hint: string): Tensor {
    let src = x;
    if (x.layout === 'NCHW') {
      // With one channel or a 1x1 image, NCHW and NHWC have the same memory order.
      const [, h, w, c] = x.shape;
      const sameOrder = c === 1 || (h === 1 && w === 1);
      if (!sameOrder) src = this.nhwc(x);
    }
    // Copied dimensions cancel out of the element count the -1 is inferred from.
    const inferredFrom = src.shape.filter((_, i) => target[i] !== 0);
    const known = inferredFrom.every((d) => d !== null) ? (inferredFrom as number[]).reduce((a, b) => a * b, 1) : null;
    const rest = target.filter((d) => d !== -1 && d !== 0).reduce((a, b) => a * b, 1);
    const shape: Dim[] = target.map((d, i) => (d === 0 ? (src.shape[i] ?? null) : d !== -1 ? d : known === null ? null : known / rest));
    const shapeInit = this.builder.int64Initializer(`${hint}/shape`, [target.length], target);
    const name = this.builder.op('Reshape', [src.name, shapeInit], {}, hint);
    return { kind: 'tensor', name, dtype: src.dtype, shape, layout: shape.length === 4 ? 'NHWC' : 'plain' };
  }

  concat(xs: readonly Tensor[], axis: number, hint: string): Tensor {
    const first = xs[0];
    if (!first) throw new Error(`${hint}: concat of nothing`);
    const rank = first.shape.length;
    const a = axis < 0 ? axis + rank : axis;
    let inputs = [...xs];
    let physicalAxis = a;
    let layout: Layout = 'plain';
    if (rank === 4) {
      layout = xs.some((x) => x.layout === 'NCHW') && this.mode === 'track' ? 'NCHW' : 'NHWC';
      const target = layout;
      inputs = xs.map((x) => this.toLayout(x, target));
      physicalAxis = layout === 'NCHW' ? (NCHW_POSITION_OF_NHWC_AXIS[a] as number) : a;
    }
    const shape = first.shape.map((d, i) => {
      if (i !== a) return d;
      const dims = xs.map((x) => x.shape[i]);
      return dims.some((v) => v === null || v === undefined) ? null : (dims as number[]).reduce((p, q) => p + q, 0);
    });
    const name = this.builder.op(
      'Concat',
      inputs.map((x) => x.name),
      { axis: attr.int(physicalAxis) },
      hint,
    );
    return { kind: 'tensor', name, dtype: first.dtype, shape, layout };
  }

  // ---- pooling / resampling ------------------------------------------------------------------

  pool(kind: 'max' | 'avg', x: Tensor, ksize: readonly [number, number], params: ConvParams, hint: string): Tensor {
    const { out, pads } = convGeometry(staticHW(x, hint), ksize, params);
    const attrs: Record<string, Attr> = { kernel_shape: attr.ints(ksize), strides: attr.ints(params.strides), pads: attr.ints(pads) };
    // TF's SAME average pool divides by the number of real (unpadded) pixels.
    if (kind === 'avg') attrs['count_include_pad'] = attr.int(0);
    const name = this.builder.op(kind === 'max' ? 'MaxPool' : 'AveragePool', [this.nchw(x).name], attrs, hint);
    return this.spatial(name, [x.shape[0] ?? null, out[0], out[1], x.shape[3] ?? null]);
  }

  resizeBilinear(x: Tensor, size: readonly [number, number], options: { alignCorners: boolean; halfPixelCenters: boolean }, hint: string): Tensor {
    const [h, w] = staticHW(x, hint);
    const mode = options.alignCorners ? 'align_corners' : options.halfPixelCenters ? 'half_pixel' : 'asymmetric';
    const src = this.nchw(x);
    const scaleH = Math.fround(size[0] / h);
    const scaleW = Math.fround(size[1] / w);
    let sizing: string[];
    if (h * scaleH === size[0] && w * scaleW === size[1]) {
      // Exact float scales (e.g. the 2x upsamplings): constant scales, which ORT's NCHWc
      // optimizer turns into its fast Upsample.
      sizing = ['', this.builder.floatInitializer(`${hint}/scales`, [4], [1, 1, scaleH, scaleW])];
    } else {
      // Otherwise float rounding could make floor(in * scale) miss the size by one: give sizes,
      // whose batch dimension must come from the runtime shape (opset 13 wants all four).
      const shape = this.builder.op('Shape', [src.name], {}, `${hint}/shape`);
      const starts = this.builder.int64Initializer(`${hint}/nc_start`, [1], [0]);
      const ends = this.builder.int64Initializer(`${hint}/nc_end`, [1], [2]);
      const nc = this.builder.op('Slice', [shape, starts, ends], {}, `${hint}/nc`);
      const hw = this.builder.int64Initializer(`${hint}/hw`, [2], size);
      sizing = ['', '', this.builder.op('Concat', [nc, hw], { axis: attr.int(0) }, `${hint}/sizes`)];
    }
    const name = this.builder.op('Resize', [src.name, ...sizing], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string(mode) }, hint);
    return this.spatial(name, [x.shape[0] ?? null, size[0], size[1], x.shape[3] ?? null]);
  }

  depthToSpace(x: Tensor, block: number, hint: string): Tensor {
    const [h, w] = staticHW(x, hint);
    const c = x.shape[3];
    if (typeof c !== 'number' || c % (block * block) !== 0) throw new Error(`${hint}: ${c} channels not divisible by ${block}^2`);
    // TF's NHWC DepthToSpace orders depth as (block_row, block_col, channel): ONNX mode DCR.
    const name = this.builder.op('DepthToSpace', [this.nchw(x).name], { blocksize: attr.int(block), mode: attr.string('DCR') }, hint);
    return this.spatial(name, [x.shape[0] ?? null, h * block, w * block, c / (block * block)]);
  }

  /** Mean over H and W of a 4-D tensor -> [N, C]. */
  meanSpatial(x: Tensor, hint: string): Tensor {
    const pooled = this.builder.op('GlobalAveragePool', [this.nchw(x).name], {}, hint);
    const name = this.builder.op('Flatten', [pooled], { axis: attr.int(1) }, `${hint}/flatten`);
    return { kind: 'tensor', name, dtype: 'float32', shape: [x.shape[0] ?? null, x.shape[3] ?? null], layout: 'plain' };
  }

  /**
   * TF Mean over logical `axes` (negative counts from the end). A 4-D NCHW value is reduced in
   * place when what is left keeps the same order in both layouts (the spatial mean, or keep_dims);
   * otherwise it goes back to NHWC first.
   */
  reduceMean(x: Tensor, axes: readonly number[], keepDims: boolean, hint: string): Tensor {
    const rank = x.shape.length;
    const logical = [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
    if (logical.length === 0 || logical.some((a) => a < 0 || a >= rank)) throw new Error(`${hint}: axes [${axes}] do not fit rank ${rank}`);
    let src = x;
    if (x.layout === 'NCHW' && !keepDims && !(logical.includes(1) && logical.includes(2))) src = this.nhwc(x);
    const physical = src.layout === 'NCHW' ? logical.map((a) => NCHW_POSITION_OF_NHWC_AXIS[a] as number).sort((p, q) => p - q) : logical;
    const name = this.builder.op('ReduceMean', [src.name], { axes: attr.ints(physical), keepdims: attr.int(keepDims ? 1 : 0) }, hint);
    const shape = keepDims ? src.shape.map((d, i) => (logical.includes(i) ? 1 : d)) : src.shape.filter((_, i) => !logical.includes(i));
    const layout: Layout = keepDims && rank === 4 ? src.layout : 'plain';
    return { kind: 'tensor', name, dtype: 'float32', shape, layout };
  }

  /** [N, K] x constant [K, M]. */
  matMul(x: Tensor, w: FloatConst, hint: string): Tensor {
    if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[0]) {
      throw new Error(`${hint}: cannot multiply [${x.shape}] by [${w.shape}]`);
    }
    const weight = this.builder.floatInitializer(`${hint}/W`, w.shape, w.data);
    const name = this.builder.op('MatMul', [x.name, weight], {}, hint);
    return { kind: 'tensor', name, dtype: 'float32', shape: [x.shape[0] ?? null, w.shape[1] as number], layout: 'plain' };
  }
}

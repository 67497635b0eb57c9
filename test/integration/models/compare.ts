/** Error measures for comparing a converted model's outputs with its TF.js original. */

export interface Difference {
  /** Largest |onnx - tfjs| over all elements. */
  maxAbs: number;
  /** Largest |tfjs| (the output's scale). */
  scale: number;
  /** maxAbs / max(scale, 1e-6). */
  relative: number;
}

export function difference(onnx: ArrayLike<number>, tfjs: ArrayLike<number>): Difference {
  if (onnx.length !== tfjs.length) throw new Error(`length ${onnx.length} vs ${tfjs.length}`);
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < tfjs.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs((onnx[i] as number) - (tfjs[i] as number)));
    scale = Math.max(scale, Math.abs(tfjs[i] as number));
  }
  return { maxAbs, scale, relative: maxAbs / Math.max(scale, 1e-6) };
}

export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] as number) - (b[i] as number)) ** 2;
  return Math.sqrt(sum);
}

/** Element-wise logistic function. */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

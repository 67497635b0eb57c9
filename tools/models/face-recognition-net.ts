import { floatWeight, type WeightTensor } from './tfjs-weights.ts';
import { floatConst, type FloatConst, type Tensor, type TfOpsEmitter } from './tf-ops-emitter.ts';

/**
 * face-api's FaceRecognitionNet (the dlib ResNet-29 port, 150x150 RGB -> 128-D), rebuilt as an
 * ONNX graph. face-api ships only a weights manifest and builds the network in code; this
 * mirrors `@vladmandic/face-api/src/faceRecognitionNet` layer for layer:
 *
 *   x = (rgb - [122.782, 117.001, 104.298]) / 255
 *   convDown 7x7/2 VALID (32) -> maxPool 3x3/2 VALID
 *   residual x3 (32) | residualDown + residual x3 (64) | residualDown + residual x2 (128)
 *   residualDown + residual x2 (256) | residualDown (256, "conv256_down_out")
 *   mean over H, W -> matMul fc [256, 128]
 *
 * where every conv is conv + bias followed by a per-channel "scale" layer (x * w + b), and
 * residualDown adds the conv path to a 2x2/2 average pool of its input, zero-padding channels
 * (to double them) and, when the conv path came out one pixel smaller, one zero row at the
 * bottom and one zero column at the right, exactly as face-api does.
 */

export const FACE_RECOGNITION_MEAN_RGB = [122.782, 117.001, 104.298] as const;

type Weights = ReadonlyMap<string, WeightTensor>;

function weightConst(weights: Weights, name: string): FloatConst {
  const w = weights.get(name);
  if (!w) throw new Error(`face recognition weights: missing ${name}`);
  return floatConst(w.shape, floatWeight(weights, name));
}

function convLayer(e: TfOpsEmitter, w: Weights, x: Tensor, prefix: string, options: { stride: 1 | 2; relu: boolean; padding: 'SAME' | 'VALID' }): Tensor {
  let out = e.conv2d(
    x,
    weightConst(w, `${prefix}/conv/filters`),
    weightConst(w, `${prefix}/conv/bias`),
    { strides: [options.stride, options.stride], padding: options.padding },
    { kind: 'none' },
    prefix,
  );
  // The scale layer stays a Mul + Add: ONNX Runtime folds both into the Conv when it loads.
  out = e.binary('Mul', out, weightConst(w, `${prefix}/scale/weights`), `${prefix}/scale/mul`);
  out = e.binary('Add', out, weightConst(w, `${prefix}/scale/biases`), `${prefix}/scale/add`);
  return options.relu ? e.activate(out, { kind: 'relu' }, prefix) : out;
}

function residual(e: TfOpsEmitter, w: Weights, x: Tensor, prefix: string): Tensor {
  let out = convLayer(e, w, x, `${prefix}/conv1`, { stride: 1, relu: true, padding: 'SAME' });
  out = convLayer(e, w, out, `${prefix}/conv2`, { stride: 1, relu: false, padding: 'SAME' });
  out = e.binary('Add', out, x, `${prefix}/add`);
  return e.activate(out, { kind: 'relu' }, prefix);
}

function residualDown(e: TfOpsEmitter, w: Weights, x: Tensor, prefix: string): Tensor {
  let out = convLayer(e, w, x, `${prefix}/conv1`, { stride: 2, relu: true, padding: 'VALID' });
  out = convLayer(e, w, out, `${prefix}/conv2`, { stride: 1, relu: false, padding: 'SAME' });
  let pooled = e.pool('avg', x, [2, 2], { strides: [2, 2], padding: 'VALID' }, `${prefix}/avgpool`);
  const [, ph, pw, pc] = pooled.shape;
  const [, oh, ow, oc] = out.shape;
  if (ph !== oh || pw !== ow) {
    // face-api concatenates exactly one zero row and one zero column, whatever the difference.
    out = e.pad(
      out,
      [
        [0, 0],
        [0, 1],
        [0, 1],
        [0, 0],
      ],
      `${prefix}/pad_hw`,
    );
  }
  if (pc !== oc) {
    // face-api concatenates zeros shaped like `pooled`, i.e. doubles the channel count.
    pooled = e.pad(
      pooled,
      [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, pc as number],
      ],
      `${prefix}/pad_c`,
    );
  }
  out = e.binary('Add', pooled, out, `${prefix}/add`);
  return e.activate(out, { kind: 'relu' }, prefix);
}

/** Emits the network on `image` (NHWC [N,150,150,3], RGB in [0,255]) and returns [N,128]. */
export function emitFaceRecognitionNet(e: TfOpsEmitter, w: Weights, image: Tensor): Tensor {
  let x = e.binary('Sub', image, floatConst([3], Float32Array.from(FACE_RECOGNITION_MEAN_RGB)), 'normalize/mean');
  x = e.binary('Div', x, floatConst([], Float32Array.of(255)), 'normalize/scale');

  let out = convLayer(e, w, x, 'conv32_down', { stride: 2, relu: true, padding: 'VALID' });
  out = e.pool('max', out, [3, 3], { strides: [2, 2], padding: 'VALID' }, 'maxpool');

  for (const block of ['conv32_1', 'conv32_2', 'conv32_3']) out = residual(e, w, out, block);
  out = residualDown(e, w, out, 'conv64_down');
  for (const block of ['conv64_1', 'conv64_2', 'conv64_3']) out = residual(e, w, out, block);
  out = residualDown(e, w, out, 'conv128_down');
  for (const block of ['conv128_1', 'conv128_2']) out = residual(e, w, out, block);
  out = residualDown(e, w, out, 'conv256_down');
  for (const block of ['conv256_1', 'conv256_2']) out = residual(e, w, out, block);
  out = residualDown(e, w, out, 'conv256_down_out');

  const pooled = e.meanSpatial(out, 'global_avg');
  return e.matMul(pooled, weightConst(w, 'fc'), 'fc');
}

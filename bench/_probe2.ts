import * as ort from 'onnxruntime-node';
import { decodeFrames } from '../shared/video/decode.ts';
import { detectFaces, DEFAULT_DETECT_OPTIONS } from '../shared/vision/detect.ts';
import { modelPath } from '../shared/vision/models.ts';
const path = process.argv[2]!;
const frames = [];
for await (const f of decodeFrames(path, { sampleFps: 4, end: 10 })) frames.push({ width: f.width, height: f.height, data: new Uint8Array(f.data) });
console.log('frames', frames.length, frames[0]!.width);
for (let round = 0; round < 3; round++) for (const threads of [1, 2]) {
  const t = performance.now();
  for (const fr of frames) await detectFaces(fr, { ...DEFAULT_DETECT_OPTIONS, threads });
  console.log('detect threads', threads, ((performance.now() - t) / frames.length).toFixed(1));
}
// raw sessions: spinning on/off
const batch = new Float32Array(19 * 192 * 192 * 3).fill(0.5);
for (const spin of ['1', '0']) for (const threads of [1, 2]) {
  const s = await ort.InferenceSession.create(modelPath('face-detector'), { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', extra: { session: { intra_op: { allow_spinning: spin } } } });
  const input = new ort.Tensor('float32', batch, [19, 192, 192, 3]);
  await s.run({ image: input });
  const t = performance.now();
  for (let i = 0; i < 20; i++) await s.run({ image: input });
  console.log('raw spin', spin, 'threads', threads, ((performance.now() - t) / 20).toFixed(1), 'ms per 19-tile batch');
}

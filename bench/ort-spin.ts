/**
 * A diagnostic beside the vision benchmark: the three ONNX sessions of one frame's work (detector
 * on each level of the frame's pyramid, then landmarks and embedder on `faces` crops), run back to back as
 * analyzeImage does, with the other session options shared/vision/models.ts uses: 1 vs 2 intra-op
 * threads, ONNX Runtime's busy-waiting of idle pool threads ("spinning", its default) on and off
 * (models.ts turns it off).
 * Every session has its own pool, so with 2 threads the pool of the session that just finished
 * spins while the next session's runs, on a 2-core machine shared with ffmpeg and other processes.
 * Pixels are pseudo-random: only the timing matters here.
 */
import * as ort from 'onnxruntime-node';
import { ALIGNED_SIZE } from '../shared/vision/align.ts';
import { detectorPyramid } from '../shared/vision/detect.ts';
import { FACE_LANDMARKS, modelPath, type ModelName } from '../shared/vision/models.ts';
import { median } from './common.ts';

export interface SpinRow {
  threads: number;
  spinning: boolean;
  /** Detector alone, sessions used one at a time. */
  detectMsPerFrame: number;
  /** Detector + landmarks + embedder in sequence, per frame. */
  sequenceMsPerFrame: number;
  sequenceCpuMsPerFrame: number;
}

function noise(length: number): Float32Array {
  const data = new Float32Array(length);
  let seed = 12345;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = seed >>> 24;
  }
  return data;
}

const tensor = (batch: number, height: number, width: number) => new ort.Tensor('float32', noise(batch * height * width * 3), [batch, height, width, 3]);

export async function spinCheck(
  width: number,
  height: number,
  options: { faces?: number; rounds?: number; iterations?: number } = {},
): Promise<{ levels: number; faces: number; rows: SpinRow[] }> {
  const { faces = 2, rounds = 3, iterations = 8 } = options;
  const levels = detectorPyramid(width, height);
  const mesh = FACE_LANDMARKS.input.shape[1];
  // The models a frame's scan runs (FaceRes is not in the search pipeline yet).
  const names = ['face-detector', 'face-landmarks', 'face-embedder'] as const satisfies readonly ModelName[];
  const inputs: Record<(typeof names)[number], ort.Tensor[]> = {
    'face-detector': levels.map((level) => tensor(1, level.height, level.width)),
    'face-landmarks': [tensor(faces, mesh, mesh)],
    'face-embedder': [tensor(faces, ALIGNED_SIZE, ALIGNED_SIZE)],
  };
  const configs = [1, 2].flatMap((threads) => [true, false].map((spinning) => ({ threads, spinning })));
  const sessions = await Promise.all(
    configs.map((config) =>
      Promise.all(
        names.map((name) =>
          ort.InferenceSession.create(modelPath(name), {
            intraOpNumThreads: config.threads,
            interOpNumThreads: 1,
            executionMode: 'sequential',
            graphOptimizationLevel: 'all',
            extra: { session: { intra_op: { allow_spinning: config.spinning ? '1' : '0' } } },
          }),
        ),
      ),
    ),
  );
  const run = async (session: ort.InferenceSession, name: (typeof names)[number]) => {
    for (const image of inputs[name]) await session.run({ image });
  };
  const detect: number[][] = configs.map(() => []);
  const sequence: number[][] = configs.map(() => []);
  const cpu: number[][] = configs.map(() => []);
  try {
    for (const trio of sessions) for (const [k, session] of trio.entries()) await run(session, names[k]!);
    for (let round = 0; round < rounds; round++) {
      for (const [i, trio] of sessions.entries()) {
        let start = performance.now();
        for (let n = 0; n < iterations; n++) await run(trio[0]!, 'face-detector');
        detect[i]!.push((performance.now() - start) / iterations);
        const own = process.cpuUsage();
        start = performance.now();
        for (let n = 0; n < iterations; n++) for (const [k, session] of trio.entries()) await run(session, names[k]!);
        const used = process.cpuUsage(own);
        sequence[i]!.push((performance.now() - start) / iterations);
        cpu[i]!.push((used.user + used.system) / 1000 / iterations);
      }
    }
  } finally {
    await Promise.all(sessions.flat().map((session) => session.release()));
  }
  return {
    levels: levels.length,
    faces,
    rows: configs.map((config, i) => ({
      ...config,
      detectMsPerFrame: median(detect[i]!),
      sequenceMsPerFrame: median(sequence[i]!),
      sequenceCpuMsPerFrame: median(cpu[i]!),
    })),
  };
}

import { availableParallelism } from 'node:os';
import type { SearchOptions } from '../config/options.ts';
import { inputError } from '../errors.ts';
import type { GalleryIndex } from '../match/matcher.ts';
import { probeVideo } from '../video/probe.ts';
import { FACE_EMBEDDER, FACERES_EMBEDDER, loadModel, MODEL_NAMES } from '../vision/models.ts';

export interface MeasureChunkOptions {
  /** A local video file (or URL ffmpeg can read). */
  video: string;
  /** The search timed: its chunk length (clipped to the video), sampling and scan options. */
  search: SearchOptions;
  /** ONNX Runtime threads, as LAMBDAFACE_THREADS sets them on Lambda. Default: every core here. */
  threads?: number;
  /** Where in the video the chunk starts. Default 0. */
  startSeconds?: number;
}

export interface ChunkMeasurement {
  video: string;
  videoSeconds: number;
  /** The span actually scanned (the chunk clipped to the video). */
  chunk: { start: number; end: number };
  sampleFps: number;
  threads: number;
  frames: number;
  faces: number;
  /** Loading the scan's models once: what a cold Lambda pays on top of its first chunk. */
  modelLoadSeconds: number;
  /** Wall time of the scan alone (decode + detect + landmarks + both descriptors + match). */
  scanSeconds: number;
  /** scanSeconds scaled to a full chunk of `chunkSeconds` when the video was shorter. */
  secondsPerChunk: number;
  /** What was measured on, for the estimate's assumptions. */
  machine: { cpus: number; arch: string; platform: string };
}

/**
 * Matching cost does not depend on who is enrolled (a few hundred distance computations per face),
 * so timing uses a one-row gallery instead of asking for photos.
 */
function placeholderGallery(): GalleryIndex {
  const [, dlib] = FACE_EMBEDDER.outputs.embedding.shape;
  const [, faceres] = FACERES_EMBEDDER.outputs.descriptor.shape;
  const row = (dimensions: number) => ({ owner: Int32Array.of(0), rows: [new Float32Array(dimensions)] });
  return { names: ['(timing)'], dlib: row(dlib), faceres: row(faceres) };
}

/**
 * Times one real recognize chunk on this machine with the same code a Lambda runs, for
 * `lambdaface estimate`. The models are loaded first and timed apart, so `secondsPerChunk` is a
 * warm worker's cost; a video shorter than a chunk is scanned whole and the time scaled up.
 */
export async function measureChunk(options: MeasureChunkOptions): Promise<ChunkMeasurement> {
  const { search } = options;
  const threads = options.threads ?? availableParallelism();
  const video = await probeVideo(options.video);
  const start = Math.min(Math.max(options.startSeconds ?? 0, 0), video.durationSeconds);
  const end = Math.min(start + search.chunkSeconds, video.durationSeconds);
  if (!(end > start)) {
    throw inputError(`nothing to scan: the chunk starts at ${start} s and the video is ${video.durationSeconds} s long`, {
      input: 'startSeconds',
      hint: 'start the timed chunk inside the video',
    });
  }

  // Imported here, not at the top: they load ONNX Runtime, which `--remote` and `serve` never need.
  const { scanChunk, scanOptionsFor } = await import('../recognize/scan.ts');
  const loadStarted = performance.now();
  await Promise.all(MODEL_NAMES.map((name) => loadModel(name, { threads })));
  const modelLoadSeconds = (performance.now() - loadStarted) / 1000;

  const scanStarted = performance.now();
  const result = await scanChunk(options.video, { index: 0, start, end }, placeholderGallery(), scanOptionsFor(search, threads), { jobId: 'measure', video });
  const scanSeconds = (performance.now() - scanStarted) / 1000;
  return {
    video: options.video,
    videoSeconds: video.durationSeconds,
    chunk: { start, end },
    sampleFps: search.sampleFps,
    threads,
    frames: result.framesScanned,
    faces: result.faces.length,
    modelLoadSeconds,
    scanSeconds,
    secondsPerChunk: scanSeconds * (search.chunkSeconds / (end - start)),
    machine: { cpus: availableParallelism(), arch: process.arch, platform: process.platform },
  };
}

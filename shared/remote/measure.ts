import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SearchOptions } from '../config/options.ts';
import { inputError } from '../errors.ts';
import type { GalleryIndex } from '../match/matcher.ts';
import { MAX_CLIP_SECONDS } from '../timeline/montage-plan.ts';
import { cutPiece } from '../video/edit.ts';
import { probeVideo } from '../video/probe.ts';
import { pieceSettings } from '../workflow/montage-pieces.ts';
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
  /**
   * CPU time the scan used: this process's threads plus ffmpeg's (decoding runs ahead on another
   * core here, but on a one-vCPU Lambda the two share it). Undefined where it cannot be read.
   */
  cpuSeconds: number | undefined;
  /**
   * What a chunk of `chunkSeconds` takes on ONE CPU: the larger of wall and CPU time, scaled to a
   * full chunk when the video was shorter.
   */
  secondsPerChunk: number;
  /** Share of the scanned span with at least one face, counted per sampled frame. */
  onScreenShare: number;
  /** Stretches with faces (frames closer than gapSeconds joined), per minute of the scanned span. */
  segmentsPerMinute: number;
  /** What was measured on, for the estimate's assumptions. */
  machine: { cpus: number; arch: string; platform: string };
}

/** Clock ticks per second of /proc times: 100 on every Linux lambdaface runs on (USER_HZ). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds of ffmpeg and other children this process has waited for (/proc/self/stat cutime + cstime). */
function childCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf-8');
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cutime = Number(fields[16 - 3]);
    const cstime = Number(fields[17 - 3]);
    return Number.isFinite(cutime) && Number.isFinite(cstime) ? (cutime + cstime) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** Share of the span [start, end) with faces, and its stretches of faces joined across `gapSeconds`. */
export function onScreen(times: readonly number[], span: { start: number; end: number }, sampleFps: number, gapSeconds: number): { share: number; segments: number } {
  const frames = [...new Set(times)].sort((a, b) => a - b);
  const seconds = span.end - span.start;
  if (frames.length === 0 || !(seconds > 0)) return { share: 0, segments: 0 };
  let segments = 1;
  for (let i = 1; i < frames.length; i++) if (frames[i]! - frames[i - 1]! > gapSeconds) segments++;
  return { share: Math.min(1, frames.length / sampleFps / seconds), segments };
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
  const cpuBefore = process.cpuUsage();
  const childrenBefore = childCpuSeconds();
  const result = await scanChunk(options.video, { index: 0, start, end }, placeholderGallery(), scanOptionsFor(search, threads), { jobId: 'measure', video });
  const scanSeconds = (performance.now() - scanStarted) / 1000;
  const own = process.cpuUsage(cpuBefore);
  const childrenAfter = childCpuSeconds();
  const cpuSeconds = childrenBefore === undefined || childrenAfter === undefined ? undefined : (own.user + own.system) / 1e6 + (childrenAfter - childrenBefore);
  const span = { start, end };
  const seen = onScreen(
    result.faces.map((face) => face.time),
    span,
    search.sampleFps,
    search.gapSeconds,
  );
  const toChunk = search.chunkSeconds / (end - start);
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
    cpuSeconds,
    secondsPerChunk: Math.max(scanSeconds, cpuSeconds ?? 0) * toChunk,
    onScreenShare: seen.share,
    segmentsPerMinute: (seen.segments * 60) / (end - start),
    machine: { cpus: availableParallelism(), arch: process.arch, platform: process.platform },
  };
}

export interface PieceMeasurement {
  /** The span cut: one full montage piece (MAX_CLIP_SECONDS) from the start asked, clipped to the video. */
  span: { start: number; end: number };
  wallSeconds: number;
  /** ffmpeg's CPU time (x264 runs threads here; a one-vCPU Lambda runs them on one core). Undefined where it cannot be read. */
  cpuSeconds: number | undefined;
  /** What cutting a full piece takes on ONE CPU: the larger of wall and CPU time, scaled to MAX_CLIP_SECONDS. */
  secondsPerPiece: number;
  /** The piece's bytes per second of montage, for what the join moves. */
  bytesPerSecond: number;
}

/**
 * Cuts one montage piece of the video here, as the Cut step does (at most 480p high, a caption over
 * the whole piece and a face box at every sample drawn), for `lambdaface estimate`: its time on one
 * CPU and its size per second.
 */
export async function measurePiece(video: string, { startSeconds, sampleFps }: { startSeconds: number; sampleFps: number }): Promise<PieceMeasurement> {
  const info = await probeVideo(video);
  const start = Math.min(Math.max(startSeconds, 0), Math.max(0, info.durationSeconds - MAX_CLIP_SECONDS));
  const end = Math.min(start + MAX_CLIP_SECONDS, info.durationSeconds);
  const box = { x: info.width / 3, y: info.height / 4, width: info.width / 8, height: info.height / 5 };
  const samples = Math.max(1, Math.floor((end - start) * sampleFps));
  const segment = {
    start,
    end,
    captions: [{ from: start, to: end, text: 'timing' }],
    boxes: Array.from({ length: samples }, (_, i) => ({ time: start + i / sampleFps, box, label: 'timing' })),
  };
  const dir = await mkdtemp(join(tmpdir(), 'lambdaface-measure-piece-'));
  try {
    const path = join(dir, 'piece.mp4');
    const started = performance.now();
    const childrenBefore = childCpuSeconds();
    const settings = pieceSettings(info, { annotateMontage: true, sampleFps });
    const seconds = await cutPiece(video, segment, path, { ...settings, font: settings.font, video: info });
    const wallSeconds = (performance.now() - started) / 1000;
    const childrenAfter = childCpuSeconds();
    const cpuSeconds = childrenBefore === undefined || childrenAfter === undefined ? undefined : childrenAfter - childrenBefore;
    return {
      span: { start, end },
      wallSeconds,
      cpuSeconds,
      secondsPerPiece: (Math.max(wallSeconds, cpuSeconds ?? 0) * MAX_CLIP_SECONDS) / (end - start),
      bytesPerSecond: statSync(path).size / Math.max(seconds, 1e-3),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

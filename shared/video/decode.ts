import { inputError } from '../errors.ts';
import { spawnDrained } from './drained-child.ts';
import { ffmpegPath, runFailure } from './ffmpeg.ts';
import { DecodeLog, readExactly } from './frame-pipe.ts';
import { probeVideo } from './probe.ts';
import { sampleIndexAt, sampleRange, selectExpression, type SampleRange } from './sampling.ts';
import { checkSource, protocolOptions } from './source.ts';
import type { Frame, VideoInfo } from './types.ts';

export interface DecodeOptions {
  /** Seconds from the first frame; default 0. */
  start?: number;
  /** End of the range, exclusive; default the end of the video. */
  end?: number;
  /** Samples per second of video; samples are at k / sampleFps. */
  sampleFps: number;
  /** Downscale wider frames to this width, keeping the aspect ratio. */
  maxWidth?: number;
  /** The probe of this source, when the caller has it: saves running ffprobe again. */
  video?: VideoInfo;
  /** Decoder threads; 0 is ffmpeg's choice (every core). Default: decoderThreads(video). */
  threads?: number;
  /** Stops decoding: ffmpeg is killed and the iteration throws the signal's reason. */
  signal?: AbortSignal | undefined;
  /**
   * Reuses frames' pixel buffers: a frame's data is valid only until the next frame is asked for
   * (it is then empty), which saves a fresh megabyte of zeroed pages per frame for a consumer
   * that is done with each frame before taking the next (a scan).
   */
  reuseFrameBuffers?: boolean;
}

/**
 * Seeking lands on a keyframe before `start - margin`. The first decoded frame must come before
 * the first wanted sample, or the frame just before it is unknown; seeking is by decode order, so
 * with B-frames a keyframe can show later than the seek point, and then the margin grows.
 */
const SEEK_MARGINS = [0.5, 4, 30];
const MAX_SAMPLE_FPS = 1000;
/** Decoded frames ffmpeg may have ready beyond the one being read. */
const FRAMES_AHEAD = 2;

interface Plan {
  source: string;
  video: VideoInfo;
  range: SampleRange;
  sampleFps: number;
  width: number;
  height: number;
  threads: number;
  signal: AbortSignal | undefined;
  reuseFrameBuffers: boolean;
}

/** Sources up to this many pixels a frame are decoded on one thread. */
const ONE_THREAD_MAX_PIXELS = 1280 * 720;

/**
 * One decoder thread for frames up to 720p, ffmpeg's choice above. A small frame decodes in a
 * fraction of the time a sampled frame's inference takes, and frame threads cost more CPU than
 * they save (the 640x360 fixture: 0.13 s of CPU on one thread, 0.21 s on ffmpeg's three), CPU
 * the inference running beside the decoder needs. Larger frames keep the threads, so decoding
 * does not fall behind.
 */
export const decoderThreads = (video: Pick<VideoInfo, 'width' | 'height'>): number => (video.width * video.height <= ONE_THREAD_MAX_PIXELS ? 1 : 0);

/** Frame size after downscaling to maxWidth; exported for tests. */
export function frameSize(video: Pick<VideoInfo, 'width' | 'height'>, maxWidth?: number): { width: number; height: number } {
  if (maxWidth === undefined || video.width <= maxWidth) return { width: video.width, height: video.height };
  return { width: maxWidth, height: Math.max(1, Math.round((video.height * maxWidth) / video.width)) };
}

function checkOptions(options: DecodeOptions): void {
  const { start = 0, end = Infinity, sampleFps, maxWidth, threads } = options;
  const problem =
    !Number.isFinite(start) || start < 0
      ? `start must be a number of seconds >= 0 (got ${start})`
      : Number.isNaN(end) || end <= start
        ? `end must be after start (got [${start}, ${end}))`
        : !Number.isFinite(sampleFps) || sampleFps <= 0 || sampleFps > MAX_SAMPLE_FPS
          ? `sampleFps must be in (0, ${MAX_SAMPLE_FPS}] (got ${sampleFps})`
          : maxWidth !== undefined && (!Number.isInteger(maxWidth) || maxWidth < 1)
            ? `maxWidth must be a positive whole number of pixels (got ${maxWidth})`
            : threads !== undefined && (!Number.isInteger(threads) || threads < 0)
              ? `threads must be a whole number >= 0 (got ${threads})`
              : undefined;
  if (problem) throw inputError(`invalid decode options: ${problem}`, { input: 'decode options' });
}

function decodeArgs(plan: Plan, seekTo: number | undefined): string[] {
  const startMicros = Math.round(plan.video.startTime * 1e6);
  const filters = [
    // Timestamps in whole µs from the first frame, so select and sampleIndexAt see the same numbers.
    'settb=AVTB',
    `setpts=PTS-${startMicros}`,
    `select='${selectExpression(plan.sampleFps, plan.range.first)}'`,
    // Logs each frame's timestamp; before the RGB conversion it checksums half the bytes.
    'showinfo',
    `scale=${plan.width}:${plan.height}`,
    'format=rgb24',
  ];
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    // showinfo logs at info level; level tags tell its lines from errors.
    '-loglevel',
    'level+info',
    '-threads',
    String(plan.threads),
    ...protocolOptions(plan.source),
    // Fast seek to a keyframe and keep every frame from there: select decides, not the seek.
    ...(seekTo !== undefined ? ['-noaccurate_seek', '-ss', seekTo.toFixed(6)] : []),
    // Container timestamps untouched, so setpts above can subtract the probed first-frame time.
    '-copyts',
    '-i',
    plan.source,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    filters.join(','),
    // One output frame per selected frame: no duplicates or drops to make a constant rate.
    '-vsync',
    '0',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-flush_packets',
    '1',
    'pipe:1',
  ];
}

type Attempt = { kind: 'done' } | { kind: 'retry' };

/**
 * One ffmpeg run from a seek point. Yields the frames of the range; asks for a retry with a wider
 * margin when the seek landed after the first wanted sample.
 */
async function* attempt(plan: Plan, seekTo: number | undefined): AsyncGenerator<Frame, Attempt, undefined> {
  const path = ffmpegPath();
  const frameBytes = plan.width * plan.height * 3;
  // ffmpeg decodes the next samples while this thread runs inference on the current one.
  const child = spawnDrained(path, decodeArgs(plan, seekTo), { aheadBytes: FRAMES_AHEAD * frameBytes, chunkBytes: frameBytes });
  const { stdout, exited } = child;
  const log = new DecodeLog(child.stderr);
  // Killed at once, not at the next frame: ffmpeg may be waiting on a slow ranged read.
  const stop = (): void => child.kill();
  plan.signal?.addEventListener('abort', stop, { once: true });
  const fail = async (): Promise<never> => {
    const exit = await exited;
    plan.signal?.throwIfAborted();
    throw runFailure('ffmpeg', path, exit, { source: plan.source, stderr: log.tail.toString(), action: 'decode' });
  };

  try {
    for (let n = 0; ; n++) {
      const data = await readExactly(stdout, frameBytes);
      // A stopped decode ends its output early: that is the stop, not a decoding failure.
      plan.signal?.throwIfAborted();
      if (data === null) break;
      if (data.length < frameBytes) return await fail();
      const micros = await log.nextTimestamp();
      if (micros === null) return await fail();
      const index = sampleIndexAt(micros, plan.sampleFps);
      if (n === 0) {
        // The first decoded frame passes select unconditionally, to tell where decoding began.
        if (index < plan.range.first) continue;
        if (seekTo !== undefined) return { kind: 'retry' };
        // No seek: this is the video's own first frame, the first frame of its sample.
      }
      if (index > plan.range.last) return { kind: 'done' };
      yield { index, time: index / plan.sampleFps, frameTime: micros / 1e6, width: plan.width, height: plan.height, data };
      if (plan.reuseFrameBuffers) child.recycle(data);
    }
    const { code, error } = await exited;
    if (error || code !== 0) return await fail();
    return { kind: 'done' };
  } finally {
    plan.signal?.removeEventListener('abort', stop);
    // Reached on early exit too (the consumer broke out of its loop): stop ffmpeg and reap it.
    child.kill();
    // Frames already delivered but never read are dropped.
    stdout.destroy();
    await exited;
  }
}

/**
 * Decodes the samples of [start, end) at `sampleFps` from a local path or an http(s) URL (read by
 * ranges; nothing is downloaded whole), one RGB24 frame at a time. Sample k is at k / sampleFps
 * seconds from the first frame and gets the first frame shown at or after that time; a trailing
 * partial second gets its samples. Chunks decoded separately give exactly the samples of one decode
 * over their union. Frames are produced as the consumer asks for them; breaking out of the loop
 * stops ffmpeg.
 */
export async function* decodeFrames(source: string, options: DecodeOptions): AsyncGenerator<Frame, void, undefined> {
  checkOptions(options);
  options.signal?.throwIfAborted();
  await checkSource(source);
  const video = options.video ?? (await probeVideo(source));
  options.signal?.throwIfAborted();
  const start = options.start ?? 0;
  const { width, height } = frameSize(video, options.maxWidth);
  const plan: Plan = {
    source,
    video,
    range: sampleRange(start, options.end ?? Infinity, options.sampleFps),
    sampleFps: options.sampleFps,
    width,
    height,
    threads: options.threads ?? decoderThreads(video),
    signal: options.signal,
    reuseFrameBuffers: options.reuseFrameBuffers ?? false,
  };
  if (plan.range.last < plan.range.first) return;

  // ffmpeg's -ss counts from the file's earliest stream start, not from the first frame.
  const offset = video.startTime - video.fileStartTime;
  for (const margin of SEEK_MARGINS) {
    if (start - margin <= 0) break;
    const outcome = yield* attempt(plan, start - margin + offset);
    if (outcome.kind === 'done') return;
  }
  // Near the start, or a file whose keyframes never land before `start`: decode from the top.
  yield* attempt(plan, undefined);
}

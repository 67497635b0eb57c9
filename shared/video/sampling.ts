/**
 * Which decoded frame stands for which sample. Sample k is taken at k / sampleFps seconds from the
 * first frame and is the FIRST frame shown at or after that time. A frame therefore belongs to the
 * sample `floor(time * fps)`, and is picked when it is the first frame of that sample. The rule only
 * looks at a frame and its predecessor, never at where decoding started, so decoding [0,5) and
 * [5,9.18) gives exactly the frames of [0,9.18).
 *
 * Frame times are whole microseconds (ffmpeg rescales to 1/1000000 before selecting), and the same
 * arithmetic runs in ffmpeg's select expression and here, so both agree on every frame.
 */

/** A frame this close before a sample time still counts as at it: timestamps are rounded to µs. */
export const SAMPLE_SLACK_US = 100;

/** Sample index a frame at `micros` (from the first frame) belongs to. */
export const sampleIndexAt = (micros: number, sampleFps: number): number => Math.floor(((micros + SAMPLE_SLACK_US) * sampleFps) / 1_000_000);

/** ffmpeg expression for sampleIndexAt of the variable `variable` (pts in microseconds). */
const indexExpression = (variable: string, sampleFps: number): string => `floor(((${variable}+${SAMPLE_SLACK_US})*${String(sampleFps)})/1000000)`;

/** Guards against k/fps landing a hair off the boundary in floating point (0.3*10 = 3.0000000000000004). */
const BOUNDARY_SLACK = 1e-6;

export interface SampleRange {
  /** First sample index with time >= start. */
  first: number;
  /** Last sample index with time < end; Infinity when decoding to the end of the video. */
  last: number;
}

/** Sample indices whose times k / sampleFps fall in [start, end). */
export function sampleRange(start: number, end: number, sampleFps: number): SampleRange {
  const first = Math.max(0, Math.ceil(start * sampleFps - BOUNDARY_SLACK));
  const last = Number.isFinite(end) ? Math.ceil(end * sampleFps - BOUNDARY_SLACK) - 1 : Infinity;
  return { first, last };
}

/**
 * select filter expression (pts already in microseconds from the first frame): pass a frame when
 * it is the first of its sample and that sample is at or after `first`. The very first decoded
 * frame always passes, so the decoder can check where its seek landed.
 */
export function selectExpression(sampleFps: number, first: number): string {
  const here = indexExpression('pts', sampleFps);
  const before = indexExpression('prev_pts', sampleFps);
  return `isnan(prev_pts)+gt(${here},${before})*gte(${here},${first})`;
}

type FrameTiming = { durationSeconds: number; fps: number };

/** The video's frame count from its probe (Infinity when the rate is unknown). */
export const frameCount = (video: FrameTiming): number => (video.fps > 0 ? Math.max(1, Math.round(video.durationSeconds * video.fps)) : Infinity);

/** When the last frame starts, in µs from the first: the video lasts one frame beyond it. */
export const lastFrameMicros = (video: FrameTiming): number => Math.max(0, Math.round((video.durationSeconds - (video.fps > 0 ? 1 / video.fps : 0)) * 1_000_000));

/**
 * How many samples of [start, end) a healthy video yields: a sample is the first frame at or after
 * its time, so only samples up to the last frame's start exist, and never more than the frames.
 */
export function expectedSamples(video: FrameTiming, start: number, end: number, sampleFps: number): number {
  const range = sampleRange(start, end, sampleFps);
  const last = Math.min(range.last, sampleIndexAt(lastFrameMicros(video), sampleFps));
  return Math.max(0, Math.min(frameCount(video), last - range.first + 1));
}

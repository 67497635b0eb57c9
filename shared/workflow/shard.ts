import { INVOCATION_BUDGET, MAX_FRAMES_PER_INVOCATION, type SearchOptions } from '../config/options.ts';
import { inputError } from '../errors.ts';
import type { Job } from '../schemas/job.ts';
import { jobKeys } from '../storage/keys.ts';
import { presignGet, putJson } from '../storage/s3.ts';
import { probeVideo } from '../video/probe.ts';
import { planChunks } from './chunks.ts';
import type { HandlerContext } from './context.ts';
import { resolveJob } from './job.ts';

export interface ShardResult {
  /** The validated job, defaults filled and id set: every later state reads this. */
  job: Job;
  chunks: { bucket: string; key: string; count: number };
  results: { bucket: string; prefix: string };
  video: { durationSeconds: number; width: number; height: number; fps: number };
}

const count = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: 2 });

/**
 * Refuses a plan whose recognize invocations would each scan more frames than fit safely in the
 * function's timeout (options.ts, INVOCATION_BUDGET): such a job would time out chunk after chunk
 * on AWS, paying for every attempt, instead of failing once up front. The message names the option
 * to change and the largest value that fits.
 */
export function checkInvocationWork(options: SearchOptions): void {
  const { itemsPerBatch, chunkSeconds, sampleFps } = options;
  const frames = Math.ceil(itemsPerBatch * chunkSeconds * sampleFps);
  if (frames <= MAX_FRAMES_PER_INVOCATION) return;
  const fits = (perUnit: number): number => Math.floor(MAX_FRAMES_PER_INVOCATION / perUnit);
  const choices = [
    `chunkSeconds to at most ${count(fits(itemsPerBatch * sampleFps))}`,
    ...(itemsPerBatch > 1 ? [`itemsPerBatch to at most ${Math.max(1, fits(chunkSeconds * sampleFps))}`] : []),
    `sampleFps to at most ${count(Math.floor((MAX_FRAMES_PER_INVOCATION / (itemsPerBatch * chunkSeconds)) * 100) / 100)}`,
  ];
  throw inputError(
    `one recognize invocation would scan ${count(frames)} frames (itemsPerBatch ${itemsPerBatch} x chunkSeconds ${count(chunkSeconds)} x sampleFps ${count(sampleFps)}); ` +
      `at most ${count(MAX_FRAMES_PER_INVOCATION)} fit in ${INVOCATION_BUDGET.safeShare * 100}% of the ${INVOCATION_BUDGET.functionTimeoutSeconds} s Lambda timeout at ${INVOCATION_BUDGET.secondsPerFrame} s a frame`,
    { input: 'options.chunkSeconds', hint: `lower ${choices.join(', or ')}` },
  );
}

/**
 * Shard: probes the video where it lies (a presigned URL, so nothing is downloaded) and writes
 * the chunk manifest the Distributed Map reads.
 */
export async function shardJob(raw: unknown, context: HandlerContext): Promise<ShardResult> {
  const { job } = await resolveJob(raw, context.s3);
  checkInvocationWork(job.options);
  const keys = jobKeys(job.jobId);
  const video = await probeVideo(await presignGet(context.s3, job.bucket, job.video.key));
  const chunks = planChunks(video.durationSeconds, job.options.chunkSeconds);
  await putJson(context.s3, job.bucket, keys.chunks, chunks);
  return {
    job,
    chunks: { bucket: job.bucket, key: keys.chunks, count: chunks.length },
    results: { bucket: job.bucket, prefix: keys.results },
    video: { durationSeconds: video.durationSeconds, width: video.width, height: video.height, fps: video.fps },
  };
}

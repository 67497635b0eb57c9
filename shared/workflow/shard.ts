import type { S3Client } from '@aws-sdk/client-s3';
import { INVOCATION_BUDGET, MAX_FRAMES_PER_INVOCATION, type SearchOptions } from '../config/options.ts';
import { inputError } from '../errors.ts';
import { RECOGNIZER_VERSION } from '../recognize/fingerprint.ts';
import { JobRecord, SCAN_OPTION_NAMES, type Job } from '../schemas/job.ts';
import { jobKeys } from '../storage/keys.ts';
import { presignGet, putJson, readStoredJson, s3Url } from '../storage/s3.ts';
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
 * Proves that the earlier job whose scan this job reuses scanned this very video (same key, same
 * ETag) with the options that decide what a scan finds; anything else would name faces of another
 * video, or of other frames, as this one's. Returns its record, proven so.
 */
async function checkEarlierScan(s3: S3Client, job: Job, videoTag: string, scannedBy: string): Promise<JobRecord> {
  const key = jobKeys(scannedBy).record;
  const where = s3Url(job.bucket, key);
  const stored = await readStoredJson(s3, job.bucket, key, JobRecord);
  const what = 'video.scannedBy';
  if (!stored.found) {
    throw inputError(`no earlier job ${scannedBy} to reuse the scan of: ${where} does not exist`, {
      input: what,
      hint: 'give the id of a finished search of this video in this bucket (its timeline.json names it); searches made before lambdaface kept job records cannot be reused: search once without reusing a scan',
    });
  }
  if ('problem' in stored) {
    throw inputError(`the record of job ${scannedBy} (${where}) cannot be read: ${stored.problem}`, { input: what, hint: 'search the video again without reusing that scan' });
  }
  const earlier = stored.value;
  if (earlier.video.key !== job.video.key || earlier.video.etag !== videoTag) {
    const scanned =
      earlier.video.key === job.video.key
        ? `an earlier version of ${s3Url(job.bucket, job.video.key)}, not the video as it is now`
        : `${s3Url(job.bucket, earlier.video.key)}, not ${s3Url(job.bucket, job.video.key)}`;
    throw inputError(`job ${scannedBy} scanned ${scanned}`, {
      input: what,
      hint: 'reuse the scan of a search of this very video, or search without reusing a scan',
    });
  }
  if (earlier.recognizer !== RECOGNIZER_VERSION) {
    throw inputError(`job ${scannedBy} was scanned by another version of lambdaface's recognizer`, {
      input: what,
      hint: 'search the video again without reusing that scan; later searches can reuse the new one',
    });
  }
  const differing = SCAN_OPTION_NAMES.filter((name) => earlier.options[name] !== job.options[name]);
  if (differing.length > 0) {
    throw inputError(
      `job ${scannedBy} scanned with ${differing.map((name) => `${name} ${earlier.options[name]}`).join(', ')}; this job asks for ${differing.map((name) => `${name} ${job.options[name]}`).join(', ')}`,
      { input: what, hint: `use the earlier job's ${differing.join(', ')}, or search without reusing its scan` },
    );
  }
  return earlier;
}

/**
 * Shard: probes the video where it lies (a presigned URL, so nothing is downloaded), records what
 * the job scans and writes the chunk manifest the Distributed Map reads. A job that reuses an
 * earlier scan gets the same manifest, after the earlier job is proven to have scanned this video,
 * and that job's probe of it (the same object, by key and ETag: probing it again could only give
 * the same answer) instead of running ffprobe.
 */
export async function shardJob(raw: unknown, context: HandlerContext): Promise<ShardResult> {
  const { job, videoTag } = await resolveJob(raw, context.s3);
  checkInvocationWork(job.options);
  const keys = jobKeys(job.jobId);
  const earlier = job.video.scannedBy === undefined ? undefined : await checkEarlierScan(context.s3, job, videoTag, job.video.scannedBy);
  const video = earlier?.probe ?? (await probeVideo(await presignGet(context.s3, job.bucket, job.video.key)));
  const chunks = planChunks(video.durationSeconds, job.options.chunkSeconds);
  const record: JobRecord = { version: 1, jobId: job.jobId, video: { key: job.video.key, etag: videoTag }, options: job.options, recognizer: RECOGNIZER_VERSION, probe: video };
  await Promise.all([putJson(context.s3, job.bucket, keys.chunks, chunks), putJson(context.s3, job.bucket, keys.record, record)]);
  return {
    job,
    chunks: { bucket: job.bucket, key: keys.chunks, count: chunks.length },
    results: { bucket: job.bucket, prefix: keys.results },
    video: { durationSeconds: video.durationSeconds, width: video.width, height: video.height, fps: video.fps },
  };
}

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

/**
 * Shard: probes the video where it lies (a presigned URL, so nothing is downloaded) and writes
 * the chunk manifest the Distributed Map reads.
 */
export async function shardJob(raw: unknown, context: HandlerContext): Promise<ShardResult> {
  const { job } = await resolveJob(raw, context.s3);
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

import { z } from 'zod';
import { SearchOptions } from '../config/options.ts';
import { parseInput, workflowError } from '../errors.ts';
import { indexGallery, type GalleryIndex } from '../match/matcher.ts';
import { renameChunk } from '../recognize/rename.ts';
import { scanChunk, scanOptionsFor } from '../recognize/scan.ts';
import { ChunkRange, ChunkResult } from '../schemas/faces.ts';
import { StoredGallery } from '../schemas/gallery.ts';
import { JobRecord } from '../schemas/job.ts';
import { jobKeys } from '../storage/keys.ts';
import { getJson, presignGet, s3Url } from '../storage/s3.ts';
import type { VideoInfo } from '../video/types.ts';
import { modelsFingerprint } from '../vision/models.ts';
import { modelSessionsLoaded } from '../vision/model-loads.ts';
import { ChunkPace } from './chunk-pace.ts';
import { analysedScale, storeChunkResult } from './chunk-summaries.ts';
import type { HandlerContext } from './context.ts';
import { chunkMismatch, ownerMismatch, readReusable } from './reuse.ts';

/** One Distributed Map child's input: the job context once, then its batch of chunks. */
export const RecognizeEvent = z.object({
  BatchInput: z.object({
    bucket: z.string().min(1),
    jobId: z.string().min(1),
    video: z.object({ key: z.string().min(1), scannedBy: z.string().min(1).optional() }),
    options: SearchOptions,
    gallery: z.object({ bucket: z.string(), key: z.string() }).passthrough(),
  }),
  Items: z.array(z.object({ chunk: ChunkRange, item: z.number().int().min(0) })).min(1),
});
export type RecognizeEvent = z.infer<typeof RecognizeEvent>;

export interface RecognizeResult {
  /** `decoded`: whether this run decoded the chunk's frames (not when it was stored already or named from an earlier scan). */
  chunks: { index: number; faces: number; named: number; skipped: boolean; decoded: boolean; elapsedMs: number }[];
  /** Stored chunk results that could not be reused (damaged, another job's, other models), named. */
  recomputed: string[];
  /** Model sessions this call loaded: none when every chunk was stored already or named from an earlier scan. */
  modelsLoaded: number;
}

/**
 * What a warm Lambda keeps between invocations: the gallery index and Shard's probe of the video per job
 * (the models are cached by vision/models.ts).
 */
const warm = new Map<string, { gallery: GalleryIndex; video: VideoInfo; scale: number; models: string }>();

async function jobState(event: RecognizeEvent, context: HandlerContext) {
  const { bucket, jobId, gallery } = event.BatchInput;
  const key = JSON.stringify([bucket, jobId, gallery.bucket, gallery.key]);
  let state = warm.get(key);
  if (!state) {
    const [trained, record, models] = await Promise.all([
      getJson(context.s3, gallery.bucket, gallery.key, StoredGallery),
      getJson(context.s3, bucket, jobKeys(jobId).record, JobRecord),
      modelsFingerprint(),
    ]);
    // Shard's probe, not a new one: the recognize function ships without ffprobe (its 75 MB would
    // not fit Lambda's 250 MB next to ONNX Runtime), and one probe per job beats one per worker.
    const video = record.probe;
    if (video === undefined) {
      throw workflowError(`the job record ${s3Url(bucket, jobKeys(jobId).record)} has no probe of the video (it was written by an older Shard)`, {
        input: s3Url(bucket, jobKeys(jobId).record),
        hint: 'start the job again from the beginning, so that Shard records the probe',
      });
    }
    const mismatch = ownerMismatch(trained, { jobId, models });
    if (mismatch) {
      throw workflowError(`the gallery ${s3Url(gallery.bucket, gallery.key)} ${mismatch}`, {
        input: s3Url(gallery.bucket, gallery.key),
        hint: 'start the job again from the beginning: Train replaces a gallery that is not its own',
      });
    }
    state = { gallery: indexGallery(trained), video, scale: analysedScale(video), models };
    warm.clear();
    warm.set(key, state);
  }
  return state;
}

/**
 * The earlier job's result for this chunk when it can serve (intact, that job's, same models,
 * range and rate); otherwise undefined, and the reason joins `recomputed`: the chunk is scanned.
 */
async function earlierScan(
  context: HandlerContext,
  bucket: string,
  scannedBy: string,
  expected: Parameters<typeof chunkMismatch>[1],
  recomputed: string[],
): Promise<ChunkResult | undefined> {
  const key = jobKeys(scannedBy).chunkFaces(expected.chunk.index);
  const stored = await readReusable(context.s3, bucket, key, ChunkResult, (result) => chunkMismatch(result, expected), 'scanning the chunk from the video instead');
  if (stored.reuse) return stored.value;
  recomputed.push(stored.rejected ?? `${s3Url(bucket, key)} does not exist; scanning the chunk from the video instead`);
  return undefined;
}

/**
 * Recognize: scans each chunk of the batch and writes all its faces. A job that reuses an earlier
 * job's scan names that job's stored faces with its own gallery instead, decoding only chunks whose
 * earlier result cannot serve. A chunk whose stored result
 * is intact and provably this job's (same job, models, range and rate) is skipped, so re-running
 * an interrupted job redoes only what is missing; anything else there is recomputed. Near the
 * time limit it stops between chunks, or kills the running scan, and throws (see ChunkPace).
 */
export async function recognizeBatch(raw: unknown, context: HandlerContext): Promise<RecognizeResult> {
  const event = parseInput(RecognizeEvent, raw, 'recognize input');
  const loadsBefore = modelSessionsLoaded();
  const { bucket, jobId, video, options } = event.BatchInput;
  const keys = jobKeys(jobId);
  const url = await presignGet(context.s3, bucket, video.key, 6 * 3600);
  const state = await jobState(event, context);
  const scanOptions = scanOptionsFor(options, context.config.threads);
  const chunks: RecognizeResult['chunks'] = [];
  const recomputed: string[] = [];
  const pace = new ChunkPace(context.deadline, event.Items.length);
  for (const { chunk } of event.Items) {
    const key = keys.chunkFaces(chunk.index);
    const expected = { jobId, models: state.models, chunk, sampleFps: options.sampleFps };
    const stored = await readReusable(context.s3, bucket, key, ChunkResult, (result) => chunkMismatch(result, expected));
    if (stored.reuse) {
      chunks.push({ index: chunk.index, faces: 0, named: 0, skipped: true, decoded: false, elapsedMs: 0 });
      continue;
    }
    if (stored.rejected) recomputed.push(stored.rejected);
    const earlier = video.scannedBy === undefined ? undefined : await earlierScan(context, bucket, video.scannedBy, { ...expected, jobId: video.scannedBy }, recomputed);
    let result: ChunkResult;
    if (earlier) {
      result = renameChunk(earlier, state.gallery, scanOptions, { jobId, video: state.video });
      await storeChunkResult(context.s3, bucket, result, state.scale);
    } else {
      pace.beforeChunk(chunks.length);
      result = await pace.run(chunks.length, async (signal) => {
        const scanned = await scanChunk(url, chunk, state.gallery, scanOptions, { jobId, video: state.video, signal });
        // Only a whole chunk's result is written: a stopped scan throws before this.
        await storeChunkResult(context.s3, bucket, scanned, state.scale);
        return scanned;
      });
    }
    chunks.push({
      index: chunk.index,
      faces: result.faces.length,
      named: result.faces.filter((face) => face.identity !== null).length,
      skipped: false,
      decoded: earlier === undefined,
      elapsedMs: result.elapsedMs,
    });
  }
  return { chunks, recomputed, modelsLoaded: modelSessionsLoaded() - loadsBefore };
}

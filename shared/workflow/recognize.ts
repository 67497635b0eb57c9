import { z } from 'zod';
import { SearchOptions } from '../config/options.ts';
import { parseInput } from '../errors.ts';
import { indexGallery, type GalleryIndex } from '../match/matcher.ts';
import { scanChunk, scanOptionsFor } from '../recognize/scan.ts';
import { ChunkRange } from '../schemas/faces.ts';
import { Gallery } from '../schemas/gallery.ts';
import { jobKeys } from '../storage/keys.ts';
import { exists, getJson, presignGet, putJson } from '../storage/s3.ts';
import { probeVideo } from '../video/probe.ts';
import type { VideoInfo } from '../video/types.ts';
import type { HandlerContext } from './context.ts';

/** One Distributed Map child's input: the job context once, then its batch of chunks. */
export const RecognizeEvent = z.object({
  BatchInput: z.object({
    bucket: z.string().min(1),
    jobId: z.string().min(1),
    video: z.object({ key: z.string().min(1) }),
    options: SearchOptions,
    gallery: z.object({ bucket: z.string(), key: z.string() }).passthrough(),
  }),
  Items: z.array(z.object({ chunk: ChunkRange, item: z.number().int().min(0) })).min(1),
});
export type RecognizeEvent = z.infer<typeof RecognizeEvent>;

export interface RecognizeResult {
  chunks: { index: number; faces: number; named: number; skipped: boolean; elapsedMs: number }[];
}

/**
 * What a warm Lambda keeps between invocations: the gallery index and the video's probe per job
 * (the models are cached by vision/models.ts).
 */
const warm = new Map<string, { gallery: GalleryIndex; video: VideoInfo }>();

async function jobState(event: RecognizeEvent, context: HandlerContext, url: string) {
  const { bucket, jobId, gallery } = event.BatchInput;
  const key = `${bucket}/${jobId}`;
  let state = warm.get(key);
  if (!state) {
    const [trained, video] = await Promise.all([getJson(context.s3, gallery.bucket, gallery.key, Gallery), probeVideo(url)]);
    state = { gallery: indexGallery(trained), video };
    warm.clear();
    warm.set(key, state);
  }
  return state;
}

/**
 * Recognize: scans each chunk of the batch and writes all its faces. A chunk whose result already
 * exists is skipped, so re-running an interrupted job redoes only what is missing.
 */
export async function recognizeBatch(raw: unknown, context: HandlerContext): Promise<RecognizeResult> {
  const event = parseInput(RecognizeEvent, raw, 'recognize input');
  const { bucket, jobId, video, options } = event.BatchInput;
  const keys = jobKeys(jobId);
  const url = await presignGet(context.s3, bucket, video.key, 6 * 3600);
  const state = await jobState(event, context, url);
  const scanOptions = scanOptionsFor(options, context.config.threads);
  const chunks: RecognizeResult['chunks'] = [];
  for (const { chunk } of event.Items) {
    const key = keys.chunkFaces(chunk.index);
    if (await exists(context.s3, bucket, key)) {
      chunks.push({ index: chunk.index, faces: 0, named: 0, skipped: true, elapsedMs: 0 });
      continue;
    }
    const result = await scanChunk(url, chunk, state.gallery, scanOptions, { jobId, video: state.video });
    await putJson(context.s3, bucket, key, result);
    chunks.push({
      index: chunk.index,
      faces: result.faces.length,
      named: result.faces.filter((face) => face.identity !== null).length,
      skipped: false,
      elapsedMs: result.elapsedMs,
    });
  }
  return { chunks };
}

import type { S3Client } from '@aws-sdk/client-s3';
import { StoredChunkSummary } from '../schemas/chunk-summary.ts';
import type { ChunkResult } from '../schemas/faces.ts';
import { jobKeys } from '../storage/keys.ts';
import { objectTag, putJson, putJsonTagged, readStoredJson } from '../storage/s3.ts';
import { summarizeChunk, type ChunkSummary } from '../timeline/chunk-summary.ts';
import { frameSize } from '../video/decode.ts';
import type { VideoInfo } from '../video/types.ts';
import { MAX_SCAN_WIDTH } from '../vision/options.ts';
import { chunkMismatch, type ChunkExpectation } from './reuse.ts';

/** Source pixels per analysed pixel: boxes are stored in the source's, the grouping rules speak of the analysed frame's. */
export const analysedScale = (video: VideoInfo): number => video.width / frameSize(video, MAX_SCAN_WIDTH).width;

/**
 * Writes a chunk's result, then its summary (what Montage keeps of it, without any face's
 * descriptors) naming the ETag the result was written as. At the default rate the results of a
 * long video are hundreds of MB of descriptors Montage would download and parse only to drop; it
 * reads the summaries instead. A store that gives no ETag gets no summary: Montage reads the result.
 */
export async function storeChunkResult(s3: S3Client, bucket: string, result: ChunkResult, scale: number): Promise<void> {
  const keys = jobKeys(result.jobId);
  const resultTag = await putJsonTagged(s3, bucket, keys.chunkFaces(result.chunk.index), result);
  if (resultTag === undefined) return;
  const { sightings, tracks } = summarizeChunk(result, scale);
  const summary: StoredChunkSummary = {
    version: 1,
    resultTag,
    scale,
    sightings,
    // Typed arrays would be written as objects: their values, as JSON arrays.
    tracks: tracks.map(({ dlib, faceres, ...track }) => ({ ...track, dlib: Array.from(dlib), ...(faceres === undefined ? {} : { faceres: Array.from(faceres) }) })),
  };
  await putJson(s3, bucket, keys.chunkSummary(result.chunk.index), summary);
}

/**
 * The summary of this chunk's result, when Recognize stored one for the very object now under the
 * result's key (the same ETag), made at the same scale, of this job's chunk (`expected`);
 * undefined otherwise (none, damaged, or left from a result written since), and the caller
 * reads the result itself.
 */
export async function storedChunkSummary(s3: S3Client, bucket: string, expected: ChunkExpectation, scale: number): Promise<ChunkSummary | undefined> {
  const keys = jobKeys(expected.jobId);
  const [resultTag, stored] = await Promise.all([
    objectTag(s3, bucket, keys.chunkFaces(expected.chunk.index)),
    readStoredJson(s3, bucket, keys.chunkSummary(expected.chunk.index), StoredChunkSummary),
  ]);
  if (resultTag === undefined || !('value' in stored)) return undefined;
  const { value } = stored;
  if (value.resultTag !== resultTag || value.scale !== scale || chunkMismatch(value.sightings, expected) !== undefined) return undefined;
  return { sightings: value.sightings, tracks: value.tracks };
}

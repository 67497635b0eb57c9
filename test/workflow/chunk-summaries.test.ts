import { describe, expect, it } from 'vitest';
import { EMBEDDING_SIZE, FACERES_SIZE } from '../../shared/schemas/gallery.ts';
import type { ChunkResult } from '../../shared/schemas/faces.ts';
import { jobKeys } from '../../shared/storage/keys.ts';
import { getBytes, putJson, putText } from '../../shared/storage/s3.ts';
import { summarizeChunk } from '../../shared/timeline/chunk-summary.ts';
import { storeChunkResult, storedChunkSummary } from '../../shared/workflow/chunk-summaries.ts';
import { useEmbeddedS3 } from '../unit/local/embedded-s3-fixture.ts';
import { chunk, face } from '../unit/timeline/make-chunks.ts';

/**
 * The summary Recognize stores beside each chunk result, which Montage reads instead of the
 * result's hundreds of descriptors: it holds exactly what Montage would make of the result, and
 * is used only while the result under its key is the object it was made from.
 */
const s3 = useEmbeddedS3('summaries');

/** Values like a real descriptor's (six digits, none repeating), from a fixed seed. */
function descriptor(size: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: size }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.round((state / 2147483648 - 0.5) * 1e6) / 1e6;
  });
}

/** Four samples each of a named face and of two strangers, FaceRes describing two samples per track. */
function result(index: number, start: number): ChunkResult {
  const faces = [0, 0.5, 1, 1.5].flatMap((offset, i) => [
    face('ada', start + offset, { track: `${index}-0`, embedding: descriptor(EMBEDDING_SIZE, i + 1) }),
    ...[1, 2].map((n) =>
      face(null, start + offset, {
        track: `${index}-${n}`,
        quality: 0.3 + 0.1 * i,
        embedding: descriptor(EMBEDDING_SIZE, 100 * n + i),
        ...(i < 2 ? { faceres: descriptor(FACERES_SIZE, 1000 * n + i) } : {}),
      }),
    ),
  ]);
  return chunk(index, start, start + 5, faces);
}

const expectedOf = (stored: ChunkResult) => ({ jobId: stored.jobId, models: stored.models, chunk: stored.chunk, sampleFps: stored.sampleFps });

describe('chunk summaries', () => {
  it('hold what Montage makes of the result, in less than half its bytes', async () => {
    const { client, bucket } = s3();
    const stored = result(0, 0);
    await storeChunkResult(client, bucket, stored, 2);
    const read = await storedChunkSummary(client, bucket, expectedOf(stored), 2);
    expect(read).toBeDefined();
    expect(read).toEqual(summarizeChunk(stored, 2));
    expect(read!.tracks.map((track) => track.track)).toEqual(['0-1', '0-2']);
    const keys = jobKeys(stored.jobId);
    const [resultBytes, summaryBytes] = await Promise.all([getBytes(client, bucket, keys.chunkFaces(0)), getBytes(client, bucket, keys.chunkSummary(0))]);
    expect(summaryBytes.length).toBeLessThan(resultBytes.length / 2);
  });

  it('are not used once another object is under the result key, nor when damaged', async () => {
    const { client, bucket } = s3();
    const stored = result(1, 5);
    await storeChunkResult(client, bucket, stored, 2);
    const keys = jobKeys(stored.jobId);
    // A result written since (a rerun that recomputed it) leaves the old summary behind: it must not count.
    await putJson(client, bucket, keys.chunkFaces(1), { ...stored, faces: stored.faces.slice(0, 3) });
    expect(await storedChunkSummary(client, bucket, expectedOf(stored), 2)).toBeUndefined();

    await storeChunkResult(client, bucket, stored, 2);
    expect(await storedChunkSummary(client, bucket, expectedOf(stored), 2)).toBeDefined();
    await putText(client, bucket, keys.chunkSummary(1), '{"version": 1, "resultTag":');
    expect(await storedChunkSummary(client, bucket, expectedOf(stored), 2)).toBeUndefined();
  });

  it("are not used for another job's chunk, other models, rate or range, or measured at another scale", async () => {
    const { client, bucket } = s3();
    const stored = result(2, 10);
    await storeChunkResult(client, bucket, stored, 2);
    const expected = expectedOf(stored);
    expect(await storedChunkSummary(client, bucket, expected, 2)).toBeDefined();
    expect(await storedChunkSummary(client, bucket, { ...expected, models: 'models-2' }, 2)).toBeUndefined();
    expect(await storedChunkSummary(client, bucket, { ...expected, sampleFps: 4 }, 2)).toBeUndefined();
    expect(await storedChunkSummary(client, bucket, { ...expected, chunk: { index: 2, start: 10, end: 14 } }, 2)).toBeUndefined();
    expect(await storedChunkSummary(client, bucket, expected, 3)).toBeUndefined();
    expect(await storedChunkSummary(client, bucket, { ...expected, jobId: 'job-2' }, 2)).toBeUndefined();
  });
});

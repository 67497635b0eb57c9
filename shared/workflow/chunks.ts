import { z } from 'zod';
import { inputError } from '../errors.ts';
import { ChunkRange } from '../schemas/faces.ts';
import { roundTo } from '../numbers/round.ts';

/** The chunk manifest (intermediate/<id>/chunks.json): what the Distributed Map's ItemReader lists. */
export const ChunkManifest = z.array(ChunkRange).min(1);

/**
 * Splits [0, duration) into chunks of `chunkSeconds`; the last one is short, and a video shorter
 * than one chunk is one chunk. A tail shorter than a tenth of a chunk joins the previous chunk, so
 * no worker starts ffmpeg for a few frames.
 */
export function planChunks(durationSeconds: number, chunkSeconds: number): ChunkRange[] {
  if (!(durationSeconds > 0) || !Number.isFinite(durationSeconds)) {
    throw inputError(`the video has no duration (${durationSeconds} s)`, {
      input: 'video',
      hint: 'give a video file with at least one frame',
    });
  }
  const chunks: ChunkRange[] = [];
  for (let start = 0, index = 0; start < durationSeconds; start += chunkSeconds, index++) {
    chunks.push({ index, start: roundTo(start, 6), end: roundTo(Math.min(start + chunkSeconds, durationSeconds), 6) });
  }
  const last = chunks.at(-1)!;
  if (chunks.length > 1 && last.end - last.start < chunkSeconds / 10) {
    chunks.pop();
    chunks.at(-1)!.end = last.end;
  }
  return chunks;
}

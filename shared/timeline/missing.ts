import { inputError } from '../errors.ts';
import type { ChunkRange } from '../schemas/faces.ts';

/** Timestamps of the same boundary computed in two places may differ by rounding. */
const SLACK = 1e-3;

/**
 * Which chunks of the video have no result. With the manifest (chunks.json) this is exact. Without
 * it, holes are inferred from the results alone: a run of absent indexes between two results, before
 * the first, or video left after the last. Shard cuts equal chunks (only the last may be shorter), so
 * a hole between results is split evenly among its absent indexes, and video left after the last
 * result is cut into chunks as long as the longest result's.
 *
 * `present` must be sorted by index without duplicates.
 */
export function findMissingChunks(present: readonly ChunkRange[], videoDuration: number, manifest?: readonly ChunkRange[]): ChunkRange[] {
  return manifest ? missingFromManifest(present, manifest) : inferMissing(present, videoDuration);
}

function missingFromManifest(present: readonly ChunkRange[], manifest: readonly ChunkRange[]): ChunkRange[] {
  const planned = new Map(manifest.map((chunk) => [chunk.index, chunk]));
  for (const chunk of present) {
    const plan = planned.get(chunk.index);
    if (!plan) {
      throw inputError(`chunk ${chunk.index} has a result but is not in the chunk manifest`, {
        input: 'chunks',
        hint: 'the results and the manifest come from different jobs',
      });
    }
    if (Math.abs(plan.start - chunk.start) > SLACK || Math.abs(plan.end - chunk.end) > SLACK) {
      throw inputError(`chunk ${chunk.index} covers [${chunk.start}, ${chunk.end}) but the manifest says [${plan.start}, ${plan.end})`, {
        input: 'chunks',
        hint: 'the results and the manifest come from different jobs',
      });
    }
  }
  const done = new Set(present.map((chunk) => chunk.index));
  return manifest
    .filter((chunk) => !done.has(chunk.index))
    .map(({ index, start, end }) => ({ index, start, end }))
    .sort((a, b) => a.index - b.index);
}

function inferMissing(present: readonly ChunkRange[], videoDuration: number): ChunkRange[] {
  const first = present[0];
  const last = present[present.length - 1];
  if (!first || !last) {
    return videoDuration > 0 ? [{ index: 0, start: 0, end: videoDuration }] : [];
  }
  const missing: ChunkRange[] = [];
  if (first.index > 0) missing.push(...splitHole(0, first.index, 0, first.start));
  for (let i = 1; i < present.length; i++) {
    const before = present[i - 1]!;
    const after = present[i]!;
    const count = after.index - before.index - 1;
    if (count > 0) missing.push(...splitHole(before.index + 1, count, before.end, after.start));
  }
  if (videoDuration - last.end > SLACK) missing.push(...trailingHole(present, last, videoDuration));
  return missing;
}

/** Video left after the last result: cut like Shard cuts, full chunks and a shorter last one. */
function trailingHole(present: readonly ChunkRange[], last: ChunkRange, videoDuration: number): ChunkRange[] {
  const length = Math.max(...present.map((chunk) => chunk.end - chunk.start));
  const count = Math.ceil((videoDuration - last.end - SLACK) / length);
  return Array.from({ length: count }, (_, i) => ({
    index: last.index + 1 + i,
    start: last.end + length * i,
    end: i === count - 1 ? videoDuration : last.end + length * (i + 1),
  }));
}

function splitHole(firstIndex: number, count: number, start: number, end: number): ChunkRange[] {
  if (end - start <= 0) {
    throw inputError(`chunks ${firstIndex}..${firstIndex + count - 1} have no result, but the results leave no time for them`, {
      input: 'chunks',
      hint: 'chunk indexes and times disagree; pass the chunk manifest',
    });
  }
  const step = (end - start) / count;
  return Array.from({ length: count }, (_, i) => ({
    index: firstIndex + i,
    start: start + step * i,
    end: i === count - 1 ? end : start + step * (i + 1),
  }));
}

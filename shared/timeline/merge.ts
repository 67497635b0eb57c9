import { inputError } from '../errors.ts';
import type { Box, ChunkRange, ChunkSightings } from '../schemas/faces.ts';
import type { BestFace, Segment, Timeline, TimelineIdentity } from '../schemas/timeline.ts';
import { findMissingChunks } from './missing.ts';
import { findNearMisses } from './near-misses.ts';
import { roundTo } from '../numbers/round.ts';

export interface TimelineOptions {
  /** Frames scanned per second; every chunk result must agree. */
  sampleFps: number;
  /** Length of the video in seconds: the last sample's interval is cut there. */
  videoDuration: number;
  /** Largest gap (s) between two sightings of one person still merged into one segment. */
  gapTolerance?: number;
  /** Segments shorter than this (s) are dropped. */
  minDuration?: number;
  /** The chunk manifest (chunks.json). Without it, missing chunks are inferred from index gaps. */
  manifest?: readonly ChunkRange[];
  /** List unnamed tracks this close above their threshold as near misses (shared/timeline/near-misses.ts). */
  nearMissBand?: number;
}

/**
 * One missed sample between two sightings (a blink, a turned head) should not split a segment,
 * and at high sampling rates a fraction of a second of absence is noise too.
 */
export const defaultGapTolerance = (sampleFps: number): number => Math.max(1.5 / sampleFps, 1.0);

/** Float sums of 1/sampleFps must not decide whether two sightings merge. */
const EPSILON = 1e-9;

export interface Sighting {
  time: number;
  box: Box;
  confidence: number;
  distance: number | null;
  threshold: number | undefined;
}

/**
 * Merges the faces of every chunk into segments per identity. A sighting at t covers
 * [t, t + 1/sampleFps); sightings of one person closer than gapTolerance join, across chunk borders,
 * but never across a chunk that has no result: nobody looked there.
 */
export function buildTimeline(chunks: readonly ChunkSightings[], options: TimelineOptions): Timeline {
  const { sampleFps, videoDuration } = options;
  requireNumber('sampleFps', sampleFps, (v) => v > 0, 'a positive number');
  requireNumber('videoDuration', videoDuration, (v) => v >= 0, 'zero or more seconds');
  const gapTolerance = options.gapTolerance ?? defaultGapTolerance(sampleFps);
  const minDuration = options.minDuration ?? 0;
  requireNumber('gapTolerance', gapTolerance, (v) => v >= 0, 'zero or more seconds');
  requireNumber('minDuration', minDuration, (v) => v >= 0, 'zero or more seconds');

  const sorted = checkChunks(chunks, sampleFps);
  const missingChunks = findMissingChunks(
    sorted.map((result) => result.chunk),
    videoDuration,
    options.manifest,
  );

  const sightings = new Map<string, Sighting[]>();
  for (const result of sorted) {
    for (const face of result.faces) {
      if (face.identity === null) continue;
      const list = sightings.get(face.identity) ?? [];
      list.push({ time: face.time, box: face.box, confidence: face.confidence, distance: face.distance, threshold: face.threshold });
      sightings.set(face.identity, list);
    }
  }

  const period = 1 / sampleFps;
  const identities: TimelineIdentity[] = [];
  for (const name of [...sightings.keys()].sort()) {
    const list = sightings.get(name)!.sort((a, b) => a.time - b.time);
    const segments = mergeSightings(list, { period, videoDuration, gapTolerance, missingChunks }).filter((segment) => segment.end - segment.start >= minDuration - EPSILON);
    if (segments.length > 0) identities.push({ name, segments, totalSeconds: unionLength(segments) });
  }
  return {
    identities,
    videoDuration,
    sampleFps,
    missingChunks,
    ...(options.nearMissBand === undefined ? {} : { nearMisses: findNearMisses(sorted, options.nearMissBand) }),
  };
}

function requireNumber(name: string, value: number, valid: (value: number) => boolean, expected: string): void {
  if (!Number.isFinite(value) || !valid(value)) {
    throw inputError(`${name} must be ${expected}, got ${value}`, { input: name });
  }
}

/** Chunks sorted by index; mixing jobs or sampling rates would give a timeline that means nothing. */
function checkChunks(chunks: readonly ChunkSightings[], sampleFps: number): ChunkSightings[] {
  const sorted = [...chunks].sort((a, b) => a.chunk.index - b.chunk.index);
  const first = sorted[0];
  sorted.forEach((result, i) => {
    const previous = sorted[i - 1];
    if (previous && previous.chunk.index === result.chunk.index) {
      throw inputError(`chunk ${result.chunk.index} has two results`, { input: 'chunks', hint: 'pass each chunk result once' });
    }
    if (first && result.jobId !== first.jobId) {
      throw inputError(`chunk ${result.chunk.index} belongs to job ${result.jobId}, chunk ${first.chunk.index} to job ${first.jobId}`, {
        input: 'chunks',
      });
    }
    if (first && result.models !== first.models) {
      throw inputError(`chunk ${result.chunk.index} was computed by models ${result.models}, chunk ${first.chunk.index} by ${first.models}`, {
        input: 'chunks',
        hint: 'merge only the results of one set of models',
      });
    }
    if (Math.abs(result.sampleFps - sampleFps) > EPSILON) {
      throw inputError(`chunk ${result.chunk.index} was sampled at ${result.sampleFps} fps, the timeline at ${sampleFps} fps`, {
        input: 'sampleFps',
        hint: "use the job's sampling rate",
      });
    }
  });
  return sorted;
}

export interface MergeContext {
  period: number;
  videoDuration: number;
  gapTolerance: number;
  missingChunks: readonly ChunkRange[];
}

/** `sightings` sorted by time. */
export function mergeSightings(sightings: readonly Sighting[], context: MergeContext): Segment[] {
  const segments: Segment[] = [];
  let current: Segment | undefined;
  for (const sighting of sightings) {
    const end = coverEnd(sighting.time, context);
    if (current && sighting.time - current.end <= context.gapTolerance + EPSILON && !missingBetween(current.lastSeen, sighting.time, context.missingChunks)) {
      current.end = Math.max(current.end, end);
      current.lastSeen = sighting.time;
      current.faces += 1;
      if (isBetter(sighting, current.bestFace)) {
        current.bestFace = bestFaceOf(sighting);
        current.bestConfidence = sighting.confidence;
      }
      continue;
    }
    if (current) segments.push(current);
    current = {
      start: sighting.time,
      end,
      firstSeen: sighting.time,
      lastSeen: sighting.time,
      bestConfidence: sighting.confidence,
      bestFace: bestFaceOf(sighting),
      faces: 1,
    };
  }
  if (current) segments.push(current);
  return segments;
}

/**
 * Where one sighting's interval ends: one sampling period later, but never past the video's end
 * nor into a chunk without a result (we cannot claim presence where nobody looked).
 */
function coverEnd(time: number, { period, videoDuration, missingChunks }: MergeContext): number {
  let end = Math.min(time + period, videoDuration);
  for (const missing of missingChunks) {
    if (missing.start >= time) end = Math.min(end, missing.start);
  }
  return roundTo(Math.max(end, time), 6);
}

/** True when a chunk without a result lies between two sightings. */
const missingBetween = (from: number, to: number, missingChunks: readonly ChunkRange[]): boolean => missingChunks.some((missing) => missing.start < to && missing.end > from);

/** Highest confidence; on a tie the nearer match; on a tie still, the earlier face. */
function isBetter(candidate: Sighting, best: BestFace): boolean {
  if (candidate.confidence !== best.confidence) return candidate.confidence > best.confidence;
  const candidateDistance = candidate.distance ?? Infinity;
  const bestDistance = best.distance ?? Infinity;
  return candidateDistance < bestDistance;
}

const bestFaceOf = (sighting: Sighting): BestFace => ({
  time: sighting.time,
  box: { ...sighting.box },
  confidence: sighting.confidence,
  distance: sighting.distance,
  ...(sighting.threshold === undefined ? {} : { threshold: sighting.threshold }),
});

/** Segments sorted by start; they may touch or (around a missing chunk) overlap. */
export function unionLength(segments: readonly Pick<Segment, 'start' | 'end'>[]): number {
  let total = 0;
  let reached = -Infinity;
  for (const segment of segments) {
    const from = Math.max(segment.start, reached);
    if (segment.end > from) total += segment.end - from;
    reached = Math.max(reached, segment.end);
  }
  return roundTo(total, 6);
}

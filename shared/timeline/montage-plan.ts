import type { ChunkResult } from '../schemas/faces.ts';
import type { Timeline } from '../schemas/timeline.ts';
import type { MontageSegment } from '../video/montage-filters.ts';

/** A stretch of the source where at least one person is on screen, with everyone seen in it. */
export interface Span {
  start: number;
  end: number;
  /** Sorted, each once. */
  names: string[];
}

/**
 * Every segment of every person with overlapping or touching moments joined, in video order: the
 * montage's cuts and the chapters (which must not overlap) are both these.
 */
export function mergedSpans(timeline: Timeline): Span[] {
  const spans = timeline.identities
    .flatMap((identity) => identity.segments.map((segment) => ({ start: segment.start, end: segment.end, name: identity.name })))
    .sort((p, q) => p.start - q.start);
  const merged: { start: number; end: number; names: Set<string> }[] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) {
      last.end = Math.max(last.end, span.end);
      last.names.add(span.name);
    } else {
      merged.push({ start: span.start, end: span.end, names: new Set([span.name]) });
    }
  }
  return merged.map((span) => ({ start: span.start, end: span.end, names: [...span.names].sort() }));
}

/**
 * The montage's cuts: every segment of every person, overlapping moments joined into one cut
 * labelled with everyone in it, in video order; boxes from the named faces inside each cut.
 */
export function planMontage(timeline: Timeline, chunks: readonly ChunkResult[]): MontageSegment[] {
  const named = chunks.flatMap((chunk) => chunk.faces).filter((face) => face.identity !== null);
  return mergedSpans(timeline).map((cut) => ({
    start: cut.start,
    end: cut.end,
    label: cut.names.join(', '),
    boxes: named
      .filter((face) => face.time >= cut.start && face.time < cut.end)
      .sort((p, q) => p.time - q.time)
      .map((face) => ({ time: face.time, box: face.box, label: face.identity! })),
  }));
}

/** A cut of the source, [start, end) in source seconds, and where it begins in the montage (`at`). */
export interface PlacedCut {
  start: number;
  end: number;
  at: number;
}

/**
 * Where each cut begins in the montage when the pieces last exactly as long as the cuts. The
 * montage measures its pieces instead (cutAndConcat's `placed`), since an encoded piece runs a
 * frame or an audio packet longer or shorter; this is the plan those measurements replace.
 */
export function placeCuts(cuts: readonly { start: number; end: number }[]): PlacedCut[] {
  let at = 0;
  return cuts.map((cut) => {
    const placed = { start: cut.start, end: cut.end, at };
    at += cut.end - cut.start;
    return placed;
  });
}

/** The montage time showing source time `time`, or null when the montage leaves that moment out. */
export function montageTime(placed: readonly PlacedCut[], time: number): number | null {
  // Cuts never touch (touching moments are joined), so a cut's end belongs to it alone.
  const cut = placed.find((candidate) => time >= candidate.start && time <= candidate.end);
  return cut === undefined ? null : cut.at + (time - cut.start);
}

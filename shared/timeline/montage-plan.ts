import type { ChunkResult } from '../schemas/faces.ts';
import type { Timeline } from '../schemas/timeline.ts';
import type { MontageSegment } from '../video/montage-filters.ts';

/**
 * The montage's cuts: every segment of every person, overlapping moments joined into one cut
 * labelled with everyone in it, in video order; boxes from the named faces inside each cut.
 */
export function planMontage(timeline: Timeline, chunks: readonly ChunkResult[]): MontageSegment[] {
  const spans = timeline.identities
    .flatMap((identity) => identity.segments.map((segment) => ({ start: segment.start, end: segment.end, name: identity.name })))
    .sort((p, q) => p.start - q.start);
  const cuts: { start: number; end: number; names: Set<string> }[] = [];
  for (const span of spans) {
    const last = cuts.at(-1);
    if (last && span.start <= last.end) {
      last.end = Math.max(last.end, span.end);
      last.names.add(span.name);
    } else {
      cuts.push({ start: span.start, end: span.end, names: new Set([span.name]) });
    }
  }
  const named = chunks.flatMap((chunk) => chunk.faces).filter((face) => face.identity !== null);
  return cuts.map((cut) => ({
    start: cut.start,
    end: cut.end,
    label: [...cut.names].sort().join(', '),
    boxes: named
      .filter((face) => face.time >= cut.start && face.time < cut.end)
      .sort((p, q) => p.time - q.time)
      .map((face) => ({ time: face.time, box: face.box, label: face.identity! })),
  }));
}

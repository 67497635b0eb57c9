import type { Box, ChunkSightings } from '../schemas/faces.ts';
import type { Timeline } from '../schemas/timeline.ts';
import type { MontageCaption, MontageSegment } from '../video/montage-filters.ts';

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

/** A named face: where a person was seen, the montage's evidence for drawing their name. */
export interface Sighting {
  time: number;
  box: Box;
  identity: string;
}

/** The named faces of the chunk results, in time order. */
export function namedSightings(chunks: readonly ChunkSightings[]): Sighting[] {
  return chunks
    .flatMap((chunk) => chunk.faces)
    .flatMap((face) => (face.identity === null ? [] : [{ time: face.time, box: face.box, identity: face.identity }]))
    .sort((p, q) => p.time - q.time);
}

/** A stretch of the source the montage leaves out or shortens, with everyone seen in it. */
export interface MontageOmission extends Span {
  /** Seconds of it the montage shows (0: left out). */
  shown: number;
}

export interface MontagePlan {
  /** The pieces to cut, in video order, each at most MAX_CLIP_SECONDS long. */
  clips: MontageSegment[];
  /** Seconds someone is on screen in the timeline (the joined spans). */
  onScreenSeconds: number;
  /** Seconds the montage shows. */
  shownSeconds: number;
  capSeconds: number;
  /** Spans shortened to fit the cap (their first seconds are shown) or left out, in video order. */
  omitted: MontageOmission[];
}

/**
 * The longest piece cut in one ffmpeg run: pieces are the unit of work, of resumption and of
 * reuse, and a short piece is cheap to redo.
 */
export const MAX_CLIP_SECONDS = 30;
/** Below this a shortened cut is a flash nobody could follow: whole cuts are left out instead. */
export const MIN_CUT_SECONDS = 2;

/**
 * Which part of each span the montage shows when all of them do not fit in `cap` seconds. Each
 * span keeps its beginning, as long as the same length L for all fits (spans shorter than L are
 * whole): the longest L with sum(min(length, L)) <= cap. When even MIN_CUT_SECONDS each does not
 * fit, spans are taken in rounds, every person's longest not yet taken first, so as many people
 * as possible appear, and the rest are left out.
 */
export function fitToCap(spans: readonly Span[], cap: number): number[] {
  const lengths = spans.map((span) => span.end - span.start);
  const total = lengths.reduce((sum, length) => sum + length, 0);
  if (total <= cap) return lengths;
  const sorted = [...lengths].sort((p, q) => p - q);
  let shorter = 0;
  for (const [i, length] of sorted.entries()) {
    // With L >= length for the i shortest, the rest share what is left equally.
    const level = (cap - shorter) / (sorted.length - i);
    if (level <= length) {
      if (level >= MIN_CUT_SECONDS) return lengths.map((length) => Math.min(length, level));
      break;
    }
    shorter += length;
  }
  const shown = lengths.map(() => 0);
  const taken = new Set<number>();
  const byPerson = new Map<string, number[]>();
  spans.forEach((span, i) => {
    for (const name of span.names) byPerson.set(name, [...(byPerson.get(name) ?? []), i]);
  });
  for (const list of byPerson.values()) list.sort((p, q) => lengths[q]! - lengths[p]! || p - q);
  let left = cap;
  while (left >= MIN_CUT_SECONDS) {
    const picks = [...byPerson.keys()]
      .sort()
      .map((name) => byPerson.get(name)!.filter((i) => !taken.has(i))[0])
      .filter((i): i is number => i !== undefined);
    if (picks.length === 0) break;
    for (const i of picks) {
      if (taken.has(i) || left < MIN_CUT_SECONDS) continue;
      taken.add(i);
      shown[i] = Math.min(lengths[i]!, MIN_CUT_SECONDS);
      left -= shown[i]!;
    }
  }
  return shown;
}

/**
 * The captions of [start, end): at each moment, the names of the people seen then. A sighting
 * stands for one sample interval (`hold`), as its box does: held longer, a name would stay on
 * after a shot change, over someone else. Consecutive moments with the same names are one caption.
 */
export function captionsFor(sightings: readonly Sighting[], names: ReadonlySet<string>, start: number, end: number, hold: number): MontageCaption[] {
  const edges: { time: number; name: string; delta: number }[] = [];
  for (const sighting of sightings) {
    if (!names.has(sighting.identity) || sighting.time >= end || sighting.time + hold <= start) continue;
    edges.push({ time: Math.max(start, sighting.time), name: sighting.identity, delta: 1 });
    edges.push({ time: Math.min(end, sighting.time + hold), name: sighting.identity, delta: -1 });
  }
  const times = [...new Set(edges.map((edge) => edge.time))].sort((p, q) => p - q);
  const count = new Map<string, number>();
  const captions: MontageCaption[] = [];
  for (const [i, time] of times.entries()) {
    for (const edge of edges) if (edge.time === time) count.set(edge.name, (count.get(edge.name) ?? 0) + edge.delta);
    const next = times[i + 1];
    if (next === undefined) break;
    const text = [...count]
      .filter(([, n]) => n > 0)
      .map(([name]) => name)
      .sort()
      .join(', ');
    if (text === '') continue;
    const last = captions.at(-1);
    if (last && last.text === text && last.to === time) last.to = next;
    else captions.push({ from: time, to: next, text });
  }
  return captions;
}

/**
 * A cut is split where the people on screen change (a segment starts or ends), except at a point
 * closer than this to another such point or to the cut's start or end: a piece that short costs
 * more to cut on its own (an ffmpeg start, a seek, a store) than to encode again with its
 * neighbour. The rule looks at a point's neighbours only, so a person added to a search leaves
 * every split point that is not near one of theirs as it was.
 */
export const MIN_PIECE_SECONDS = 1;

/** A stretch of a cut to be cut as one piece (before the MAX_CLIP_SECONDS split), and the people whose segments cover any of it. */
interface Stretch {
  start: number;
  end: number;
  names: Set<string>;
}

/** Where the people on screen change, at least MIN_PIECE_SECONDS from any other such point, ascending. */
function splitPoints(timeline: Timeline): number[] {
  const points = [...new Set(timeline.identities.flatMap((identity) => identity.segments.flatMap((segment) => [segment.start, segment.end])))].sort((p, q) => p - q);
  return points.filter((point, i) => (i === 0 || point - points[i - 1]! >= MIN_PIECE_SECONDS) && (i === points.length - 1 || points[i + 1]! - point >= MIN_PIECE_SECONDS));
}

/**
 * [start, end) of one cut divided at the split points inside it, none within MIN_PIECE_SECONDS of
 * its ends. A piece's frames and drawings then depend only on the people in it, so adding a person
 * to a search changes only the pieces their segments reach or border: the others are the same
 * pieces, already cut. (Not when the cap shortens the montage: then a person added changes how
 * much of every cut is shown.)
 */
function stretchesOf(timeline: Timeline, points: readonly number[], start: number, end: number): Stretch[] {
  const inside = points.filter((point) => point - start >= MIN_PIECE_SECONDS && end - point >= MIN_PIECE_SECONDS);
  const cuts = [start, ...inside, end];
  return cuts.slice(1).map((to, i) => {
    const from = cuts[i]!;
    const names = timeline.identities.filter((identity) => identity.segments.some((segment) => segment.start < to && segment.end > from)).map((identity) => identity.name);
    return { start: from, end: to, names: new Set(names) };
  });
}

/** [start, end) in the fewest equal pieces of at most MAX_CLIP_SECONDS (no short remainder). */
function equalPieces(start: number, end: number): { from: number; to: number }[] {
  const count = Math.ceil((end - start) / MAX_CLIP_SECONDS);
  return Array.from({ length: count }, (_, k) => ({ from: start + ((end - start) * k) / count, to: k === count - 1 ? end : start + ((end - start) * (k + 1)) / count }));
}

/**
 * The montage: every person's segments, overlapping moments joined into one cut, fitted into
 * `capSeconds` (fitToCap), in video order. Each cut is split where the people on screen change
 * (stretchesOf) and into equal pieces of at most MAX_CLIP_SECONDS. Each piece names the people
 * seen at each moment of it (captionsFor) and boxes their faces.
 */
export function planMontage(timeline: Timeline, sightings: readonly Sighting[], { capSeconds, sampleFps }: { capSeconds: number; sampleFps: number }): MontagePlan {
  const spans = mergedSpans(timeline);
  const shown = fitToCap(spans, capSeconds);
  const points = splitPoints(timeline);
  const hold = 1 / sampleFps;
  const clips: MontageSegment[] = [];
  const omitted: MontageOmission[] = [];
  spans.forEach((span, i) => {
    const length = shown[i]!;
    const end = span.start + length;
    if (end < span.end) omitted.push({ ...span, shown: length });
    if (length <= 0) return;
    for (const stretch of stretchesOf(timeline, points, span.start, end)) {
      for (const { from, to } of equalPieces(stretch.start, stretch.end)) {
        clips.push({
          start: from,
          end: to,
          captions: captionsFor(sightings, stretch.names, from, to, hold),
          boxes: sightings
            .filter((face) => stretch.names.has(face.identity) && face.time >= from - hold && face.time < to)
            .map((face) => ({ time: face.time, box: face.box, label: face.identity })),
        });
      }
    }
  });
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return {
    clips,
    onScreenSeconds: sum(spans.map((span) => span.end - span.start)),
    shownSeconds: sum(shown),
    capSeconds,
    omitted,
  };
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
  // Pieces of one cut touch (split where the people change, or into equal parts): a time on their
  // boundary is the start of the later piece, which shows it; a cut's own end belongs to its last.
  const cut = placed.find((candidate) => time >= candidate.start && time < candidate.end) ?? placed.find((candidate) => time === candidate.end);
  return cut === undefined ? null : cut.at + (time - cut.start);
}

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
 * Below this, a piece's own cost (an ffmpeg start, a seek, a store) outweighs encoding its
 * seconds again with the piece beside it: a change of who is on screen closer than this to
 * another cut point does not split a cut.
 */
export const MIN_PIECE_SECONDS = 1;

/** A stretch of a cut to be cut as one piece (before the MAX_CLIP_SECONDS split), and the people whose segments cover any of it. */
interface Stretch {
  start: number;
  end: number;
  names: Set<string>;
}

/**
 * [start, end) of one cut divided where the people on screen change (a segment starts or ends),
 * points closer than MIN_PIECE_SECONDS to the last one kept or to the end left out. A piece's
 * frames and drawings then depend only on the people in it, so adding a person to a search
 * changes only the pieces their segments reach: the others are the same pieces, already cut.
 */
function stretchesOf(timeline: Timeline, start: number, end: number): Stretch[] {
  const points = [...new Set(timeline.identities.flatMap((identity) => identity.segments.flatMap((segment) => [segment.start, segment.end])))]
    .filter((time) => time > start && time < end)
    .sort((p, q) => p - q);
  const cuts = [start];
  for (const point of points) if (point - cuts.at(-1)! >= MIN_PIECE_SECONDS && end - point >= MIN_PIECE_SECONDS) cuts.push(point);
  cuts.push(end);
  return cuts.slice(1).map((to, i) => {
    const from = cuts[i]!;
    const names = timeline.identities.filter((identity) => identity.segments.some((segment) => segment.start < to && segment.end > from)).map((identity) => identity.name);
    return { start: from, end: to, names: new Set(names) };
  });
}

/**
 * The montage: every person's segments, overlapping moments joined into one cut, fitted into
 * `capSeconds` (fitToCap), in video order. Each cut is split where the people on screen change
 * (stretchesOf) and into pieces of at most MAX_CLIP_SECONDS. Each piece names the people seen at
 * each moment of it (captionsFor) and boxes their faces.
 */
export function planMontage(timeline: Timeline, sightings: readonly Sighting[], { capSeconds, sampleFps }: { capSeconds: number; sampleFps: number }): MontagePlan {
  const spans = mergedSpans(timeline);
  const shown = fitToCap(spans, capSeconds);
  const hold = 1 / sampleFps;
  const clips: MontageSegment[] = [];
  const omitted: MontageOmission[] = [];
  spans.forEach((span, i) => {
    const length = shown[i]!;
    const end = span.start + length;
    if (end < span.end) omitted.push({ ...span, shown: length });
    if (length <= 0) return;
    for (const stretch of stretchesOf(timeline, span.start, end)) {
      for (let from = stretch.start; from < stretch.end; from += MAX_CLIP_SECONDS) {
        const to = Math.min(stretch.end, from + MAX_CLIP_SECONDS);
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
  // Pieces of one cut touch (split where the people change, or every MAX_CLIP_SECONDS): a time on
  // their boundary is the first piece's end, which plays just before the next piece's start.
  const cut = placed.find((candidate) => time >= candidate.start && time <= candidate.end);
  return cut === undefined ? null : cut.at + (time - cut.start);
}

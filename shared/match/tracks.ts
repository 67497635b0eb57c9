import type { Box } from '../schemas/faces.ts';
import { euclidean } from './distance.ts';
import type { Match } from './matcher.ts';

/** One face seen in one sampled frame, as the tracker needs it. */
export interface Sighting {
  /** Sample index of the frame (consecutive samples differ by 1). */
  sample: number;
  box: Box;
  embedding: ArrayLike<number>;
  match: Match;
}

export interface TrackOptions {
  /** Samples a track may skip (a missed detection) and still continue. */
  maxSkip: number;
  /** Boxes must overlap at least this much (IoU), or have centres this close (in face widths). */
  minIoU: number;
  maxCentreShift: number;
  /** Descriptor distance above which two sightings are not the same person, however close. */
  maxEmbeddingJump: number;
  /** A track is named only if at least this share of its sightings name that person on their own. */
  minVoteShare: number;
}

export const DEFAULT_TRACK_OPTIONS: TrackOptions = {
  maxSkip: 1,
  minIoU: 0.3,
  maxCentreShift: 0.5,
  maxEmbeddingJump: 0.7,
  minVoteShare: 0.25,
};

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

function centreShift(a: Box, b: Box): number {
  const dx = a.x + a.width / 2 - (b.x + b.width / 2);
  const dy = a.y + a.height / 2 - (b.y + b.height / 2);
  return Math.hypot(dx, dy) / Math.max(a.width, b.width);
}

/**
 * Links sightings into tracks, greedily by overlap, frame after frame. Returns a track number per
 * sighting (same order as the input).
 */
export function linkTracks(sightings: readonly Sighting[], options: TrackOptions = DEFAULT_TRACK_OPTIONS): number[] {
  const order = sightings.map((_, i) => i).sort((p, q) => sightings[p]!.sample - sightings[q]!.sample);
  const trackOf = new Array<number>(sightings.length).fill(-1);
  const tails: number[] = [];
  let start = 0;
  while (start < order.length) {
    const sample = sightings[order[start]!]!.sample;
    let end = start;
    while (end < order.length && sightings[order[end]!]!.sample === sample) end++;
    const current = order.slice(start, end);
    const pairs: { score: number; face: number; track: number }[] = [];
    tails.forEach((tail, track) => {
      const previous = sightings[tail]!;
      if (sample - previous.sample > options.maxSkip + 1) return;
      for (const face of current) {
        const next = sightings[face]!;
        const overlap = iou(previous.box, next.box);
        const shift = centreShift(previous.box, next.box);
        if (overlap < options.minIoU && shift > options.maxCentreShift) continue;
        if (euclidean(previous.embedding, next.embedding) > options.maxEmbeddingJump) continue;
        pairs.push({ score: overlap - shift, face, track });
      }
    });
    pairs.sort((p, q) => q.score - p.score);
    const usedTracks = new Set<number>();
    for (const { face, track } of pairs) {
      if (trackOf[face]! >= 0 || usedTracks.has(track)) continue;
      trackOf[face] = track;
      usedTracks.add(track);
      tails[track] = face;
    }
    for (const face of current) {
      if (trackOf[face]! >= 0) continue;
      trackOf[face] = tails.length;
      tails.push(face);
    }
    start = end;
  }
  return trackOf;
}

export interface TrackLabel {
  identity: string | null;
  /** True when the sighting on its own named nobody (or someone else) and the track named it. */
  inherited: boolean;
  confidence: number;
}

/**
 * Names each track by vote: the identity most of its sightings name on their own, if it holds at
 * least `minVoteShare` of the track and no other identity ties it. One clear frontal frame then
 * names the profile frames of the same track; a stray match in a long track of a stranger does not.
 */
export function labelTracks(
  sightings: readonly Sighting[],
  trackOf: readonly number[],
  options: TrackOptions = DEFAULT_TRACK_OPTIONS,
): TrackLabel[] {
  const members = new Map<number, number[]>();
  trackOf.forEach((track, face) => members.set(track, [...(members.get(track) ?? []), face]));
  const labels = new Array<TrackLabel>(sightings.length);
  for (const faces of members.values()) {
    const votes = new Map<string, { count: number; confidence: number }>();
    for (const face of faces) {
      const { identity, confidence } = sightings[face]!.match;
      if (identity === null) continue;
      const vote = votes.get(identity) ?? { count: 0, confidence: 0 };
      votes.set(identity, { count: vote.count + 1, confidence: Math.max(vote.confidence, confidence) });
    }
    const ranked = [...votes.entries()].sort((p, q) => q[1].count - p[1].count || q[1].confidence - p[1].confidence);
    const [winner, runnerUp] = ranked;
    const named =
      winner !== undefined &&
      winner[1].count >= options.minVoteShare * faces.length &&
      (runnerUp === undefined || runnerUp[1].count < winner[1].count);
    for (const face of faces) {
      const own = sightings[face]!.match;
      labels[face] = named
        ? {
            identity: winner[0],
            inherited: own.identity !== winner[0],
            confidence: own.identity === winner[0] ? own.confidence : winner[1].confidence,
          }
        : { identity: null, inherited: false, confidence: 0 };
    }
  }
  return labels;
}

import type { Box } from '../schemas/faces.ts';
import { euclidean } from './distance.ts';
import { matchEmbedding, type GalleryIndex, type MatchRule } from './matcher.ts';

/** One face seen in one sampled frame, as the tracker needs it. */
export interface Sighting {
  /** Sample index of the frame (consecutive samples differ by 1). */
  sample: number;
  box: Box;
  embedding: ArrayLike<number>;
}

export interface TrackOptions {
  /** Samples a track may skip (a missed detection) and still continue. */
  maxSkip: number;
  /** Boxes must overlap at least this much (IoU), or have centres this close (in face widths). */
  minIoU: number;
  maxCentreShift: number;
  /** Descriptor distance above which two sightings are not the same person, however close. */
  maxEmbeddingJump: number;
  /** Fewest sightings a track needs before it is named. */
  minTrackLength: number;
}

export const DEFAULT_TRACK_OPTIONS: TrackOptions = {
  maxSkip: 1,
  minIoU: 0.3,
  maxCentreShift: 0.5,
  maxEmbeddingJump: 0.6,
  minTrackLength: 2,
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
  /** Distance of the track's mean descriptor to the named (or nearest) identity. */
  distance: number;
  confidence: number;
}

/**
 * Names whole tracks, not frames: the mean of a track's descriptors is matched against the
 * gallery. Frame descriptors of one person scatter (pose, blur, expression) around a centre that
 * their mean estimates far better than any single frame, so a clear frame carries the profile
 * frames of the same track, while a stranger's one lucky frame is outvoted by the rest. A track
 * seen in fewer than `minTrackLength` samples is not named at all: one glimpse is not evidence.
 */
export function labelTracks(
  sightings: readonly Sighting[],
  trackOf: readonly number[],
  gallery: GalleryIndex,
  rule: MatchRule,
  options: TrackOptions = DEFAULT_TRACK_OPTIONS,
): TrackLabel[] {
  const members = new Map<number, number[]>();
  trackOf.forEach((track, face) => members.set(track, [...(members.get(track) ?? []), face]));
  const labels = new Array<TrackLabel>(sightings.length);
  for (const faces of members.values()) {
    const size = sightings[faces[0]!]!.embedding.length;
    const mean = new Float64Array(size);
    for (const face of faces) {
      const embedding = sightings[face]!.embedding;
      for (let k = 0; k < size; k++) mean[k]! += embedding[k]! / faces.length;
    }
    const match = matchEmbedding(gallery, mean, rule);
    const named = faces.length >= options.minTrackLength ? match.identity : null;
    for (const face of faces) {
      labels[face] = { identity: named, distance: match.distance, confidence: named === null ? 0 : match.confidence };
    }
  }
  return labels;
}

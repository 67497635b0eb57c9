import type { Box } from '../schemas/faces.ts';
import { iou } from '../vision/box.ts';
import { euclidean } from './distance.ts';
import { matchDescriptor, thresholdFor, type FaceDescriptor, type GalleryIndex, type MatchRule } from './matcher.ts';

/** One face seen in one sampled frame, as the tracker needs it. */
export interface Sighting {
  /** Sample index of the frame (consecutive samples differ by 1). */
  sample: number;
  box: Box;
  /** dlib descriptor: it decides whether two sightings can be the same person. */
  embedding: ArrayLike<number>;
}

/** A face as naming needs it: its size, descriptors and how much it counts. */
export interface Evidence {
  /** In the pixels of the analysed frame: the threshold depends on the face's size there. */
  box: Box;
  embedding: ArrayLike<number>;
  /** Evidence weight, 0..1 (shared/vision/quality.ts). */
  quality: number;
  faceres?: ArrayLike<number> | undefined;
}

/** A sighting as tracking and naming need it. */
export type RatedSighting = Sighting & Evidence;

export interface TrackOptions {
  /** Samples a track may skip (a missed detection) and still continue. */
  maxSkip: number;
  /** Boxes must overlap at least this much (IoU), or have centres this close (in face widths). */
  minIoU: number;
  maxCentreShift: number;
  /** Descriptor distance above which two sightings are not the same person, however close. */
  maxEmbeddingJump: number;
  /** Tracks seen in fewer samples are held to the rule's single-sighting bar. */
  minTrackLength: number;
  /**
   * Sightings of a track embedded by FaceRes: the best by quality, kept as the track goes on. Each
   * costs about 13 ms (a 224-px network), so few; and more is not better: averaging in a track's
   * weaker faces pulls its descriptor away (on the dev clip, 3 made a profile track worse than 2).
   */
  bestSightings: number;
}

export const DEFAULT_TRACK_OPTIONS: TrackOptions = {
  maxSkip: 1,
  minIoU: 0.3,
  maxCentreShift: 0.5,
  maxEmbeddingJump: 0.6,
  minTrackLength: 2,
  bestSightings: 2,
};

function centreShift(a: Box, b: Box): number {
  const dx = a.x + a.width / 2 - (b.x + b.width / 2);
  const dy = a.y + a.height / 2 - (b.y + b.height / 2);
  return Math.hypot(dx, dy) / Math.max(a.width, b.width);
}

/**
 * Links sightings into tracks frame after frame, greedily by overlap, as the frames arrive: a scan
 * learns which tracks have ended (and can be described and let go) while it decodes.
 */
export class TrackLinker {
  private readonly tails: Sighting[] = [];
  private readonly closed = new Set<number>();

  constructor(private readonly options: TrackOptions = DEFAULT_TRACK_OPTIONS) {}

  /**
   * Links the sightings of one sample (all with the same `sample`, later than any before).
   * Returns each one's track number, and the tracks that can no longer continue from this sample on.
   */
  add(sample: number, current: readonly Sighting[]): { tracks: number[]; ended: number[] } {
    const reach = this.options.maxSkip + 1;
    const ended = this.tails.flatMap((tail, track) => (!this.closed.has(track) && sample - tail.sample > reach ? [track] : []));
    for (const track of ended) this.closed.add(track);
    const pairs: { score: number; face: number; track: number }[] = [];
    this.tails.forEach((previous, track) => {
      if (this.closed.has(track)) return;
      current.forEach((next, face) => {
        const overlap = iou(previous.box, next.box);
        const shift = centreShift(previous.box, next.box);
        if (overlap < this.options.minIoU && shift > this.options.maxCentreShift) return;
        if (euclidean(previous.embedding, next.embedding) > this.options.maxEmbeddingJump) return;
        pairs.push({ score: overlap - shift, face, track });
      });
    });
    pairs.sort((p, q) => q.score - p.score);
    const tracks = new Array<number>(current.length).fill(-1);
    const usedTracks = new Set<number>();
    for (const { face, track } of pairs) {
      if (tracks[face]! >= 0 || usedTracks.has(track)) continue;
      tracks[face] = track;
      usedTracks.add(track);
      this.tails[track] = current[face]!;
    }
    current.forEach((sighting, face) => {
      if (tracks[face]! >= 0) return;
      tracks[face] = this.tails.length;
      this.tails.push(sighting);
    });
    return { tracks, ended };
  }

  /** Every track not yet reported as ended (the scan is over, so they all end). */
  finish(): number[] {
    const open = this.tails.flatMap((_, track) => (this.closed.has(track) ? [] : [track]));
    for (const track of open) this.closed.add(track);
    return open;
  }
}

/** linkTracks over a whole list at once: a track number per sighting (same order as the input). */
export function linkTracks(sightings: readonly Sighting[], options: TrackOptions = DEFAULT_TRACK_OPTIONS): number[] {
  const order = sightings.map((_, i) => i).sort((p, q) => sightings[p]!.sample - sightings[q]!.sample);
  const trackOf = new Array<number>(sightings.length).fill(-1);
  const linker = new TrackLinker(options);
  let start = 0;
  while (start < order.length) {
    const sample = sightings[order[start]!]!.sample;
    let end = start;
    while (end < order.length && sightings[order[end]!]!.sample === sample) end++;
    const group = order.slice(start, end);
    const { tracks } = linker.add(
      sample,
      group.map((i) => sightings[i]!),
    );
    group.forEach((i, k) => (trackOf[i] = tracks[k]!));
    start = end;
  }
  return trackOf;
}

/**
 * A track's face as both descriptors see it. dlib: the quality-weighted mean of every sighting,
 * so clear frontal frames count most while profile and blurred frames still add. FaceRes: the
 * normalized mean of the sightings it described (the track's best few), when there are any.
 */
export function trackDescriptor(members: readonly Evidence[]): FaceDescriptor {
  const size = members[0]!.embedding.length;
  const dlib = new Float64Array(size);
  const weights = members.map((member) => Math.max(member.quality, 1e-3));
  const total = weights.reduce((sum, w) => sum + w, 0);
  members.forEach((member, m) => {
    for (let k = 0; k < size; k++) dlib[k]! += (member.embedding[k]! * weights[m]!) / total;
  });
  const described = members.flatMap((member) => (member.faceres === undefined ? [] : [member.faceres]));
  if (described.length === 0) return { dlib };
  const faceres = new Float64Array(described[0]!.length);
  for (const vector of described) for (let k = 0; k < faceres.length; k++) faceres[k]! += vector[k]!;
  const norm = Math.hypot(...faceres);
  return { dlib, faceres: norm > 0 ? faceres.map((v) => v / norm) : faceres };
}

export interface TrackLabel {
  identity: string | null;
  /** Distance of the track's descriptor to the named (or nearest) identity: fused when FaceRes described it. */
  distance: number;
  confidence: number;
  /** The threshold the track was judged against. */
  threshold: number;
  /** The nearest identity, named or not. */
  nearest: string;
  /** Whether the distance is fused (FaceRes described the track): only then does it name anyone. */
  fused: boolean;
}

/**
 * Names whole tracks, not frames. Frame descriptors of one person scatter (pose, blur,
 * expression) around a centre that the track's average estimates far better than any single
 * frame, so a clear frame carries the profile frames of the same track, while a stranger's one
 * lucky frame is outvoted by the rest. Only fused evidence names anyone: the rule is calibrated
 * for it. The threshold depends on the track's median face width (in the analysed frame) and on
 * whether it was seen fewer than `minTrackLength` times (shared/match/matcher.ts thresholdFor).
 */
export function labelTracks(
  sightings: readonly Evidence[],
  trackOf: readonly number[],
  gallery: GalleryIndex,
  rule: MatchRule,
  options: TrackOptions = DEFAULT_TRACK_OPTIONS,
): TrackLabel[] {
  const members = new Map<number, number[]>();
  trackOf.forEach((track, face) => {
    const list = members.get(track);
    if (list) list.push(face);
    else members.set(track, [face]);
  });
  const labels = new Array<TrackLabel>(sightings.length);
  for (const faces of members.values()) {
    const descriptor = trackDescriptor(faces.map((face) => sightings[face]!));
    const single = faces.length < options.minTrackLength;
    const widths = faces.map((face) => sightings[face]!.box.width).sort((p, q) => p - q);
    const threshold = thresholdFor(rule, widths[widths.length >> 1]!, single);
    const match = matchDescriptor(gallery, descriptor, rule, threshold);
    const named = descriptor.faceres === undefined ? null : match.identity;
    for (const face of faces) {
      labels[face] = {
        identity: named,
        distance: match.distance,
        confidence: named === null ? 0 : match.confidence,
        threshold,
        nearest: match.nearest,
        fused: descriptor.faceres !== undefined,
      };
    }
  }
  return labels;
}

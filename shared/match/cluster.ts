import type { Box } from '../schemas/faces.ts';
import { euclidean } from './distance.ts';
import { DEFAULT_FUSION, fusedDistance, type Fusion } from './fusion.ts';
import { SMALL_FACE } from './matcher.ts';
import { DEFAULT_TRACK_OPTIONS } from './tracks.ts';

/**
 * Groups the tracks nobody was named in into people, across the whole video: one person cut into
 * many shots (and chunks) becomes one group, two people never share one. Its input is one record
 * per track (one descriptor each, not one per face), which is what a compact per-chunk summary
 * can carry.
 */

/** One unnamed track as clustering sees it. */
export interface TrackRecord {
  /** The track's id in the job (`<chunk>-<n>`). */
  track: string;
  /** Quality-weighted mean dlib descriptor of its faces (shared/match/tracks.ts trackDescriptor). */
  dlib: ArrayLike<number>;
  /** Normalized mean FaceRes descriptor of its best faces; a track without one is not grouped (nothing to fuse). */
  faceres?: ArrayLike<number> | undefined;
  /** How many faces (samples) the track has. */
  sightings: number;
  /** How much the track counts in a group's average: the sum of its faces' quality (size, pose, detector score). */
  weight: number;
  /** Median face width in the analysed frame's pixels: small faces get the matcher's small-face allowance. */
  faceWidth: number;
  /** Its sample times (s), ascending: two tracks seen in the same frame are two people. */
  times: readonly number[];
  /** Its face's box at each of `times`: two tracks seen in the same frame at the same place are one face detected twice, not two people. */
  boxes?: readonly Box[];
}

/**
 * When two groups are one person. Calibrated like the matcher's rule, on photos and never on a
 * video's answer (`lambdaface eval-photos`, `calibration.pairs`; README, "Calibration"), but for
 * what clustering compares: one video face against another, neither a reference photo.
 */
export interface ClusterRule {
  /**
   * Largest fused distance between two tracks of large faces that may be one person: where a
   * Gaussian fitted to the fused distances between video-like faces of different people puts the
   * false-accept rate 1e-3.
   */
  threshold: number;
  /**
   * Added for faces `SMALL_FACE.from` px wide or less, linearly from `SMALL_FACE.to`: the hard
   * condition's threshold at the same rate, less the video-like one. Negative: two small, soft
   * faces look more alike than two sharp ones, strangers included (the matcher's allowance is
   * positive because it compares a small face with a sharp photo).
   */
  smallFaceShift: number;
  /** Taken off for a pair where a track was seen once: such a pair is held to a false-accept rate of 1e-4. */
  singleSightingPenalty: number;
  /** A group seen in fewer samples than this is noise (a lone face seen once, a detector's false alarm) and not listed. */
  minSightings: number;
  /** At most this many tracks are grouped (the heaviest; the pairwise table grows with its square). */
  maxTracks: number;
}

/**
 * From `lambdaface eval-photos --faces ../shared/data/faces` (calibration.pairs; 6,474 pairs of
 * different people's video-like faces, 6,249 of hard ones): video-like faces against each other
 * have fused impostor distances of mean 0.833, sd 0.0776, which put the false-accept rate 1e-3 at
 * 0.593 (98.1% of the same person's pairs within it) and 1e-4 at 0.544; the hard condition's 40-px
 * faces put 1e-3 at 0.525.
 */
export const DEFAULT_CLUSTER_RULE: ClusterRule = {
  threshold: 0.593,
  smallFaceShift: -0.068,
  singleSightingPenalty: 0.049,
  minSightings: DEFAULT_TRACK_OPTIONS.minTrackLength,
  maxTracks: 4000,
};

export interface Clustering {
  /** Each group's tracks (indexes into the input), the heaviest track first; groups by their earliest sighting. */
  groups: number[][];
  /** Tracks in no group: no FaceRes descriptor, a group too small to list, or past `maxTracks`. */
  ignored: number[];
}

/** The bar for one pair of tracks: shifted by the smaller face's size, stricter where either was seen once. */
export function pairThreshold(rule: ClusterRule, a: Pick<TrackRecord, 'faceWidth' | 'sightings'>, b: Pick<TrackRecord, 'faceWidth' | 'sightings'>): number {
  const width = Math.min(a.faceWidth, b.faceWidth);
  const small = Math.min(1, Math.max(0, (SMALL_FACE.to - width) / (SMALL_FACE.to - SMALL_FACE.from)));
  const single = a.sightings < DEFAULT_TRACK_OPTIONS.minTrackLength || b.sightings < DEFAULT_TRACK_OPTIONS.minTrackLength;
  return rule.threshold + small * rule.smallFaceShift - (single ? rule.singleSightingPenalty : 0);
}

/** Fused distance between two tracks' descriptors (shared/match/fusion.ts). */
export const trackDistance = (a: TrackRecord, b: TrackRecord, fusion: Fusion = DEFAULT_FUSION): number =>
  fusedDistance(euclidean(a.dlib, b.dlib), euclidean(a.faceres!, b.faceres!), fusion);

const centreInside = (inner: Box, outer: Box): boolean => {
  const x = inner.x + inner.width / 2;
  const y = inner.y + inner.height / 2;
  return x >= outer.x && x <= outer.x + outer.width && y >= outer.y && y <= outer.y + outer.height;
};

/**
 * Whether two tracks were seen in the same frame at different places (then they are two people,
 * however alike). At the same place (one box's centre inside the other) it is one face the
 * detector found twice, at two scales of its pyramid.
 */
function together(a: TrackRecord, b: TrackRecord): boolean {
  const { times: ta } = a;
  const { times: tb } = b;
  if (ta.length === 0 || tb.length === 0 || ta[ta.length - 1]! < tb[0]! || tb[tb.length - 1]! < ta[0]!) return false;
  const seen = new Map(ta.map((t, i) => [Math.round(t * 1e4), i]));
  return tb.some((t, j) => {
    const i = seen.get(Math.round(t * 1e4));
    if (i === undefined) return false;
    const boxA = a.boxes?.[i];
    const boxB = b.boxes?.[j];
    return boxA === undefined || boxB === undefined || !(centreInside(boxA, boxB) || centreInside(boxB, boxA));
  });
}

/**
 * Average linkage over tracks, weighted by quality: two groups join when the weighted mean, over
 * every pair of their tracks, of (fused distance - that pair's threshold) is at most 0. A mean
 * over many pairs is steadier than any one pair, so a person's profile shot joins the group of
 * their frontal shots when it is near them on average, and a stranger's one lucky pair does not
 * join two people (unlike single linkage, which chains). Two tracks seen in the same frame never
 * share a group (their pair counts as infinitely far, and so does any group holding both).
 *
 * Computed with the nearest-neighbour chain and the Lance-Williams update for weighted average
 * linkage (exact, O(n²) time and memory); the groups are the dendrogram cut at 0.
 */
export function clusterTracks(tracks: readonly TrackRecord[], rule: ClusterRule = DEFAULT_CLUSTER_RULE, fusion: Fusion = DEFAULT_FUSION): Clustering {
  const describable = tracks.flatMap((track, i) => (track.faceres === undefined ? [] : [i]));
  const kept = [...describable].sort((p, q) => tracks[q]!.weight - tracks[p]!.weight || p - q).slice(0, rule.maxTracks);
  const n = kept.length;
  // The linkage between groups i and j (each starts as one track): the table's lower triangle, which is all a symmetric table holds.
  const excess = new Float32Array((n * (n - 1)) / 2);
  const at = (i: number, j: number): number => (i > j ? (i * (i - 1)) / 2 + j : (j * (j - 1)) / 2 + i);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = tracks[kept[i]!]!;
      const b = tracks[kept[j]!]!;
      const value = together(a, b) ? Infinity : trackDistance(a, b, fusion) - pairThreshold(rule, a, b);
      excess[at(i, j)] = value;
    }
  }
  const weight = kept.map((i) => Math.max(tracks[i]!.weight, 1e-3));
  const members = kept.map((_, i) => [i]);
  const active = new Set(kept.map((_, i) => i));
  const final: number[][] = [];
  const chain: number[] = [];
  const nearestTo = (a: number): { b: number; d: number } => {
    let best = { b: -1, d: Infinity };
    for (const c of active) {
      if (c === a) continue;
      const d = excess[at(a, c)]!;
      // Ties go to the chain's previous link, so the chain ends in a pair of mutual nearest neighbours.
      if (d < best.d || (d === best.d && c === chain[chain.length - 2]) || best.b < 0) best = { b: c, d };
    }
    return best;
  };
  while (active.size > 0) {
    if (chain.length === 0) chain.push(Math.min(...active));
    const a = chain[chain.length - 1]!;
    const { b, d } = nearestTo(a);
    if (b < 0) {
      final.push(members[a]!);
      active.delete(a);
      chain.pop();
      continue;
    }
    if (b !== chain[chain.length - 2]) {
      chain.push(b);
      continue;
    }
    chain.splice(-2, 2);
    if (!(d <= 0)) {
      // Mutual nearest neighbours too far apart: neither can join anyone, now or after other merges.
      final.push(members[a]!, members[b]!);
      active.delete(a);
      active.delete(b);
      continue;
    }
    // b's group joins a's; a's row becomes the weighted mean of both rows.
    for (const c of active) {
      if (c === a || c === b) continue;
      excess[at(a, c)] = (weight[a]! * excess[at(a, c)]! + weight[b]! * excess[at(b, c)]!) / (weight[a]! + weight[b]!);
    }
    weight[a]! += weight[b]!;
    members[a]!.push(...members[b]!);
    active.delete(b);
  }
  const listed = final
    .filter((group) => group.reduce((sum, i) => sum + tracks[kept[i]!]!.sightings, 0) >= rule.minSightings)
    .map((group) => group.map((i) => kept[i]!).sort((p, q) => tracks[q]!.weight - tracks[p]!.weight || p - q));
  // A loop, not Math.min(...times): one person on screen for hours has more sightings than a call takes arguments.
  const firstSeen = (group: readonly number[]) => group.reduce((first, i) => tracks[i]!.times.reduce((low, t) => Math.min(low, t), first), Infinity);
  listed.sort((p, q) => firstSeen(p) - firstSeen(q) || Math.min(...p) - Math.min(...q));
  const grouped = new Set(listed.flat());
  return { groups: listed, ignored: tracks.flatMap((_, i) => (grouped.has(i) ? [] : [i])) };
}

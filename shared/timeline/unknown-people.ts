import { clusterTracks, DEFAULT_CLUSTER_RULE, type ClusterRule } from '../match/cluster.ts';
import { trackDescriptor } from '../match/tracks.ts';
import { roundTo } from '../numbers/round.ts';
import type { UnnamedTrack } from '../schemas/chunk-summary.ts';
import type { ChunkRange, ChunkResult, FaceRecord } from '../schemas/faces.ts';
import type { UnknownPeople, UnknownPerson } from '../schemas/timeline.ts';
import { mergeSightings, unionLength } from './merge.ts';

/** At most this many faces show one unknown person (one per track, the clearest first). */
export const MAX_FACES_PER_UNKNOWN = 3;

/**
 * One record per unnamed track of the job (every chunk): its descriptors as naming computes them
 * (shared/match/tracks.ts trackDescriptor), its weight and median face width in the analysed
 * frame (`scale`: source pixels per analysed pixel), its times and clearest face: what a chunk's
 * summary holds per track (shared/workflow/chunk-summaries.ts).
 */
export function unnamedTracks(chunks: readonly ChunkResult[], scale: number): UnnamedTrack[] {
  const byTrack = new Map<string, FaceRecord[]>();
  for (const chunk of chunks) {
    for (const face of chunk.faces) {
      if (face.identity !== null) continue;
      const list = byTrack.get(face.track);
      if (list) list.push(face);
      else byTrack.set(face.track, [face]);
    }
  }
  return [...byTrack].map(([track, faces]) => {
    const descriptor = trackDescriptor(faces);
    const widths = faces.map((face) => face.box.width / scale).sort((p, q) => p - q);
    const best = faces.reduce((top, face) => (face.quality > top.quality ? face : top));
    return {
      track,
      // Six digits, as stored descriptors are: the same values whether read from a chunk's summary or made from its result.
      dlib: Float64Array.from(descriptor.dlib, (value) => roundTo(value, 6)),
      faceres: descriptor.faceres && Float64Array.from(descriptor.faceres, (value) => roundTo(value, 6)),
      sightings: faces.length,
      weight: faces.reduce((sum, face) => sum + face.quality, 0),
      faceWidth: widths[widths.length >> 1]!,
      ...timesAndBoxes(faces),
      best: { time: best.time, box: best.box, quality: best.quality },
    };
  });
}

/** A track's sample times, ascending, and its box at each. */
function timesAndBoxes(faces: readonly FaceRecord[]): Pick<UnnamedTrack, 'times' | 'boxes'> {
  const sorted = [...faces].sort((p, q) => p.time - q.time);
  return { times: sorted.map((face) => face.time), boxes: sorted.map((face) => face.box) };
}

export interface UnknownPeopleOptions {
  sampleFps: number;
  videoDuration: number;
  gapTolerance: number;
  /** Chunks with no result: no segment is bridged across them. */
  missingChunks: readonly ChunkRange[];
  rule?: ClusterRule;
}

/** One group of tracks as an unknown person: segments merged as a named person's are, and their clearest faces. */
function personOf(id: string, group: readonly UnnamedTrack[], options: UnknownPeopleOptions): UnknownPerson {
  const sightings = group
    .flatMap((track) => track.times.map((time) => ({ time, box: track.best.box, confidence: 0, distance: null, threshold: undefined })))
    .sort((p, q) => p.time - q.time);
  const segments = mergeSightings(sightings, {
    period: 1 / options.sampleFps,
    videoDuration: options.videoDuration,
    gapTolerance: options.gapTolerance,
    missingChunks: options.missingChunks,
  }).map(({ start, end, firstSeen, lastSeen, faces }) => ({ start, end, firstSeen, lastSeen, faces }));
  const bestFaces = [...group]
    .sort((p, q) => q.best.quality - p.best.quality || p.best.time - q.best.time)
    .slice(0, MAX_FACES_PER_UNKNOWN)
    .map((track) => ({ ...track.best, box: { ...track.best.box }, track: track.track }));
  return {
    id,
    tracks: group.map((track) => track.track),
    firstSeen: segments[0]!.firstSeen,
    lastSeen: segments.at(-1)!.lastSeen,
    totalSeconds: roundTo(unionLength(segments), 6),
    segments,
    bestFaces,
  };
}

/**
 * The people nobody enrolled: the unnamed tracks of the whole video grouped by
 * shared/match/cluster.ts, each group with an id (`u1`, `u2`, … by first appearance, so the same
 * job always gives the same ids), its segments, time on screen and clearest faces.
 */
export function findUnknownPeople(tracks: readonly UnnamedTrack[], options: UnknownPeopleOptions): UnknownPeople {
  const rule = options.rule ?? DEFAULT_CLUSTER_RULE;
  const { groups, ignored } = clusterTracks(tracks, rule);
  return {
    people: groups.map((group, i) =>
      personOf(
        `u${i + 1}`,
        group.map((index) => tracks[index]!),
        options,
      ),
    ),
    ignoredTracks: ignored.length,
    threshold: rule.threshold,
  };
}

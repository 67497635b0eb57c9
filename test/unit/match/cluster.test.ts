import { describe, expect, it } from 'vitest';
import { clusterTracks, DEFAULT_CLUSTER_RULE, pairThreshold, type ClusterRule, type TrackRecord } from '../../../shared/match/cluster.ts';
import type { Fusion } from '../../../shared/match/fusion.ts';
import { unitAt, vec } from './vectors.ts';

/**
 * With this fusion and one FaceRes descriptor shared by every track, the fused distance of two
 * tracks is half their dlib distance: a track at x on the line has dlib descriptor 2x, so the
 * fused distance of two tracks is how far apart they are on the line.
 */
const HALF_DLIB: Fusion = { dlib: { mean: 0, std: 1 }, faceres: { mean: 0, std: 1 } };
const RULE: ClusterRule = { threshold: 0.5, smallFaceShift: 0, singleSightingPenalty: 0.1, minSightings: 2, maxTracks: 100 };
const SAME_FACERES = unitAt(0);

let clock = 0;
/** A track at `x` on the line, seen `sightings` times from `at` (a new moment by default). */
function track(x: number, options: { sightings?: number; weight?: number; at?: number; faceres?: boolean } = {}): TrackRecord {
  const sightings = options.sightings ?? 4;
  const start = options.at ?? (clock += 10);
  return {
    track: `t${start}-${x}`,
    dlib: vec(2 * x),
    faceres: options.faceres === false ? undefined : SAME_FACERES,
    sightings,
    weight: options.weight ?? sightings,
    faceWidth: 100,
    times: Array.from({ length: sightings }, (_, i) => start + i * 0.25),
  };
}

const cluster = (tracks: TrackRecord[], rule: ClusterRule = RULE) => clusterTracks(tracks, rule, HALF_DLIB);

describe('clusterTracks', () => {
  it("groups one person's tracks from anywhere in the video and keeps two people apart, ordered by first appearance", () => {
    const tracks = [track(3), track(0), track(3.2), track(0.3), track(0.1, { weight: 9 })];
    const { groups, ignored } = cluster(tracks);
    // The person at 3 is seen first; within a group the heaviest track leads.
    expect(groups).toEqual([
      [0, 2],
      [4, 1, 3],
    ]);
    expect(ignored).toEqual([]);
  });

  it('never puts two tracks seen in the same frame in one group, however alike', () => {
    const { groups } = cluster([track(0, { at: 5 }), track(0, { at: 5.5 })]);
    expect(groups).toEqual([[0], [1]]);
  });

  it('joins a face the detector found twice in one frame, at the same place, to its track', () => {
    const box = (x: number, width: number) => ({ x, y: 0, width, height: width });
    const at = (boxes: ReturnType<typeof box>[]) => ({ ...track(0, { at: 5, sightings: boxes.length }), boxes });
    // The same face at two pyramid scales: the small box's centre is inside the large one.
    expect(cluster([at([box(100, 60), box(100, 60)]), { ...at([box(80, 120), box(80, 120)]), track: 'twice' }]).groups).toEqual([[0, 1]]);
    // Side by side in the same frames: two people.
    expect(cluster([at([box(100, 60), box(100, 60)]), { ...at([box(400, 60), box(400, 60)]), track: 'beside' }]).groups).toHaveLength(2);
  });

  it('averages over every pair of tracks, so a chain of look-alikes does not join its far ends', () => {
    // Neighbours 0.45 apart (under 0.5), the ends 0.9: single linkage would make one group of three.
    const { groups } = cluster([track(0), track(0.45), track(0.9)]);
    expect(groups).toHaveLength(2);
    expect(groups.flat().sort()).toEqual([0, 1, 2]);
  });

  it("weights tracks by quality: a faint track does not keep a clear one's new shot out of its person", () => {
    const clear = track(0, { weight: 10 });
    const faint = track(0.4, { weight: 0.5 });
    const shot = track(-0.35, { weight: 1 });
    expect(cluster([clear, faint, shot]).groups).toEqual([[0, 2, 1]]);
    // Counted alike, the faint track's distance to the new shot outweighs it.
    const alike = [clear, faint, shot].map((t) => ({ ...t, weight: 1 }));
    expect(cluster(alike).groups).toHaveLength(2);
  });

  it('holds a face seen once to the stricter bar and leaves it out when it joins nobody', () => {
    const person = [track(0), track(0.1)];
    // 0.5 and 0.4 from the person's tracks: within 0.5 of one, but not within the single-sighting 0.4 on average.
    const borderline = cluster([...person, track(0.5, { sightings: 1 })]);
    expect(borderline.groups).toEqual([[0, 1]]);
    expect(borderline.ignored).toEqual([2]);
    const close = cluster([...person, track(0.3, { sightings: 1 })]);
    expect(close.groups).toEqual([[0, 1, 2]]);
  });

  it('leaves out tracks without a FaceRes descriptor and, past maxTracks, the lightest', () => {
    const { groups, ignored } = cluster([track(0, { faceres: false }), track(0, { weight: 1 }), track(5, { weight: 3 }), track(9, { weight: 2 })], { ...RULE, maxTracks: 2 });
    expect(groups).toEqual([[2], [3]]);
    expect(ignored).toEqual([0, 1]);
  });

  it('handles no tracks and one track', () => {
    expect(cluster([])).toEqual({ groups: [], ignored: [] });
    expect(cluster([track(0)])).toEqual({ groups: [[0]], ignored: [] });
  });
});

describe('pairThreshold', () => {
  const large = { faceWidth: 64, sightings: 5 };
  it('is the calibrated threshold for large faces seen several times, lower for small faces and for a face seen once', () => {
    expect(pairThreshold(DEFAULT_CLUSTER_RULE, large, { faceWidth: 200, sightings: 3 })).toBeCloseTo(0.593, 6);
    expect(pairThreshold(DEFAULT_CLUSTER_RULE, large, { faceWidth: 40, sightings: 3 })).toBeCloseTo(0.525, 6);
    expect(pairThreshold(DEFAULT_CLUSTER_RULE, large, { faceWidth: 52, sightings: 3 })).toBeCloseTo(0.559, 6);
    expect(pairThreshold(DEFAULT_CLUSTER_RULE, large, { faceWidth: 64, sightings: 1 })).toBeCloseTo(0.544, 6);
  });
});

describe('clusterTracks on long videos', () => {
  it('orders a person seen for hours (more sightings than a call takes arguments) without failing', () => {
    // 200,000 sightings, 0.25 s apart: on screen from 50 s to about 14 h; the same person again after that.
    const long = track(0, { sightings: 200_000, at: 50 });
    const { groups } = cluster([track(3, { at: 20 }), long, track(0.1, { at: 60_000 })]);
    expect(groups).toEqual([[0], [1, 2]]);
  });
});

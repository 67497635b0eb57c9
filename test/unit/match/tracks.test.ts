import { describe, expect, it } from 'vitest';
import { confidenceOf, indexGallery, matchDescriptor, type MatchRule } from '../../../shared/match/matcher.ts';
import { DEFAULT_TRACK_OPTIONS, labelTracks, linkTracks, TrackLinker, trackDescriptor, type RatedSighting } from '../../../shared/match/tracks.ts';
import { iou } from '../../../shared/vision/box.ts';
import { asFused, FACE_FACERES, gallery, unitAt, vec } from './vectors.ts';

/** A sighting of a large face that FaceRes described (equally far from every test identity: vectors.ts). */
const sighting = (
  sample: number,
  x: number,
  options: { y?: number; side?: number; embedding?: number[]; quality?: number; faceres?: number[] | undefined } = {},
): RatedSighting => ({
  sample,
  box: { x, y: options.y ?? 100, width: options.side ?? 80, height: options.side ?? 80 },
  embedding: options.embedding ?? vec(0),
  quality: options.quality ?? 1,
  faceres: 'faceres' in options ? options.faceres : FACE_FACERES,
});

/** Sightings grouped by the track they got, as lists of input positions. */
function groups(trackOf: readonly number[]): number[][] {
  const byTrack = new Map<number, number[]>();
  trackOf.forEach((track, i) => byTrack.set(track, [...(byTrack.get(track) ?? []), i]));
  return [...byTrack.values()].sort((p, q) => p[0]! - q[0]!);
}

describe('iou', () => {
  it('is intersection over union', () => {
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(50 / 150, 12);
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 20, y: 0, width: 10, height: 10 })).toBe(0);
    expect(iou({ x: 3, y: 3, width: 4, height: 4 }, { x: 3, y: 3, width: 4, height: 4 })).toBe(1);
  });
});

describe('linkTracks', () => {
  it('links overlapping boxes across consecutive samples into one track', () => {
    const sightings = [sighting(0, 100), sighting(1, 110), sighting(2, 118), sighting(3, 125)];
    expect(groups(linkTracks(sightings))).toEqual([[0, 1, 2, 3]]);
  });

  it('keeps two people side by side on their own tracks', () => {
    const sightings = [
      sighting(0, 100, { embedding: vec(0) }),
      sighting(0, 400, { embedding: vec(1) }),
      sighting(1, 405, { embedding: vec(1) }),
      sighting(1, 104, { embedding: vec(0) }),
      sighting(2, 410, { embedding: vec(1) }),
      sighting(2, 108, { embedding: vec(0) }),
    ];
    expect(groups(linkTracks(sightings))).toEqual([
      [0, 3, 5],
      [1, 2, 4],
    ]);
  });

  it('gives the same tracks whatever order the sightings arrive in', () => {
    const sightings = [sighting(2, 118), sighting(0, 100), sighting(5, 500), sighting(1, 110)];
    const trackOf = linkTracks(sightings);
    expect(trackOf[0]).toBe(trackOf[1]);
    expect(trackOf[3]).toBe(trackOf[1]);
    expect(trackOf[2]).not.toBe(trackOf[1]);
  });

  it('allows one skipped sample but not two', () => {
    expect(groups(linkTracks([sighting(0, 100), sighting(2, 104)]))).toEqual([[0, 1]]);
    expect(groups(linkTracks([sighting(0, 100), sighting(3, 104)]))).toEqual([[0], [1]]);
    expect(groups(linkTracks([sighting(0, 100), sighting(3, 104)], { ...DEFAULT_TRACK_OPTIONS, maxSkip: 2 }))).toEqual([[0, 1]]);
  });

  it('splits on an embedding jump even when the boxes coincide', () => {
    const jump = DEFAULT_TRACK_OPTIONS.maxEmbeddingJump;
    const sightings = [sighting(0, 100, { embedding: vec(0) }), sighting(1, 100, { embedding: vec(jump + 0.1) })];
    expect(groups(linkTracks(sightings))).toEqual([[0], [1]]);
    // A smaller change of descriptor (pose, light) does not split.
    expect(groups(linkTracks([sighting(0, 100, { embedding: vec(0) }), sighting(1, 100, { embedding: vec(jump - 0.1) })]))).toEqual([[0, 1]]);
  });

  it('does not link boxes that neither overlap nor sit close', () => {
    expect(groups(linkTracks([sighting(0, 100), sighting(1, 300)]))).toEqual([[0], [1]]);
  });

  it('links by centre distance when the box changes size (a zoom) and overlap is low', () => {
    // 100 px box, then a 40 px box with the same centre: IoU 0.16, centre shift 0.
    const sightings = [sighting(0, 100, { side: 100, y: 100 }), sighting(1, 130, { side: 40, y: 130 })];
    expect(iou(sightings[0]!.box, sightings[1]!.box)).toBeLessThan(DEFAULT_TRACK_OPTIONS.minIoU);
    expect(groups(linkTracks(sightings))).toEqual([[0, 1]]);
  });

  it('gives each face of a frame at most one track: two faces cannot continue the same track', () => {
    const sightings = [sighting(0, 100), sighting(1, 102), sighting(1, 110)];
    const trackOf = linkTracks(sightings);
    expect(trackOf[1]).toBe(trackOf[0]); // the better overlap wins
    expect(trackOf[2]).not.toBe(trackOf[0]);
  });
});

describe('TrackLinker', () => {
  it('reports a track as ended once a sample passes beyond its reach, and the rest at finish', () => {
    const linker = new TrackLinker();
    expect(linker.add(0, [sighting(0, 100), sighting(0, 500)])).toEqual({ tracks: [0, 1], ended: [] });
    expect(linker.add(1, [sighting(1, 102)])).toEqual({ tracks: [0], ended: [] });
    // Track 1 was last seen at sample 0; with one skip allowed it may still continue at sample 2.
    expect(linker.add(2, [sighting(2, 104)])).toEqual({ tracks: [0], ended: [] });
    expect(linker.add(3, [sighting(3, 106)])).toEqual({ tracks: [0], ended: [1] });
    // An ended track never takes a face again, even one in its old place.
    expect(linker.add(4, [sighting(4, 500)]).tracks).toEqual([2]);
    expect(linker.finish()).toEqual([0, 2]);
    expect(linker.finish()).toEqual([]);
  });
});

describe('labelTracks', () => {
  // In dlib terms: threshold 0.5, margin 0.04, a single sighting held to 0.45 (see asFused).
  const RULE: MatchRule = {
    threshold: asFused(0.5),
    smallFaceAllowance: 0,
    singleSightingPenalty: asFused(0.5) - asFused(0.45),
    margin: asFused(0.54) - asFused(0.5),
    softness: 0.04,
    nearMissBand: 0.05,
  };
  // lin at the origin, obama one unit away along the second axis.
  const GALLERY = indexGallery(gallery({ lin: [vec(0)], obama: [vec(0, 1)] }));
  const track = (embeddings: number[][]) => embeddings.map((embedding, i) => sighting(i, 100, { embedding }));
  const oneTrack = (embeddings: number[][], options = DEFAULT_TRACK_OPTIONS) => {
    const sightings = track(embeddings);
    return labelTracks(
      sightings,
      sightings.map(() => 0),
      GALLERY,
      RULE,
      options,
    );
  };

  it('names a whole track by its mean descriptor, though no frame alone is within the threshold', () => {
    // Five frames scattered 0.6 around lin (each beyond the 0.5 threshold on its own).
    const frames = [vec(0.6), vec(-0.6), vec(0, 0, 0.6), vec(0, 0, -0.6), vec(0, 0, 0, 0.6)];
    for (const frame of frames) expect(matchDescriptor(GALLERY, { dlib: frame, faceres: FACE_FACERES }, RULE).identity).toBeNull();
    const labels = oneTrack(frames);
    expect(labels.map((l) => l.identity)).toEqual(['lin', 'lin', 'lin', 'lin', 'lin']);
    // Every frame gets the track's distance (the mean's) and its confidence.
    const mean = [0, 0, 0, 0.12];
    const distance = Math.hypot(...mean);
    for (const label of labels) {
      expect(label.distance).toBeCloseTo(asFused(distance), 6);
      expect(label.confidence).toBeCloseTo(confidenceOf(asFused(distance), RULE.threshold, RULE.softness), 6);
      expect(label.threshold).toBe(RULE.threshold);
    }
  });

  it('a stray single match in a long track of a stranger names nobody', () => {
    const stranger = vec(2);
    const labels = oneTrack([stranger, stranger, stranger, vec(0), stranger, stranger, stranger, stranger, stranger, stranger]);
    expect(labels.every((l) => l.identity === null && l.confidence === 0)).toBe(true);
    // The distance is still reported: the mean (1.8, 0, ...) is 1.8 from lin.
    expect(labels[0]!.distance).toBeCloseTo(asFused(1.8), 6);
  });

  it('names nobody when the mean sits as near to two people (the margin)', () => {
    // Half the frames at lin, half at obama: the mean is equidistant.
    const labels = oneTrack([vec(0), vec(0, 1), vec(0), vec(0, 1)]);
    expect(labels.every((l) => l.identity === null)).toBe(true);
  });

  it('a face seen once is named only when it clears the stricter single-sighting bar', () => {
    expect(oneTrack([vec(0.4)])[0]!.identity).toBe('lin');
    expect(oneTrack([vec(0.48)])[0]!.identity).toBeNull();
    // The same distance in a track seen twice clears the ordinary threshold.
    expect(oneTrack([vec(0.48), vec(0.48)])[0]!.identity).toBe('lin');
    expect(oneTrack([vec(0.48)], { ...DEFAULT_TRACK_OPTIONS, minTrackLength: 1 })[0]!.identity).toBe('lin');
  });

  it('names nobody on dlib alone: a track FaceRes did not describe is left unnamed', () => {
    const sightings = [vec(0), vec(0.05)].map((embedding, i) => sighting(i, 100, { embedding, faceres: undefined }));
    const labels = labelTracks(sightings, [0, 0], GALLERY, RULE);
    expect(labels.map((l) => l.identity)).toEqual([null, null]);
    expect(labels[0]!.distance).toBeCloseTo(0.025, 6);
  });

  it('lets clear frames outweigh poor ones in the track descriptor', () => {
    // A clear frame at lin and a poor one (a tenth of the weight) at obama: the mean leans to lin.
    const descriptor = trackDescriptor([sighting(0, 100, { embedding: vec(0), quality: 1 }), sighting(1, 100, { embedding: vec(0, 1), quality: 0.1 })]);
    expect(descriptor.dlib[1]).toBeCloseTo(0.1 / 1.1, 6);
  });

  it('averages the FaceRes descriptors of the described sightings only, normalized', () => {
    const descriptor = trackDescriptor([sighting(0, 100, { faceres: unitAt(0) }), sighting(1, 100, { faceres: undefined }), sighting(2, 100, { faceres: unitAt(1) })]);
    expect(descriptor.faceres![0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(descriptor.faceres![1]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('labels each track on its own', () => {
    const sightings = [
      sighting(0, 100, { embedding: vec(0.1) }),
      sighting(0, 400, { embedding: vec(0, 0.9) }),
      sighting(1, 100, { embedding: vec(-0.1) }),
      sighting(1, 400, { embedding: vec(0, 1.1) }),
    ];
    const labels = labelTracks(sightings, [0, 1, 0, 1], GALLERY, RULE);
    expect(labels.map((l) => l.identity)).toEqual(['lin', 'obama', 'lin', 'obama']);
  });

  it('works end to end with linkTracks: a passer-by on another track stays unnamed', () => {
    const sightings = [
      sighting(0, 100, { embedding: vec(0.2) }),
      sighting(1, 106, { embedding: vec(0, 0.3) }),
      sighting(2, 112, { embedding: vec(-0.1) }),
      sighting(1, 600, { embedding: vec(3) }),
      sighting(2, 606, { embedding: vec(3.1) }),
    ];
    const labels = labelTracks(sightings, linkTracks(sightings), GALLERY, RULE);
    expect(labels.map((l) => l.identity)).toEqual(['lin', 'lin', 'lin', null, null]);
  });
});

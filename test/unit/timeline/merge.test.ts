import { describe, expect, it } from 'vitest';
import { Timeline } from '../../../shared/schemas/timeline.ts';
import { buildTimeline, defaultGapTolerance } from '../../../shared/timeline/merge.ts';
import { chunk, face } from './make-chunks.ts';

const base = { sampleFps: 2, videoDuration: 30 };

/** [start, end] of each segment of one identity. */
function spans(timeline: Timeline, name: string): [number, number][] {
  const identity = timeline.identities.find((entry) => entry.name === name);
  return identity ? identity.segments.map((segment) => [segment.start, segment.end]) : [];
}

describe('buildTimeline', () => {
  it('merges consecutive samples into one segment covering one period after the last', () => {
    const timeline = buildTimeline([chunk(0, 0, 10, [face('a', 1), face('a', 1.5), face('a', 2)])], { ...base, videoDuration: 10 });
    expect(timeline.identities).toHaveLength(1);
    const [identity] = timeline.identities;
    expect(identity!.name).toBe('a');
    expect(identity!.segments).toEqual([expect.objectContaining({ start: 1, end: 2.5, firstSeen: 1, lastSeen: 2, faces: 3 })]);
    expect(identity!.totalSeconds).toBe(1.5);
    expect(timeline.missingChunks).toEqual([]);
    expect(Timeline.safeParse(timeline).success).toBe(true);
  });

  it('merges across a chunk border', () => {
    const timeline = buildTimeline([chunk(0, 0, 10, [face('a', 9), face('a', 9.5)]), chunk(1, 10, 20, [face('a', 10), face('a', 10.5)]), chunk(2, 20, 30, [])], base);
    expect(spans(timeline, 'a')).toEqual([[9, 11]]);
    expect(timeline.identities[0]!.segments[0]!.faces).toBe(4);
  });

  it('gives the same timeline whatever order the chunks and faces arrive in', () => {
    const chunks = [chunk(0, 0, 10, [face('a', 9.5), face('b', 2), face('a', 9)]), chunk(1, 10, 20, [face('a', 10.5), face('a', 10)]), chunk(2, 20, 30, [face('b', 25)])];
    const sorted = buildTimeline(chunks, base);
    expect(buildTimeline([chunks[2]!, chunks[0]!, chunks[1]!], base)).toEqual(sorted);
    expect(spans(sorted, 'a')).toEqual([[9, 11]]);
    expect(sorted.identities.map((identity) => identity.name)).toEqual(['a', 'b']);
  });

  it('defaults the gap tolerance to max(1.5 periods, 1 s)', () => {
    expect(defaultGapTolerance(2)).toBe(1);
    expect(defaultGapTolerance(10)).toBe(1);
    expect(defaultGapTolerance(1)).toBe(1.5);
    expect(defaultGapTolerance(0.5)).toBe(3);
    // At 2 fps: 0 covers [0, 0.5); 1.5 leaves a 1.0 s gap (merged), 2.6 then leaves 1.1 s (split).
    const timeline = buildTimeline([chunk(0, 0, 10, [face('a', 0), face('a', 1.5), face('a', 3.1)])], base);
    expect(spans(timeline, 'a')).toEqual([
      [0, 2],
      [3.1, 3.6],
    ]);
  });

  it('honours an explicit gap tolerance, zero meaning only touching intervals merge', () => {
    const faces = [face('a', 0), face('a', 0.5), face('a', 2), face('a', 6)];
    expect(spans(buildTimeline([chunk(0, 0, 10, faces)], { ...base, gapTolerance: 0 }), 'a')).toEqual([
      [0, 1],
      [2, 2.5],
      [6, 6.5],
    ]);
    expect(spans(buildTimeline([chunk(0, 0, 10, faces)], { ...base, gapTolerance: 3.5 }), 'a')).toEqual([[0, 6.5]]);
  });

  it('drops segments shorter than minDuration, and an identity left with none', () => {
    const faces = [face('a', 0), face('a', 0.5), face('a', 5), face('b', 8)];
    const timeline = buildTimeline([chunk(0, 0, 10, faces)], { ...base, minDuration: 1 });
    expect(spans(timeline, 'a')).toEqual([[0, 1]]);
    expect(timeline.identities.map((identity) => identity.name)).toEqual(['a']);
  });

  it('does not bridge a missing chunk and records it', () => {
    const faces0 = [face('a', 9.5)];
    const faces2 = [face('a', 20)];
    const options = { sampleFps: 1, videoDuration: 30, gapTolerance: 15 };
    const withHole = buildTimeline([chunk(0, 0, 10, faces0, 1), chunk(2, 20, 30, faces2, 1)], options);
    // The first interval would reach 10.5, but chunk 1 was never looked at.
    expect(spans(withHole, 'a')).toEqual([
      [9.5, 10],
      [20, 21],
    ]);
    expect(withHole.missingChunks).toEqual([{ index: 1, start: 10, end: 20 }]);

    const complete = buildTimeline([chunk(0, 0, 10, faces0, 1), chunk(1, 10, 20, [], 1), chunk(2, 20, 30, faces2, 1)], options);
    expect(spans(complete, 'a')).toEqual([[9.5, 21]]);
    expect(complete.missingChunks).toEqual([]);
  });

  it('infers missing chunks before, between and after the results', () => {
    const timeline = buildTimeline([chunk(1, 10, 20, []), chunk(4, 40, 50, [])], { sampleFps: 2, videoDuration: 75 });
    expect(timeline.missingChunks).toEqual([
      { index: 0, start: 0, end: 10 },
      { index: 2, start: 20, end: 30 },
      { index: 3, start: 30, end: 40 },
      { index: 5, start: 50, end: 60 },
      { index: 6, start: 60, end: 70 },
      { index: 7, start: 70, end: 75 },
    ]);
    expect(buildTimeline([], { sampleFps: 2, videoDuration: 12 }).missingChunks).toEqual([{ index: 0, start: 0, end: 12 }]);
  });

  it('takes missing chunks from the manifest when given', () => {
    const manifest = [
      { index: 0, start: 0, end: 10 },
      { index: 1, start: 10, end: 20 },
      { index: 2, start: 20, end: 25 },
    ];
    const timeline = buildTimeline([chunk(0, 0, 10, [])], { sampleFps: 2, videoDuration: 25, manifest });
    expect(timeline.missingChunks).toEqual(manifest.slice(1));
    expect(() => buildTimeline([chunk(0, 0, 12, [])], { sampleFps: 2, videoDuration: 25, manifest })).toThrow(/manifest says/);
    expect(() => buildTimeline([chunk(5, 0, 10, [])], { sampleFps: 2, videoDuration: 25, manifest })).toThrow(/not in the chunk manifest/);
  });

  it('keeps the most confident face of a segment, the nearer one on a tie', () => {
    const faces = [
      face('a', 1, { confidence: 0.7, distance: 0.45 }),
      face('a', 1.5, { confidence: 0.9, distance: 0.42, box: { x: 1, y: 2, width: 3, height: 4 } }),
      face('a', 2, { confidence: 0.9, distance: 0.3, box: { x: 5, y: 6, width: 7, height: 8 } }),
      face('a', 2.5, { confidence: 0.9, distance: 0.35 }),
      face('a', 8, { confidence: 0.6, distance: 0.48 }),
    ];
    const [first, second] = buildTimeline([chunk(0, 0, 10, faces)], base).identities[0]!.segments;
    expect(first!.bestConfidence).toBe(0.9);
    expect(first!.bestFace).toEqual({ time: 2, box: { x: 5, y: 6, width: 7, height: 8 }, confidence: 0.9, distance: 0.3 });
    expect(second!.bestFace.time).toBe(8);
  });

  it('clamps the last interval to the video, ignores unnamed faces, sums disjoint segments', () => {
    const faces = [face(null, 0), face('a', 0), face('a', 5), face('a', 9.9)];
    const timeline = buildTimeline([chunk(0, 0, 10, faces)], { sampleFps: 2, videoDuration: 10 });
    expect(spans(timeline, 'a')).toEqual([
      [0, 0.5],
      [5, 5.5],
      [9.9, 10],
    ]);
    expect(timeline.identities[0]!.totalSeconds).toBe(1.1);
  });

  it('counts two faces of one person in one frame once in time, twice in faces', () => {
    const timeline = buildTimeline([chunk(0, 0, 10, [face('a', 3), face('a', 3)])], base);
    expect(timeline.identities[0]!.segments[0]).toMatchObject({ start: 3, end: 3.5, faces: 2 });
  });

  it('rejects duplicate chunks, mixed jobs or models, mismatched rates and bad options', () => {
    expect(() => buildTimeline([chunk(0, 0, 10, []), chunk(0, 0, 10, [])], base)).toThrow(/chunk 0 has two results/);
    expect(() => buildTimeline([chunk(0, 0, 10, []), { ...chunk(1, 10, 20, []), jobId: 'other' }], base)).toThrow(/job other/);
    expect(() => buildTimeline([chunk(0, 0, 10, []), { ...chunk(1, 10, 20, []), models: 'rebuilt' }], base)).toThrow(/models rebuilt/);
    expect(() => buildTimeline([chunk(0, 0, 10, [], 5)], base)).toThrow(/5 fps/);
    expect(() => buildTimeline([], { sampleFps: 0, videoDuration: 1 })).toThrow(/sampleFps/);
    expect(() => buildTimeline([], { ...base, gapTolerance: -1 })).toThrow(/gapTolerance/);
    expect(() => buildTimeline([], { ...base, minDuration: Number.NaN })).toThrow(/minDuration/);
  });
});

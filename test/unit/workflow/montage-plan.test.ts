import { describe, expect, it } from 'vitest';
import type { ChunkResult } from '../../../shared/schemas/faces.ts';
import type { Timeline } from '../../../shared/schemas/timeline.ts';
import {
  MAX_CLIP_SECONDS,
  MIN_CUT_SECONDS,
  MIN_PIECE_SECONDS,
  captionsFor,
  fitToCap,
  mergedSpans,
  montageTime,
  namedSightings,
  placeCuts,
  planMontage,
} from '../../../shared/timeline/montage-plan.ts';

const box = { x: 10, y: 10, width: 50, height: 50 };
const segment = (start: number, end: number) => ({
  start,
  end,
  firstSeen: start,
  lastSeen: end - 0.25,
  bestConfidence: 0.9,
  bestFace: { time: start, box, confidence: 0.9, distance: 0.4 },
  faces: 2,
});

const timeline: Timeline = {
  identities: [
    { name: 'ada', segments: [segment(0, 2), segment(10, 12)], totalSeconds: 4 },
    { name: 'grace', segments: [segment(1.5, 3)], totalSeconds: 1.5 },
  ],
  videoDuration: 20,
  sampleFps: 4,
  missingChunks: [],
};

const face = (time: number, identity: string | null) => ({
  time,
  box,
  score: 0.9,
  quality: 0.5,
  identity,
  distance: 0.4,
  confidence: identity ? 0.9 : 0,
  track: '0-0',
  embedding: new Array<number>(128).fill(0),
});

const chunks: ChunkResult[] = [
  {
    version: 3,
    jobId: 'j',
    models: 'm',
    chunk: { index: 0, start: 0, end: 20 },
    sampleFps: 4,
    framesScanned: 80,
    faces: [face(0.5, 'ada'), face(1.75, 'grace'), face(5, null), face(10.25, 'ada')],
    elapsedMs: 1,
  },
];

const plan = (t: Timeline, capSeconds = 600) => planMontage(t, namedSightings(chunks), { capSeconds, sampleFps: 4 });

describe('planMontage', () => {
  it('joins overlapping moments of different people into one cut, in video order', () => {
    expect(plan(timeline).clips.map(({ start, end }) => ({ start, end }))).toEqual([
      { start: 0, end: 3 },
      { start: 10, end: 12 },
    ]);
  });

  it('names only the people seen at each moment, each sighting held for one sample interval', () => {
    const [first, second] = plan(timeline).clips;
    expect(first!.captions).toEqual([
      { from: 0.5, to: 0.75, text: 'ada' },
      { from: 1.75, to: 2, text: 'grace' },
    ]);
    expect(first!.label).toBeUndefined();
    expect(second!.captions).toEqual([{ from: 10.25, to: 10.5, text: 'ada' }]);
  });

  it('lists everyone seen at the same moment in one caption, and one caption while the names stay the same', () => {
    const sightings = [0, 0.25, 0.5].flatMap((time) => [
      { time, box, identity: 'ada' },
      { time, box, identity: 'grace' },
    ]);
    expect(captionsFor(sightings, new Set(['ada', 'grace']), 0, 3, 0.25)).toEqual([{ from: 0, to: 0.75, text: 'ada, grace' }]);
    expect(captionsFor([...sightings, { time: 0.75, box, identity: 'ada' }], new Set(['ada']), 0, 3, 0.25)).toEqual([{ from: 0, to: 1, text: 'ada' }]);
  });

  it('boxes only the named faces inside each cut', () => {
    const [first, second] = plan(timeline).clips;
    expect(first!.boxes!.map((b) => [b.time, b.label])).toEqual([
      [0.5, 'ada'],
      [1.75, 'grace'],
    ]);
    expect(second!.boxes!.map((b) => b.time)).toEqual([10.25]);
  });

  it('splits a cut where the people on screen change, so a person added leaves the pieces they do not reach as they were', () => {
    const ada = { name: 'ada', segments: [segment(0, 20)], totalSeconds: 20 };
    const bob = { name: 'bob', segments: [segment(5, 8)], totalSeconds: 3 };
    const carol = { name: 'carol', segments: [segment(12, 14)], totalSeconds: 2 };
    const sightings = [1, 6, 13, 19].flatMap((time) => [
      { time, box, identity: 'ada' },
      { time, box, identity: time === 6 ? 'bob' : 'carol' },
    ]);
    const planOf = (identities: Timeline['identities']) => planMontage({ ...timeline, identities }, sightings, { capSeconds: 600, sampleFps: 4 }).clips;
    const before = planOf([ada, bob]);
    const after = planOf([ada, bob, carol]);
    expect(before.map(({ start, end }) => [start, end])).toEqual([
      [0, 5],
      [5, 8],
      [8, 20],
    ]);
    expect(after.map(({ start, end }) => [start, end])).toEqual([
      [0, 5],
      [5, 8],
      [8, 12],
      [12, 14],
      [14, 20],
    ]);
    // The same pieces, already cut: carol's sighting at 1 is outside her segment, and no piece she is not in draws her.
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
    expect(after[3]!.boxes!.map((b) => b.label)).toEqual(['ada', 'carol']);
    expect(after[4]!.boxes!.map((b) => b.label)).toEqual(['ada']);
  });

  it('does not split where a piece would be shorter than MIN_PIECE_SECONDS', () => {
    const half = MIN_PIECE_SECONDS / 2;
    const brief: Timeline = {
      ...timeline,
      identities: [
        { name: 'ada', segments: [segment(0, 10)], totalSeconds: 10 },
        // Starts half a piece before ada's segment ends: neither point splits; grace's end is a point of its own.
        { name: 'grace', segments: [segment(10 - half, 14)], totalSeconds: 4 + half },
        { name: 'bob', segments: [segment(13.5, 20)], totalSeconds: 6.5 },
      ],
    };
    expect(plan(brief).clips.map(({ start, end }) => [start, end])).toEqual([[0, 20]]);
    const apart: Timeline = { ...brief, identities: [brief.identities[0]!, { name: 'grace', segments: [segment(10, 14)], totalSeconds: 4 }] };
    expect(plan(apart).clips.map(({ start, end }) => [start, end])).toEqual([
      [0, 10],
      [10, 14],
    ]);
  });

  it('splits a long cut into the fewest equal pieces of at most MAX_CLIP_SECONDS', () => {
    const long: Timeline = {
      ...timeline,
      videoDuration: 100,
      identities: [{ name: 'ada', segments: [segment(0, 2 * MAX_CLIP_SECONDS + 1)], totalSeconds: 2 * MAX_CLIP_SECONDS + 1 }],
    };
    const pieces = plan(long).clips.map(({ start, end }) => [start, end]);
    expect(pieces).toHaveLength(3);
    expect(pieces[0]![0]).toBe(0);
    expect(pieces.at(-1)![1]).toBe(2 * MAX_CLIP_SECONDS + 1);
    for (const [i, [start, end]] of pieces.entries()) {
      expect(end! - start!).toBeCloseTo((2 * MAX_CLIP_SECONDS + 1) / 3, 9);
      if (i > 0) expect(start).toBe(pieces[i - 1]![1]);
    }
  });

  it('holds the whole timeline when it fits the cap, and says so', () => {
    const whole = plan(timeline);
    expect(whole).toMatchObject({ onScreenSeconds: 5, shownSeconds: 5, omitted: [] });
  });
});

describe('fitToCap', () => {
  const span = (start: number, end: number, names = ['ada']) => ({ start, end, names });

  it('shortens every span longer than a common length to its beginning, so the total is the cap', () => {
    // 10 + 2 + 30 = 42 s into 20: the 2 s span stays whole, the others get 9 s each.
    expect(fitToCap([span(0, 10), span(20, 22), span(40, 70)], 20)).toEqual([9, 2, 9]);
  });

  it('leaves out spans when even MIN_CUT_SECONDS each would not fit, taking every person once before anyone twice', () => {
    const spans = [span(0, 50, ['ada']), span(60, 100, ['ada']), span(110, 120, ['grace']), span(130, 190, ['ada'])];
    // 4 spans x 2 s > 5 s: round 1 takes ada's longest (130-190) and grace's only one; the 1 s left is no cut.
    expect(fitToCap(spans, 5)).toEqual([0, 0, MIN_CUT_SECONDS, MIN_CUT_SECONDS]);
  });

  it('reports what the cap shortened and left out, and the montage never exceeds it', () => {
    const busy: Timeline = {
      ...timeline,
      videoDuration: 4000,
      identities: [{ name: 'ada', segments: Array.from({ length: 100 }, (_, i) => segment(i * 40, i * 40 + 30)), totalSeconds: 3000 }],
    };
    const capped = plan(busy, 60);
    expect(capped.shownSeconds).toBeLessThanOrEqual(60);
    expect(capped.clips.reduce((sum, clip) => sum + clip.end - clip.start, 0)).toBeCloseTo(capped.shownSeconds, 6);
    expect(capped.onScreenSeconds).toBe(3000);
    expect(capped.omitted).toHaveLength(100);
    expect(capped.omitted.filter((span) => span.shown === 0)).toHaveLength(70);
  });
});

describe('mergedSpans', () => {
  it('joins touching and overlapping segments, naming everyone once, in video order', () => {
    const touching: Timeline = {
      ...timeline,
      identities: [
        { name: 'grace', segments: [segment(2, 4)], totalSeconds: 2 },
        { name: 'ada', segments: [segment(0, 2), segment(3, 5), segment(8, 9)], totalSeconds: 5 },
      ],
    };
    expect(mergedSpans(touching)).toEqual([
      { start: 0, end: 5, names: ['ada', 'grace'] },
      { start: 8, end: 9, names: ['ada'] },
    ]);
  });

  it('is empty for a timeline with nobody in it', () => {
    expect(mergedSpans({ ...timeline, identities: [] })).toEqual([]);
  });
});

describe('montage times', () => {
  it('places each cut after the ones before it and maps a source time into its cut', () => {
    const placed = placeCuts([
      { start: 0, end: 3 },
      { start: 10, end: 12 },
    ]);
    expect(placed).toEqual([
      { start: 0, end: 3, at: 0 },
      { start: 10, end: 12, at: 3 },
    ]);
    expect(montageTime(placed, 1.5)).toBe(1.5);
    expect(montageTime(placed, 10.5)).toBe(3.5);
    expect(montageTime(placed, 12)).toBe(5);
  });

  it('maps a time where two pieces of one cut meet into the later piece, which shows it', () => {
    // Measured pieces run a little longer than planned: the later piece starts where it landed.
    const placed = [
      { start: 2, end: 5, at: 0 },
      { start: 5, end: 8, at: 3.04 },
    ];
    expect(montageTime(placed, 5)).toBe(3.04);
    expect(montageTime(placed, 8)).toBeCloseTo(6.04, 9);
  });

  it('has no montage time for a moment the montage leaves out', () => {
    const placed = placeCuts([{ start: 2, end: 3 }]);
    expect(montageTime(placed, 1)).toBeNull();
    expect(montageTime(placed, 5)).toBeNull();
  });
});

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
  it('joins overlapping moments of different people into one cut, in video order, split where the people on screen change', () => {
    // ada [0, 2) and grace [1.5, 3) are one cut; grace's start splits it, ada's end (0.5 s later) does not.
    expect(plan(timeline).clips.map(({ start, end }) => ({ start, end }))).toEqual([
      { start: 0, end: 1.5 },
      { start: 1.5, end: 3 },
      { start: 10, end: 12 },
    ]);
  });

  it('names only the people seen at each moment, each sighting held for one sample interval', () => {
    const [first, second, third] = plan(timeline).clips;
    expect(first!.captions).toEqual([{ from: 0.5, to: 0.75, text: 'ada' }]);
    expect(first!.label).toBeUndefined();
    expect(second!.captions).toEqual([{ from: 1.75, to: 2, text: 'grace' }]);
    expect(third!.captions).toEqual([{ from: 10.25, to: 10.5, text: 'ada' }]);
  });

  it('lists everyone seen at the same moment in one caption, and one caption while the names stay the same', () => {
    const sightings = [0, 0.25, 0.5].flatMap((time) => [
      { time, box, identity: 'ada' },
      { time, box, identity: 'grace' },
    ]);
    expect(captionsFor(sightings, new Set(['ada', 'grace']), 0, 3, 0.25)).toEqual([{ from: 0, to: 0.75, text: 'ada, grace' }]);
    expect(captionsFor([...sightings, { time: 0.75, box, identity: 'ada' }], new Set(['ada']), 0, 3, 0.25)).toEqual([{ from: 0, to: 1, text: 'ada' }]);
  });

  it('boxes only the named faces inside each piece', () => {
    const [first, second, third] = plan(timeline).clips;
    expect(first!.boxes!.map((b) => [b.time, b.label])).toEqual([[0.5, 'ada']]);
    expect(second!.boxes!.map((b) => [b.time, b.label])).toEqual([[1.75, 'grace']]);
    expect(third!.boxes!.map((b) => b.time)).toEqual([10.25]);
  });

  it('leaves the pieces of the people already searched as they were when a person seen beside them is added', () => {
    const ada = { name: 'ada', segments: [segment(0, 5)], totalSeconds: 5 };
    const grace = { name: 'grace', segments: [segment(5, 8)], totalSeconds: 3 };
    const sightings = [
      { time: 1, box, identity: 'ada' },
      { time: 4.75, box, identity: 'ada' },
      { time: 5, box, identity: 'grace' },
      { time: 7.75, box, identity: 'grace' },
    ];
    const planOf = (identities: Timeline['identities']) => planMontage({ ...timeline, identities }, sightings, { capSeconds: 600, sampleFps: 4 }).clips;
    const before = planOf([ada]);
    const after = planOf([ada, grace]);
    expect(after.map(({ start, end }) => [start, end])).toEqual([
      [0, 5],
      [5, 8],
    ]);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]!.boxes!.map((b) => b.label)).toEqual(['grace', 'grace']);
  });

  it('does not split off a piece shorter than MIN_PIECE_SECONDS', () => {
    const half = MIN_PIECE_SECONDS / 2;
    const brief: Timeline = {
      ...timeline,
      identities: [
        { name: 'ada', segments: [segment(0, 5)], totalSeconds: 5 },
        { name: 'grace', segments: [segment(5 - half, 5 + half)], totalSeconds: 2 * half },
      ],
    };
    // grace's start is kept; ada's end comes half a piece after it, grace's end is the cut's end.
    expect(plan(brief).clips.map(({ start, end }) => [start, end])).toEqual([
      [0, 5 - half],
      [5 - half, 5 + half],
    ]);
  });

  it('splits a long cut into pieces of at most MAX_CLIP_SECONDS', () => {
    const long: Timeline = { ...timeline, videoDuration: 100, identities: [{ name: 'ada', segments: [segment(0, 70)], totalSeconds: 70 }] };
    expect(plan(long).clips.map(({ start, end }) => [start, end])).toEqual([
      [0, MAX_CLIP_SECONDS],
      [MAX_CLIP_SECONDS, 2 * MAX_CLIP_SECONDS],
      [2 * MAX_CLIP_SECONDS, 70],
    ]);
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

  it('has no montage time for a moment the montage leaves out', () => {
    const placed = placeCuts([{ start: 2, end: 3 }]);
    expect(montageTime(placed, 1)).toBeNull();
    expect(montageTime(placed, 5)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { ChunkResult } from '../../../shared/schemas/faces.ts';
import type { Timeline } from '../../../shared/schemas/timeline.ts';
import { mergedSpans, montageTime, placeCuts, planMontage } from '../../../shared/timeline/montage-plan.ts';

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

describe('planMontage', () => {
  it('joins overlapping moments of different people into one cut named after all of them', () => {
    const cuts = planMontage(timeline, chunks);
    expect(cuts.map(({ start, end, label }) => ({ start, end, label }))).toEqual([
      { start: 0, end: 3, label: 'ada, grace' },
      { start: 10, end: 12, label: 'ada' },
    ]);
  });

  it('boxes only the named faces inside each cut', () => {
    const [first, second] = planMontage(timeline, chunks);
    expect(first!.boxes!.map((b) => [b.time, b.label])).toEqual([
      [0.5, 'ada'],
      [1.75, 'grace'],
    ]);
    expect(second!.boxes!.map((b) => b.time)).toEqual([10.25]);
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

import { describe, expect, it } from 'vitest';
import { Timeline, type Segment } from '../../../shared/schemas/timeline.ts';
import { csvField, toCsv, toJson, toWebVtt, vttTimestamp } from '../../../shared/timeline/export.ts';

function segment(start: number, end: number, bestConfidence = 0.9): Segment {
  return {
    start,
    end,
    firstSeen: start,
    lastSeen: Math.max(start, end - 0.5),
    bestConfidence,
    bestFace: { time: start, box: { x: 1, y: 2, width: 3, height: 4 }, confidence: bestConfidence, distance: 0.3 },
    faces: 2,
  };
}

const timeline: Timeline = {
  identities: [
    { name: 'alex_lacamoire', segments: [segment(0, 2.5, 0.75)], totalSeconds: 2.5 },
    { name: 'barack_obama', segments: [segment(7, 9.176, 0.98765)], totalSeconds: 2.176 },
    { name: 'lin_manuel_miranda', segments: [segment(0, 1), segment(2.7, 7.0005)], totalSeconds: 5.3005 },
  ],
  videoDuration: 9.176,
  sampleFps: 2,
  missingChunks: [],
};

describe('toCsv', () => {
  it('writes one row per segment, chronologically, with 3 decimals', () => {
    expect(toCsv(timeline)).toBe(
      [
        'identity,start,end,duration,first_seen,last_seen,best_confidence',
        'alex_lacamoire,0.000,2.500,2.500,0.000,2.000,0.750',
        'lin_manuel_miranda,0.000,1.000,1.000,0.000,0.500,0.900',
        'lin_manuel_miranda,2.700,7.001,4.301,2.700,6.501,0.900',
        'barack_obama,7.000,9.176,2.176,7.000,8.676,0.988',
        '',
      ].join('\n'),
    );
  });

  it('quotes names with commas, quotes or line breaks', () => {
    expect(csvField('plain name')).toBe('plain name');
    expect(csvField('Obama, Barack')).toBe('"Obama, Barack"');
    expect(csvField('Dwayne "The Rock" Johnson')).toBe('"Dwayne ""The Rock"" Johnson"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    const odd: Timeline = { ...timeline, identities: [{ name: 'a, "b"', segments: [segment(1, 2)], totalSeconds: 1 }] };
    expect(toCsv(odd).split('\n')[1]).toBe('"a, ""b""",1.000,2.000,1.000,1.000,1.500,0.900');
  });

  it('writes only the header for an empty timeline', () => {
    expect(toCsv({ ...timeline, identities: [] })).toBe('identity,start,end,duration,first_seen,last_seen,best_confidence\n');
  });
});

describe('toWebVtt', () => {
  it('formats timestamps as HH:MM:SS.mmm, rounding once', () => {
    expect(vttTimestamp(0)).toBe('00:00:00.000');
    expect(vttTimestamp(9.176)).toBe('00:00:09.176');
    expect(vttTimestamp(3661.5)).toBe('01:01:01.500');
    expect(vttTimestamp(59.9996)).toBe('00:01:00.000');
    expect(vttTimestamp(360_000)).toBe('100:00:00.000');
  });

  it('writes one cue per segment, overlapping cues for people seen together', () => {
    expect(toWebVtt(timeline)).toBe(
      [
        'WEBVTT',
        '',
        '00:00:00.000 --> 00:00:02.500',
        'alex_lacamoire',
        '',
        '00:00:00.000 --> 00:00:01.000',
        'lin_manuel_miranda',
        '',
        '00:00:02.700 --> 00:00:07.001',
        'lin_manuel_miranda',
        '',
        '00:00:07.000 --> 00:00:09.176',
        'barack_obama',
        '',
      ].join('\n'),
    );
  });

  it('escapes markup in names and never writes an empty cue', () => {
    const odd: Timeline = { ...timeline, identities: [{ name: 'a<b>&c', segments: [segment(5, 5)], totalSeconds: 0 }] };
    expect(toWebVtt(odd)).toBe('WEBVTT\n\n00:00:05.000 --> 00:00:05.001\na&lt;b&gt;&amp;c\n');
    expect(toWebVtt({ ...timeline, identities: [] })).toBe('WEBVTT\n');
  });
});

describe('toJson', () => {
  it('round-trips through the Timeline schema', () => {
    const text = toJson(timeline);
    expect(text.endsWith('}\n')).toBe(true);
    expect(Timeline.parse(JSON.parse(text))).toEqual(timeline);
  });
});

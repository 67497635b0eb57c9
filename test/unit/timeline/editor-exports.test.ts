import { describe, expect, it } from 'vitest';
import type { Timeline } from '../../../shared/schemas/timeline.ts';
import { ffmetadataText, toFfmetadataChapters, toVttChapters } from '../../../shared/timeline/chapters.ts';
import { edlText, toEdl } from '../../../shared/timeline/edit-list.ts';
import { frameAt, frameRate, timecode } from '../../../shared/timeline/timecode.ts';
import { segment } from './make-chunks.ts';

const timeline: Timeline = {
  identities: [
    { name: 'barack_obama', segments: [segment(7.25, 9.175843)], totalSeconds: 1.925843 },
    { name: 'lin_manuel_miranda', segments: [segment(0, 0.75), segment(2.75, 7.25)], totalSeconds: 5.25 },
    { name: 'alex_lacamoire', segments: [segment(0, 0.75)], totalSeconds: 0.75 },
  ],
  videoDuration: 9.175843,
  sampleFps: 4,
  missingChunks: [],
};
const empty: Timeline = { ...timeline, identities: [] };

describe('timecodes', () => {
  it('counts whole-rate video in its own frames', () => {
    const rate = frameRate(25);
    expect(rate).toEqual({ fps: 25, base: 25 });
    expect(timecode(frameAt(0, rate), rate)).toBe('00:00:00:00');
    expect(timecode(frameAt(1.04, rate), rate)).toBe('00:00:01:01');
    expect(timecode(frameAt(3661.48, rate), rate)).toBe('01:01:01:12');
  });

  it('at 29.97 fps lands on the true frame and writes it non-drop-frame at 30', () => {
    const rate = frameRate(30000 / 1001);
    expect(rate.base).toBe(30);
    // 2.75 s is frame 82.4 -> 82 = 2 s + 22 frames at 30 per timecode second.
    expect(timecode(frameAt(2.75, rate), rate)).toBe('00:00:02:22');
    // One hour of 29.97 video is 107892 frames: non-drop-frame timecode reads 3.6 s short of an hour.
    expect(frameAt(3600, rate)).toBe(107892);
    expect(timecode(frameAt(3600, rate), rate)).toBe('00:59:56:12');
  });

  it('rounds 23.976 to 24 and 59.94 to 60 per timecode second', () => {
    expect(frameRate(24000 / 1001).base).toBe(24);
    expect(frameRate(60000 / 1001).base).toBe(60);
    const rate = frameRate(24000 / 1001);
    // 100 s of 23.976 video is frame 2398 (2397.6 rounded): 99 timecode seconds and 22 frames.
    expect(timecode(frameAt(100, rate), rate)).toBe('00:01:39:22');
  });

  it('refuses a frame rate that is not a positive number, naming it', () => {
    for (const fps of [0, -25, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => frameRate(fps)).toThrow(/frame rate must be a positive number/);
    }
  });
});

describe('toEdl', () => {
  it('writes every segment as a CMX3600 event, chronological, on a gapless record timeline', () => {
    expect(toEdl(timeline, { clipName: 'hamilton_short.mp4', fps: 30000 / 1001, hasAudio: true })).toBe(
      [
        'TITLE: hamilton_short.mp4',
        'FCM: NON-DROP FRAME',
        '',
        '001  AX       AA/V  C        00:00:00:00 00:00:00:22 00:00:00:00 00:00:00:22',
        '* FROM CLIP NAME: hamilton_short.mp4',
        '* COMMENT: alex_lacamoire',
        '',
        '002  AX       AA/V  C        00:00:00:00 00:00:00:22 00:00:00:22 00:00:01:14',
        '* FROM CLIP NAME: hamilton_short.mp4',
        '* COMMENT: lin_manuel_miranda',
        '',
        '003  AX       AA/V  C        00:00:02:22 00:00:07:07 00:00:01:14 00:00:05:29',
        '* FROM CLIP NAME: hamilton_short.mp4',
        '* COMMENT: lin_manuel_miranda',
        '',
        '004  AX       AA/V  C        00:00:07:07 00:00:09:05 00:00:05:29 00:00:07:27',
        '* FROM CLIP NAME: hamilton_short.mp4',
        '* COMMENT: barack_obama',
        '',
        '',
      ].join('\n'),
    );
  });

  it('cuts the picture only from a silent video, and gives a one-sample segment one frame', () => {
    const single: Timeline = { ...empty, identities: [{ name: 'ada', segments: [segment(4, 4)], totalSeconds: 0 }] };
    const lines = toEdl(single, { clipName: 'silent.mov', fps: 25, hasAudio: false }).split('\n');
    expect(lines[3]).toBe('001  AX       V     C        00:00:04:00 00:00:04:01 00:00:00:00 00:00:00:01');
  });

  it('keeps a file name with line breaks, quotes and markup on its one line', () => {
    expect(edlText('a\nb\r\n001  AX  V  C\t"x" <y> & z')).toBe('a b  001  AX  V  C "x" <y> & z');
    const edl = toEdl({ ...empty, identities: [{ name: "o'neil", segments: [segment(1, 2)], totalSeconds: 1 }] }, { clipName: 'talk\n002  AX.mp4', fps: 25, hasAudio: true });
    expect(edl).toContain('TITLE: talk 002  AX.mp4\n');
    expect(edl).toContain('* FROM CLIP NAME: talk 002  AX.mp4\n');
    expect(edl).toContain("* COMMENT: o'neil\n");
    // Only one event line: the name could not start a second one.
    expect(edl.split('\n').filter((line) => /^\d{3}\s/.test(line))).toHaveLength(1);
  });

  it('cuts a title to the 70 characters CMX3600 allows, but not the clip name', () => {
    const long = `${'x'.repeat(80)}.mp4`;
    const edl = toEdl(empty, { clipName: long, fps: 25, hasAudio: true });
    expect(edl.split('\n')[0]).toBe(`TITLE: ${'x'.repeat(70)}`);
  });

  it('writes only the header for an empty timeline', () => {
    expect(toEdl(empty, { clipName: 'v.mp4', fps: 25, hasAudio: true })).toBe('TITLE: v.mp4\nFCM: NON-DROP FRAME\n\n');
  });
});

describe('chapters', () => {
  it('covers the video: one WebVTT chapter per stretch with someone on screen, naming everyone, and the gaps', () => {
    expect(toVttChapters(timeline)).toBe(
      [
        'WEBVTT',
        '',
        '1',
        '00:00:00.000 --> 00:00:00.750',
        'alex_lacamoire, lin_manuel_miranda',
        '',
        '2',
        '00:00:00.750 --> 00:00:02.750',
        'nobody found',
        '',
        '3',
        '00:00:02.750 --> 00:00:09.176',
        'barack_obama, lin_manuel_miranda',
        '',
      ].join('\n'),
    );
  });

  it('names the stretches that were not scanned, and starts with nobody when nobody is there yet', () => {
    const holed: Timeline = {
      ...empty,
      identities: [{ name: 'ada', segments: [segment(2, 4)], totalSeconds: 2 }],
      missingChunks: [{ index: 1, start: 5, end: 7.5 }],
      videoDuration: 9,
    };
    const cues = toVttChapters(holed)
      .trim()
      .split('\n\n')
      .slice(1)
      .map((cue) => cue.split('\n').slice(1).join(' '));
    expect(cues).toEqual([
      '00:00:00.000 --> 00:00:02.000 nobody found',
      '00:00:02.000 --> 00:00:04.000 ada',
      '00:00:04.000 --> 00:00:05.000 nobody found',
      '00:00:05.000 --> 00:00:07.500 not scanned',
      '00:00:07.500 --> 00:00:09.000 nobody found',
    ]);
  });

  it('writes the same chapters as ffmetadata, in milliseconds', () => {
    expect(toFfmetadataChapters(timeline)).toBe(
      [
        ';FFMETADATA1',
        '',
        '[CHAPTER]',
        'TIMEBASE=1/1000',
        'START=0',
        'END=750',
        'title=alex_lacamoire, lin_manuel_miranda',
        '',
        '[CHAPTER]',
        'TIMEBASE=1/1000',
        'START=750',
        'END=2750',
        'title=nobody found',
        '',
        '[CHAPTER]',
        'TIMEBASE=1/1000',
        'START=2750',
        'END=9176',
        'title=barack_obama, lin_manuel_miranda',
        '',
      ].join('\n'),
    );
  });

  it('escapes what ffmetadata and WebVTT give a meaning to', () => {
    expect(ffmetadataText('a=b;c#d\\e\nf\r')).toBe('a\\=b\\;c\\#d\\\\e\\\nf');
    const odd: Timeline = { ...empty, identities: [{ name: 'a & <b>', segments: [segment(1, 2)], totalSeconds: 1 }] };
    expect(toVttChapters(odd)).toContain('\na &amp; &lt;b&gt;\n');
    expect(toFfmetadataChapters(odd)).toContain('\ntitle=a & <b>\n');
  });

  it('makes one chapter of the whole video when nobody was found', () => {
    expect(toVttChapters(empty)).toBe('WEBVTT\n\n1\n00:00:00.000 --> 00:00:09.176\nnobody found\n');
    expect(toFfmetadataChapters(empty)).toBe(';FFMETADATA1\n\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=9176\ntitle=nobody found\n');
  });
});

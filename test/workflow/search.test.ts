import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFaceFlags } from '../../shared/cli/faces-arg.ts';
import { LambdafaceError } from '../../shared/errors.ts';
import { scoreSegments } from '../../shared/eval/score.ts';
import { readTruth } from '../../shared/eval/truth.ts';
import { runLocalSearch, type LocalSearchOptions, type LocalSearchResult } from '../../shared/local/search.ts';
import { Timeline } from '../../shared/schemas/timeline.ts';
import { mergedSpans, montageTime, placeCuts } from '../../shared/timeline/montage-plan.ts';
import { cutAndConcat } from '../../shared/video/edit.ts';
import { runFfmpeg } from '../../shared/video/ffmpeg.ts';
import { probeVideo } from '../../shared/video/probe.ts';

/**
 * `lambdaface search` end to end on one machine: the real ASL through the local interpreter, the
 * real handlers in worker threads, the embedded S3 server, real ffmpeg and ONNX models, on the
 * bundled Hamilton clip, checked against its labelled truth.
 */
const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
const VIDEO = join(FIXTURES, 'videos/hamilton_short.mp4');
const PEOPLE = ['lin_manuel_miranda', 'alex_lacamoire', 'barack_obama'];

let work: string;
let first: LocalSearchResult;
let search: LocalSearchOptions;

const chunkObject = (dataDir: string, jobId: string, index: number): string => join(dataDir, 'lambdaface', 'intermediate', jobId, 'chunks', `${index}.json._S3rver_object`);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-search-'));
  search = {
    video: VIDEO,
    faces: await resolveFaceFlags(PEOPLE.map((name) => `${name}=${join(FIXTURES, 'faces', name)}`)),
    out: join(work, 'out'),
    options: { chunkSeconds: 5 },
    concurrency: 2,
    dataDir: join(work, 's3'),
  };
  first = await runLocalSearch(search);
}, 600_000);

/**
 * The montage's caption corner (x < 240, y < 40 at 640x360: left of where face boxes' own labels
 * sit in this clip) of the frame shown at `seconds`, as gray pixels.
 */
async function captionRegion(video: string, seconds: number): Promise<Buffer> {
  const { stdout } = await runFfmpeg(
    ['-v', 'error', '-ss', seconds.toFixed(3), '-i', video, '-frames:v', '1', '-vf', 'crop=240:40:0:0', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    { source: video, action: 'read a frame of' },
  );
  return stdout;
}

/** The source at `time`, with `caption` drawn for its whole length the way the montage draws names, and nothing else. */
async function reference(time: number, caption: string): Promise<string> {
  const path = join(work, `reference-${time}-${caption.length}.mp4`);
  await cutAndConcat(VIDEO, [{ start: time, end: time + 0.5, label: caption }], path, { drawBoxes: false });
  return path;
}

/** Gray level above which a pixel is part of a caption's white letters. */
const LIT = 170;

/**
 * Of the letter pixels of `reference` that `where` keeps, the share also lit in `frame`. Face
 * boxes and their small labels may reach into the corner, so a share, not an exact match.
 */
function litShare(frame: Buffer, reference: Buffer, where: (i: number) => boolean): number {
  expect(frame.length).toBe(reference.length);
  let letters = 0;
  let lit = 0;
  for (let i = 0; i < reference.length; i++) {
    if (reference[i]! <= LIT || !where(i)) continue;
    letters++;
    if (frame[i]! > LIT) lit++;
  }
  expect(letters).toBeGreaterThan(50);
  return lit / letters;
}

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('lambdaface search on the bundled sample', () => {
  it('writes the timeline in three formats, the montage, the report and thumbnails', async () => {
    for (const file of ['timeline.json', 'timeline.csv', 'timeline.vtt', 'montage.mp4', 'report.html']) {
      expect(existsSync(join(search.out, file)), file).toBe(true);
    }
    expect(first.files.some((file) => file.includes('/thumbnails/') && file.endsWith('.jpg'))).toBe(true);
    expect(await readFile(join(search.out, 'timeline.vtt'), 'utf-8')).toMatch(/^WEBVTT/);
    expect(await readFile(join(search.out, 'report.html'), 'utf-8')).toContain('barack_obama');
  });

  it('finds each person where the labelled truth says, per second', async () => {
    const timeline = Timeline.parse(JSON.parse(await readFile(join(search.out, 'timeline.json'), 'utf-8')));
    const truth = await readTruth(join(FIXTURES, 'labels/hamilton_short.per_second.csv'));
    const report = scoreSegments(truth, timeline, PEOPLE);
    expect(report.overall.f1).toBeGreaterThanOrEqual(0.85);
    expect(report.overall.fp).toBe(0);
    const segment = (name: string) => timeline.identities.find((identity) => identity.name === name)?.segments ?? [];
    // Labelled: Lin-Manuel clear from 2.74 to 7.04 s, Obama from 7.04 s to the end (9.18 s).
    const lin = segment('lin_manuel_miranda').find((s) => s.end > 3 && s.start < 7);
    expect(Math.abs(lin!.start - 2.74)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(lin!.end - 7.04)).toBeLessThanOrEqual(0.5);
    const obama = segment('barack_obama');
    expect(obama).toHaveLength(1);
    expect(Math.abs(obama[0]!.start - 7.04)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(obama[0]!.end - 9.18)).toBeLessThanOrEqual(0.5);
  });

  it('makes a montage that plays for as long as its segments', async () => {
    const montage = await probeVideo(join(search.out, 'montage.mp4'));
    expect(montage.codec).toBe('h264');
    // Segments: Alex + Lin 0-0.75 s, Lin 2.75-7.25 s, Obama 7.25 s-end, joined where they touch.
    const timeline = Timeline.parse(JSON.parse(await readFile(join(search.out, 'timeline.json'), 'utf-8')));
    const spans = timeline.identities.flatMap((identity) => identity.segments).sort((a, b) => a.start - b.start);
    let total = 0;
    let end = -1;
    for (const span of spans) {
      total += Math.max(0, span.end - Math.max(span.start, end));
      end = Math.max(end, span.end);
    }
    expect(Math.abs(montage.durationSeconds - total)).toBeLessThan(0.2);
  });

  it('draws a name only while that person is on screen (frames of the montage decoded)', async () => {
    const timeline = Timeline.parse(JSON.parse(await readFile(join(search.out, 'timeline.json'), 'utf-8')));
    const placed = placeCuts(mergedSpans(timeline));
    const montage = join(search.out, 'montage.mp4');
    // Labelled: Lin-Manuel alone from 2.74 to 7.04 s, Obama alone after; the old montage captioned
    // the whole joined cut 2.75-9.18 s "barack_obama, lin_manuel_miranda".
    for (const [time, shown] of [
      [5, 'lin_manuel_miranda'],
      [8.5, 'barack_obama'],
    ] as const) {
      const frame = await captionRegion(montage, montageTime(placed, time)!);
      const alone = await captionRegion(await reference(time, shown), 0);
      const everyone = await captionRegion(await reference(time, 'barack_obama, lin_manuel_miranda'), 0);
      // The strokes of the shown name are in the frame; those only the other name has are not.
      expect(
        litShare(frame, alone, () => true),
        `${shown}'s name at ${time} s`,
      ).toBeGreaterThan(0.9);
      expect(
        litShare(frame, everyone, (i) => alone[i]! <= LIT),
        `the other name at ${time} s`,
      ).toBeLessThan(0.3);
    }
    expect(first.result.montage).toMatchObject({ shortened: 0, leftOut: 0, omitted: [], reusedPieces: 0 });
  });

  it('resumes: a rerun of the same job redoes only the chunk whose result is missing', async () => {
    const keep = chunkObject(search.dataDir!, first.jobId, 0);
    const redo = chunkObject(search.dataDir!, first.jobId, 1);
    const keptBefore = (await stat(keep)).mtimeMs;
    await rm(redo);
    const again = await runLocalSearch(search);
    expect(again.jobId).toBe(first.jobId);
    expect((await stat(keep)).mtimeMs).toBe(keptBefore);
    expect(existsSync(redo)).toBe(true);
    expect(again.result.identities).toEqual(first.result.identities);
    // The montage's pieces are named by what they are cut from and with: the rerun cuts none again.
    expect(again.result.montage!.reusedPieces).toBe(first.result.montage!.pieces);
  });

  it('keeps jobs apart: other options make another job', async () => {
    const other = await runLocalSearch({ ...search, out: join(work, 'out-2fps'), options: { chunkSeconds: 5, sampleFps: 2, montage: false } });
    expect(other.jobId).not.toBe(first.jobId);
    expect(existsSync(join(work, 'out-2fps', 'montage.mp4'))).toBe(false);
    expect(other.result.identities.map((identity) => identity.name)).toContain('lin_manuel_miranda');
  });

  it('fails a person left without any usable photo, naming the photo and what to do', async () => {
    const blank = join(work, 'blank.png');
    const { default: sharp } = await import('sharp');
    await writeFile(
      blank,
      await sharp({ create: { width: 200, height: 200, channels: 3, background: '#777' } })
        .png()
        .toBuffer(),
    );
    const failure = await runLocalSearch({ ...search, options: { ...search.options, montage: false }, faces: [...search.faces, { name: 'nobody', photos: [blank] }] }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(LambdafaceError);
    expect((failure as LambdafaceError).message).toMatch(/no usable reference photo for nobody \(no face found in s3:\/\/lambdaface\/uploads\/.*blank\.png/);
    expect((failure as LambdafaceError).hint).toBeTruthy();
  });
});

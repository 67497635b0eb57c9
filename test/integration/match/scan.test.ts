import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGallery } from '../../../shared/match/gallery.ts';
import { indexGallery, thresholdFor, type GalleryIndex } from '../../../shared/match/matcher.ts';
import { DEFAULT_TRACK_OPTIONS } from '../../../shared/match/tracks.ts';
import { DEFAULT_SCAN_OPTIONS, scanChunk, type ScanOptions } from '../../../shared/recognize/scan.ts';
import { ChunkResult, type FaceRecord } from '../../../shared/schemas/faces.ts';
import { probeVideo } from '../../../shared/video/probe.ts';
import type { VideoInfo } from '../../../shared/video/types.ts';
import { iou } from '../../../shared/vision/box.ts';
import { ENROLLED, fixture, VIDEOS } from '../vision/fixtures.ts';

/**
 * scanChunk end to end on the fixture videos, with the three people of hamilton_short.mp4 and two
 * others enrolled from fixture photos. Ground truth: fixtures/labels/*.per_second.csv.
 */

const OPTIONS: ScanOptions = { ...DEFAULT_SCAN_OPTIONS, sampleFps: 2 };
const LIN = { start: 2.736, end: 7.04 };

let gallery: GalleryIndex;
let hamiltonInfo: VideoInfo;
let hamilton: ChunkResult;
let crowd: ChunkResult;

/** second -> identity -> '1' present, '0' absent, '?' unsure, from a per-second label file. */
function perSecondLabels(file: string): Map<number, Map<string, string>> {
  const [header, ...rows] = readFileSync(fixture(`labels/${file}`), 'utf8')
    .trim()
    .split('\n');
  const names = header!.split(',').slice(2);
  return new Map(
    rows.map((row) => {
      const cells = row.split(',');
      return [Number(cells[0]), new Map(names.map((name, i) => [name, cells[i + 2]!.trim()]))];
    }),
  );
}

const named = (result: ChunkResult, identity?: string): FaceRecord[] =>
  result.faces.filter((face) => (identity === undefined ? face.identity !== null : face.identity === identity));

beforeAll(async () => {
  gallery = indexGallery(await buildGallery(ENROLLED));
  hamiltonInfo = await probeVideo(VIDEOS.hamilton);
  const crowdInfo = await probeVideo(VIDEOS.crowd);
  hamilton = await scanChunk(VIDEOS.hamilton, { index: 0, start: 0, end: 9.18 }, gallery, OPTIONS, { jobId: 'scan-test', video: hamiltonInfo });
  crowd = await scanChunk(VIDEOS.crowd, { index: 2, start: 0, end: crowdInfo.durationSeconds }, gallery, OPTIONS, { jobId: 'scan-test', video: crowdInfo });
});

describe('scanChunk on hamilton_short.mp4 [0, 9.18) at 2 fps', () => {
  it('returns a valid ChunkResult', () => {
    const parsed = ChunkResult.safeParse(hamilton);
    expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true);
    expect(hamilton.jobId).toBe('scan-test');
    expect(hamilton.sampleFps).toBe(2);
    expect(hamilton.chunk).toEqual({ index: 0, start: 0, end: 9.18 });
    // Samples at 0, 0.5, ..., 9.0 (19), the last one included however slow detection is.
    expect(hamilton.framesScanned).toBe(19);
    for (const face of hamilton.faces) expect(Number.isInteger(face.time * 2), `${face.time}`).toBe(true);
    expect(hamilton.faces.length).toBeGreaterThan(0);
  });

  it('names Lin-Manuel while he is clearly on screen (2.74-7.04 s)', () => {
    const lin = named(hamilton, 'lin_manuel_miranda');
    const during = lin.filter((face) => face.time >= LIN.start && face.time <= LIN.end);
    // Samples 3.0 ... 7.0 are 9 frames; he is found and named in most of them.
    expect(during.length).toBeGreaterThanOrEqual(6);
    for (const face of during) {
      expect(face.confidence).toBeGreaterThan(0.5);
      expect(face.distance).toBeLessThanOrEqual(face.threshold!);
      expect(face.threshold).toBeLessThanOrEqual(OPTIONS.rule.threshold + OPTIONS.rule.smallFaceAllowance);
    }
  });

  it('names nobody where the labels say that person is absent', () => {
    const labels = perSecondLabels('hamilton_short.per_second.csv');
    const wrong = named(hamilton)
      .filter((face) => labels.get(Math.floor(face.time))?.get(face.identity!) === '0')
      .map((face) => `${face.identity} at ${face.time} s`);
    expect(wrong).toEqual([]);
    // Nobody is ever named jim_parsons or john_salley, who are not in the video.
    expect(named(hamilton).filter((face) => face.identity === 'jim_parsons' || face.identity === 'john_salley')).toEqual([]);
  });

  it('names whole tracks: one track carries one name, and a single sighting only within its stricter bar', () => {
    const tracks = new Map<string, FaceRecord[]>();
    for (const face of hamilton.faces) tracks.set(face.track, [...(tracks.get(face.track) ?? []), face]);
    for (const [track, faces] of tracks) {
      expect(new Set(faces.map((face) => face.identity)).size, track).toBe(1);
      // One face per track per sample.
      expect(new Set(faces.map((face) => face.time)).size, track).toBe(faces.length);
      if (faces.length < DEFAULT_TRACK_OPTIONS.minTrackLength && faces[0]!.identity !== null) {
        expect(faces[0]!.distance!, track).toBeLessThanOrEqual(thresholdFor(OPTIONS.rule, 0, true));
      }
    }
    expect([...tracks.keys()].every((track) => track.startsWith('0-'))).toBe(true);
  });

  it('describes each track by FaceRes in at most its few best faces, and every named track so', () => {
    const tracks = new Map<string, FaceRecord[]>();
    for (const face of hamilton.faces) tracks.set(face.track, [...(tracks.get(face.track) ?? []), face]);
    for (const [track, faces] of tracks) {
      const described = faces.filter((face) => face.faceres !== undefined);
      expect(described.length, track).toBeLessThanOrEqual(DEFAULT_TRACK_OPTIONS.bestSightings);
      if (faces[0]!.identity !== null) expect(described.length, track).toBeGreaterThan(0);
      for (const face of described) expect(Math.hypot(...face.faceres!), track).toBeCloseTo(1, 3);
      // The described faces are the track's best by quality.
      const best = [...faces].sort((p, q) => q.quality - p.quality).slice(0, described.length);
      if (described.length > 0) expect(Math.min(...described.map((face) => face.quality)), track).toBe(Math.min(...best.map((face) => face.quality)));
    }
    expect(hamilton.faces.filter((face) => face.faceres !== undefined).length).toBeLessThan(hamilton.faces.length);
  });

  it('keeps every face with its descriptor, box in source pixels, inside the frame', () => {
    for (const face of hamilton.faces) {
      expect(face.embedding).toHaveLength(128);
      expect(face.box.width).toBeGreaterThan(10);
      expect(face.box.x + face.box.width / 2).toBeGreaterThan(0);
      expect(face.box.x + face.box.width / 2).toBeLessThan(hamiltonInfo.width);
      expect(face.box.y + face.box.height / 2).toBeGreaterThan(0);
      expect(face.box.y + face.box.height / 2).toBeLessThan(hamiltonInfo.height);
    }
  });

  it('reports boxes in source pixels when frames are scaled down for detection', async () => {
    const chunk = { index: 1, start: 4, end: 5 };
    const full = await scanChunk(VIDEOS.hamilton, chunk, gallery, OPTIONS, { jobId: 'scan-test', video: hamiltonInfo });
    const half = await scanChunk(VIDEOS.hamilton, chunk, gallery, { ...OPTIONS, maxWidth: 320 }, { jobId: 'scan-test', video: hamiltonInfo });
    const common = full.faces.filter((f) => f.box.width > 60 && half.faces.some((g) => g.time === f.time));
    expect(common.length).toBeGreaterThan(0);
    for (const face of common) {
      const same = half.faces.filter((f) => f.time === face.time);
      expect(Math.max(...same.map((f) => iou(f.box, face.box))), `t=${face.time}`).toBeGreaterThan(0.6);
    }
  });
});

describe('scanChunk on crowd_walking.mp4 (nobody enrolled is in it)', () => {
  it('finds faces but never names anyone', () => {
    expect(ChunkResult.safeParse(crowd).success).toBe(true);
    expect(crowd.framesScanned).toBeGreaterThanOrEqual(8);
    expect(crowd.faces.length).toBeGreaterThan(crowd.framesScanned);
    expect(named(crowd)).toEqual([]);
    expect(crowd.faces.every((face) => face.confidence === 0 && face.distance !== null && face.distance > 0)).toBe(true);
    expect(crowd.faces.every((face) => face.track.startsWith('2-'))).toBe(true);
  });
});

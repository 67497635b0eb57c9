import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobKeys } from '../../shared/storage/keys.ts';
import { getToFile, listKeys, putBytes } from '../../shared/storage/s3.ts';
import type { MontagePlan } from '../../shared/timeline/montage-plan.ts';
import { probeVideo } from '../../shared/video/probe.ts';
import type { VideoInfo } from '../../shared/video/types.ts';
import { makeMontage, type MontagePieces } from '../../shared/workflow/montage-pieces.ts';
import { useEmbeddedS3 } from '../unit/local/embedded-s3-fixture.ts';

/**
 * The montage's pieces on the real fixture clip and a real embedded S3: cut at most 480p, stored
 * under the job's clips/ by a hash of what they are, joined by stream copy, and found again by a
 * rerun or a later search of the same video instead of being cut again.
 */
const VIDEO = new URL('../../fixtures/videos/hamilton_short.mp4', import.meta.url).pathname;
const s3 = useEmbeddedS3('montage');
const box = { x: 250, y: 40, width: 100, height: 100 };
let work: string;
let video: VideoInfo;

const plan = (lastCaption: string): MontagePlan => ({
  clips: [
    { start: 0.5, end: 1.5, captions: [{ from: 0.5, to: 1.5, text: 'ada' }], boxes: [{ time: 0.5, box, label: 'ada' }] },
    { start: 3, end: 4, captions: [{ from: 3, to: 4, text: lastCaption }], boxes: [] },
  ],
  onScreenSeconds: 2,
  shownSeconds: 2,
  capSeconds: 600,
  omitted: [],
});

const job = (jobId: string, scannedBy?: string): MontagePieces => ({
  bucket: 'montage',
  jobId,
  video: { key: 'uploads/x/hamilton_short.mp4', etag: '"abc"' },
  scannedBy,
  options: { annotateMontage: true, sampleFps: 4 },
});

async function make(pieces: MontagePieces, montagePlan: MontagePlan) {
  const { client } = s3();
  const montageKey = jobKeys(pieces.jobId).montage;
  const made = await makeMontage(client, pieces, { url: VIDEO, video, plan: montagePlan, montageKey, tmpDir: work, signal: undefined });
  const local = join(work, `${pieces.jobId}.mp4`);
  await getToFile(client, 'montage', montageKey, local);
  return { made, written: await probeVideo(local) };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-pieces-'));
  video = await probeVideo(VIDEO);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('makeMontage', () => {
  it('cuts each piece, joins them without re-encoding into one playable montage, and places each', async () => {
    const { made, written } = await make(job('job-a'), plan('ada'));
    expect(made).toMatchObject({ cut: 2, reused: 0, labelsDrawn: true });
    expect(written).toMatchObject({ codec: 'h264', width: 640, height: 360 });
    expect(Math.abs(written.durationSeconds - 2)).toBeLessThan(0.15);
    expect(made.placed.map((cut) => cut.start)).toEqual([0.5, 3]);
    expect(made.placed[0]!.at).toBe(0);
    expect(Math.abs(made.placed[1]!.at - 1)).toBeLessThan(0.1);
  });

  it('cuts nothing again on a rerun of the same job', async () => {
    const { made } = await make(job('job-a'), plan('ada'));
    expect(made).toMatchObject({ cut: 0, reused: 2 });
  });

  it("takes an earlier search's pieces of the same video only where nothing differs, and recuts a damaged one", async () => {
    // Another job, same video, the second piece captioned differently: only the first is the same.
    const { made } = await make(job('job-b', 'job-a'), plan('grace'));
    expect(made).toMatchObject({ cut: 1, reused: 1 });
    // Garbage where this job's own first piece is stored: it cannot be measured, so it is cut again.
    const { client } = s3();
    const keys = await listKeys(client, 'montage', 'intermediate/job-b/clips/');
    expect(keys).toHaveLength(2);
    for (const key of keys) await putBytes(client, 'montage', key, new Uint8Array([1, 2, 3]), 'video/mp4');
    const again = await make(job('job-b'), plan('grace'));
    expect(again.made).toMatchObject({ cut: 2, reused: 0 });
    expect(Math.abs(again.written.durationSeconds - 2)).toBeLessThan(0.15);
  });

  it("never takes a piece of another video, even in the earlier job's storage", async () => {
    const other = { ...job('job-c', 'job-a'), video: { key: 'uploads/y/other.mp4', etag: '"def"' } };
    const { made } = await make(other, plan('ada'));
    expect(made).toMatchObject({ cut: 2, reused: 0 });
  });
});

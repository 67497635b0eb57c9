import { copyFile, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkResult } from '../../shared/schemas/faces.ts';
import { Timeline } from '../../shared/schemas/timeline.ts';
import type { SearchWork } from '../../shared/local/search.ts';
import { ROOT, runCli, type CliRun } from '../cli-run.ts';

/**
 * `search --reuse-scan`: a search of the bundled clip with two people, then the same video with a
 * third person added, named from the first search's stored scan. It must decode nothing, say so,
 * and give the timeline a fresh search with all three gives.
 */
const VIDEO = join(ROOT, 'fixtures/videos/hamilton_short.mp4');
const face = (name: string): string[] => ['--face', `${name}=${join(ROOT, 'fixtures/faces', name)}`];
const TWO = [...face('lin_manuel_miranda'), ...face('alex_lacamoire')];
const THREE = [...TWO, ...face('barack_obama')];

let work: string;
let dataDir: string;
let firstJob: string;
let reused: CliRun;

const search = (out: string, ...args: string[]): Promise<CliRun> =>
  runCli(['search', '--video', VIDEO, '--out', join(work, out), '--data-dir', dataDir, '--no-montage', '--concurrency', '2', ...args]);
const timelineOf = async (out: string): Promise<Timeline> => Timeline.parse(JSON.parse(await readFile(join(work, out, 'timeline.json'), 'utf-8')));
const chunkObject = (jobId: string, index: number): string => join(dataDir, 'lambdaface', 'intermediate', jobId, 'chunks', `${index}.json._S3rver_object`);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-reuse-'));
  dataDir = join(work, 's3');
  const first = await search('two', ...TWO, '--chunk-seconds', '5');
  expect(first.code, first.stderr).toBe(0);
  firstJob = (await timelineOf('two')).jobId!;
  reused = await search('three', ...THREE, '--reuse-scan', join(work, 'two'));
}, 600_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('search --reuse-scan', () => {
  it('names a new person from the stored scan without decoding, and says so', async () => {
    expect(reused.code, reused.stderr).toBe(0);
    expect(reused.stdout).toContain(`Named from the scan of job ${firstJob}: 2 of 2 chunk(s), no frame decoded.`);
    expect(reused.stdout).toContain('Naming the stored faces loaded no model.');
    // Only the new person is enrolled: the other two were enrolled by the first search, from the same photos.
    expect(reused.stdout).toContain('Reused the stored enrolment of lin_manuel_miranda, alex_lacamoire (same photos); enrolled barack_obama.');
    const timeline = await timelineOf('three');
    expect(timeline.identities.map((identity) => identity.name)).toEqual(['alex_lacamoire', 'barack_obama', 'lin_manuel_miranda']);
    // The stored results of the new job say whose scan they came from.
    const chunk = ChunkResult.parse(JSON.parse(await readFile(chunkObject(timeline.jobId!, 0), 'utf-8')));
    expect(chunk.scannedBy).toBe(firstJob);
  });

  it('gives the timeline a fresh search with the same people and options gives', async () => {
    const fresh = await search('fresh', ...THREE, '--chunk-seconds', '5');
    expect(fresh.code, fresh.stderr).toBe(0);
    const { jobId: freshJob, ...freshTimeline } = await timelineOf('fresh');
    const { jobId: reusedJob, ...reusedTimeline } = await timelineOf('three');
    expect(reusedJob).not.toBe(freshJob);
    expect(reusedTimeline).toEqual(freshTimeline);
  });

  it('loads no model at all when nobody needs enrolling, whatever folder the same photos are in', async () => {
    const copy = join(work, 'alex-copy');
    await cp(join(ROOT, 'fixtures/faces/alex_lacamoire'), copy, { recursive: true });
    const run = await search('same-people', ...face('lin_manuel_miranda'), '--face', `alex_lacamoire=${copy}`, '--reuse-scan', firstJob, '--json');
    expect(run.code, run.stderr).toBe(0);
    const { work: done } = JSON.parse(run.stdout) as { work: SearchWork };
    const { thumbnails, ...rest } = done;
    expect(rest).toEqual({
      chunksDecoded: 0,
      modelsLoaded: { train: 0, recognize: 0 },
      enrolled: [],
      reusedEnrolments: ['lin_manuel_miranda', 'alex_lacamoire'],
      montagePieces: { cut: 0, reused: 0 },
    });
    // The same people in the same video: every face shown was cut by the first search, none again.
    expect(thumbnails.made).toBeGreaterThan(0);
    expect(thumbnails.reused).toBe(thumbnails.made);
  });

  it('enrols a person again when their photos changed, or their stored enrolment is not provably theirs', async () => {
    const copy = join(work, 'alex-changed');
    await cp(join(ROOT, 'fixtures/faces/alex_lacamoire'), copy, { recursive: true });
    // Same file name, other content: another photo of him.
    await copyFile(join(ROOT, 'fixtures/faces/alex_lacamoire/fr_alex-lacamoire.png'), join(copy, 'fr_knn_train_img1.jpg'));
    // Lin's stored enrolment now claims other models: it is refused, not trusted.
    const enrolments = join(dataDir, 'lambdaface', 'intermediate', 'enrolments');
    for (const file of (await readdir(enrolments)).filter((name) => name.endsWith('.json._S3rver_object'))) {
      const entry = JSON.parse(await readFile(join(enrolments, file), 'utf-8')) as { inputs: { name: string; models: string } };
      if (entry.inputs.name === 'lin_manuel_miranda') await writeFile(join(enrolments, file), JSON.stringify({ ...entry, inputs: { ...entry.inputs, models: 'other' } }));
    }
    const run = await search('changed', ...face('lin_manuel_miranda'), '--face', `alex_lacamoire=${copy}`, '--reuse-scan', firstJob, '--json');
    expect(run.code, run.stderr).toBe(0);
    const { work: done } = JSON.parse(run.stdout) as { work: SearchWork };
    expect(done.enrolled).toEqual(['lin_manuel_miranda', 'alex_lacamoire']);
    expect(done.reusedEnrolments).toEqual([]);
    // Enrolling loads the detector, landmarks and both embedders; naming the stored faces none.
    expect(done.modelsLoaded.train).toBeGreaterThanOrEqual(4);
    expect(done.modelsLoaded.recognize).toBe(0);
    expect(done.chunksDecoded).toBe(0);
  });

  it('takes a job id as well as a folder, and scans from the video a stored chunk it cannot use, naming it', async () => {
    await writeFile(chunkObject(firstJob, 1), '{"version": 3, "cut short');
    const run = await search('repaired', ...THREE, '--face', `extra=${join(ROOT, 'fixtures/faces/rose_leslie')}`, '--reuse-scan', firstJob);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Named from the scan of job ${firstJob}: 1 of 2 chunk(s); 1 chunk(s) had to be decoded again`);
    expect(run.stdout).toMatch(/WARNING: s3:\/\/lambdaface\/intermediate\/[^/]+\/chunks\/1\.json .*; scanning the chunk from the video instead/);
    const { jobId: _repaired, ...repaired } = await timelineOf('repaired');
    const { jobId: _reused, ...earlier } = await timelineOf('three');
    expect(repaired.identities.filter((identity) => identity.name !== 'extra')).toEqual(earlier.identities);
  });

  it('refuses a job that does not exist, a scan of another video, and scan options given with it', async () => {
    const missing = await search('missing', ...THREE, '--reuse-scan', 'j-00000000000000000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no earlier job j-0+ to reuse the scan of/);
    const other = await runCli([
      'search',
      '--video',
      join(ROOT, 'fixtures/videos/crowd_walking.mp4'),
      ...THREE,
      '--reuse-scan',
      firstJob,
      '--out',
      join(work, 'other'),
      '--data-dir',
      dataDir,
      '--no-montage',
    ]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(new RegExp(`job ${firstJob} scanned s3://lambdaface/uploads/.*hamilton_short\\.mp4, not .*fixtures/videos/crowd_walking\\.mp4`));
    const options = await search('options', ...THREE, '--reuse-scan', firstJob, '--sample-fps', '2');
    expect(options.code).toBe(1);
    expect(options.stderr).toMatch(/--reuse-scan takes the earlier search's --sample-fps, --chunk-seconds and --no-small-faces/);
    for (const run of [missing, other, options]) expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

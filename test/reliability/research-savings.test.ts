import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RuntimeConfig } from '../../shared/config/runtime.ts';
import { checkToolsOnce } from '../../shared/cli/tools-check.ts';
import { definitionProblems } from '../../shared/local/definition-check.ts';
import { loadDefinition } from '../../shared/local/asl.ts';
import { JobRecord } from '../../shared/schemas/job.ts';
import { jobKeys } from '../../shared/storage/keys.ts';
import { getBytes, getJson, presignGet, putBytes } from '../../shared/storage/s3.ts';
import { probeVideo } from '../../shared/video/probe.ts';
import { MODEL_NAMES, MODELS, MODELS_MANIFEST, modelDir } from '../../shared/vision/models.ts';
import type { HandlerContext } from '../../shared/workflow/context.ts';
import { shardJob } from '../../shared/workflow/shard.ts';
import { thumbnailOf, type ThumbnailSource } from '../../shared/workflow/stored-thumbnails.ts';
import { buildModels } from '../../tools/models/build-models.ts';
import { checkModelsOnce } from '../../tools/models-check/on-demand-once.ts';
import { useEmbeddedS3 } from '../unit/local/embedded-s3-fixture.ts';
import { ROOT, runCli } from '../cli-run.ts';

/**
 * What a re-search (search --reuse-scan) and every start of the CLI no longer redo, and the proof
 * each skipped piece of work rests on: Shard takes the earlier job's probe of the very same object;
 * a thumbnail the earlier search cut is taken by the hash of all it is made of; a state machine
 * definition proven valid, and models found current, are not checked again until what they depend
 * on changes.
 */
const VIDEO = new URL('../../fixtures/videos/hamilton_short.mp4', import.meta.url).pathname;
const BUCKET = 'savings';
const VIDEO_KEY = 'uploads/savings/hamilton_short.mp4';
const s3 = useEmbeddedS3(BUCKET);

function context(): HandlerContext {
  const config: RuntimeConfig = { s3Endpoint: s3().server.endpoint, threads: 1, tmpDir: tmpdir(), stateMachineArn: undefined, deployedModels: undefined };
  return { config, s3: s3().client };
}

const jobInput = (scannedBy?: string) => ({
  bucket: BUCKET,
  video: { key: VIDEO_KEY, ...(scannedBy === undefined ? {} : { scannedBy }) },
  faces: [{ name: 'someone', keys: [VIDEO_KEY] }],
  options: { sampleFps: 1, chunkSeconds: 5, montage: false },
});

let cacheDir: string;
beforeAll(async () => {
  await putBytes(s3().client, BUCKET, VIDEO_KEY, await readFile(VIDEO), 'video/mp4');
  cacheDir = await mkdtemp(join(tmpdir(), 'lambdaface-proven-'));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('Shard of a job reusing an earlier scan', () => {
  it("takes the earlier job's probe of the same object instead of running ffprobe", async () => {
    const first = await shardJob(jobInput(), context());
    const earlier = await getJson(s3().client, BUCKET, jobKeys(first.job.jobId).record, JobRecord);
    // A path that does not exist fails any ffprobe run at once.
    vi.stubEnv('LAMBDAFACE_FFPROBE', '/nonexistent/ffprobe');
    const again = await shardJob(jobInput(first.job.jobId), context());
    const record = await getJson(s3().client, BUCKET, jobKeys(again.job.jobId).record, JobRecord);
    expect(record.probe).toEqual(earlier.probe);
    expect(again.chunks.count).toBe(first.chunks.count);
  });
});

describe('thumbnails', () => {
  const face = { time: 2, box: { x: 300, y: 60, width: 120, height: 140 } };
  const source = (jobId: string, scannedBy?: string, etag = 'the-etag'): ThumbnailSource => ({ bucket: BUCKET, jobId, video: { key: VIDEO_KEY, etag }, scannedBy });
  const where = async () => ({ url: await presignGet(s3().client, BUCKET, VIDEO_KEY), video: await probeVideo(VIDEO) });

  it('are taken from the earlier scan of the same video, running no ffmpeg to cut them, and kept for the next search', async () => {
    const cut = await thumbnailOf(s3().client, source('first'), face, await where());
    expect(cut.reused).toBe(false);
    const at = await where();
    // Cutting a thumbnail now would fail at once.
    vi.stubEnv('LAMBDAFACE_FFMPEG', '/nonexistent/ffmpeg');
    const again = await thumbnailOf(s3().client, source('second', 'first'), face, at);
    expect(again.reused).toBe(true);
    expect(again.jpeg.equals(cut.jpeg)).toBe(true);
    const ownCopy = (await readdir(join(s3().dir, BUCKET, 'intermediate', 'second', 'thumbs'))).filter((name) => name.endsWith('.jpg._S3rver_object'));
    expect(ownCopy).toHaveLength(1);
  });

  it('are cut again when the stored one is of another version of the video, or cut short', async () => {
    const first = await thumbnailOf(s3().client, source('third'), face, await where());
    const otherVersion = await thumbnailOf(s3().client, source('fourth', 'third', 'another-etag'), face, await where());
    expect(otherVersion.reused).toBe(false);
    const keys = (await readdir(join(s3().dir, BUCKET, 'intermediate', 'third', 'thumbs'))).filter((name) => name.endsWith('._S3rver_object'));
    const stored = `intermediate/third/thumbs/${keys[0]!.replace('._S3rver_object', '')}`;
    await putBytes(s3().client, BUCKET, stored, first.jpeg.subarray(0, 100), 'image/jpeg');
    const recut = await thumbnailOf(s3().client, source('third'), face, await where());
    expect(recut.reused).toBe(false);
    expect(recut.jpeg.equals(first.jpeg)).toBe(true);
    expect(Buffer.from(await getBytes(s3().client, BUCKET, stored)).equals(first.jpeg)).toBe(true);
  });
});

describe('what the CLI proves once per machine', () => {
  it('validates a state machine definition once per content; one with problems every time', async () => {
    vi.stubEnv('LAMBDAFACE_CACHE_DIR', cacheDir);
    const facts = async () => readdir(join(cacheDir, 'valid-definitions')).catch(() => []);
    const definition = await loadDefinition();
    expect(await definitionProblems(definition)).toEqual([]);
    expect(await facts()).toHaveLength(1);
    expect(await definitionProblems(definition)).toEqual([]);
    const broken = { ...definition, StartAt: 'Nowhere' };
    expect((await definitionProblems(broken)).length).toBeGreaterThan(0);
    expect((await definitionProblems(broken)).length).toBeGreaterThan(0);
    expect(await facts()).toHaveLength(1);
  });

  it('runs ffmpeg and ffprobe to check them once per pair of files; a program that is not ffmpeg is refused every time', async () => {
    vi.stubEnv('LAMBDAFACE_CACHE_DIR', cacheDir);
    const facts = async () => readdir(join(cacheDir, 'tools')).catch(() => []);
    await checkToolsOnce();
    await checkToolsOnce();
    expect(await facts()).toHaveLength(1);
    vi.stubEnv('LAMBDAFACE_FFMPEG', '/bin/true');
    await expect(checkToolsOnce()).rejects.toThrow(/not ffmpeg/);
    await expect(checkToolsOnce()).rejects.toThrow(/not ffmpeg/);
    expect(await facts()).toHaveLength(1);
  });

  it('checks the models again only when a file the check reads changed', async () => {
    vi.stubEnv('LAMBDAFACE_CACHE_DIR', cacheDir);
    const outDir = await mkdtemp(join(tmpdir(), 'lambdaface-models-'));
    try {
      for (const file of [...MODEL_NAMES.map((name) => MODELS[name].file), MODELS_MANIFEST]) await copyFile(join(modelDir(), file), join(outDir, file));
      let checks = 0;
      const check = (dir: string) => {
        checks++;
        return buildModels({ outDir: dir });
      };
      expect((await checkModelsOnce(outDir, check)).status).toBe('up-to-date');
      expect(checks).toBe(1);
      expect((await checkModelsOnce(outDir, check)).status).toBe('up-to-date');
      expect(checks).toBe(1);
      // The same bytes written again: the file is not provably the one checked, so it is checked.
      const manifest = join(outDir, MODELS_MANIFEST);
      await writeFile(manifest, await readFile(manifest));
      expect((await checkModelsOnce(outDir, check)).status).toBe('up-to-date');
      expect(checks).toBe(2);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});

describe('the CLI without its build', () => {
  it('runs from its sources through tsx, handler threads included, when no build is to be used', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lambdaface-from-sources-'));
    try {
      const face = `lin_manuel_miranda=${join(ROOT, 'fixtures/faces/lin_manuel_miranda')}`;
      const run = await runCli(['search', '--video', VIDEO, '--face', face, '--out', join(out, 'out'), '--data-dir', join(out, 's3'), '--no-montage', '--json'], {
        env: { LAMBDAFACE_FROM_SOURCES: '1' },
      });
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as { identities: { name: string }[] };
      expect(result.identities.map((identity) => identity.name)).toEqual(['lin_manuel_miranda']);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 240_000);
});

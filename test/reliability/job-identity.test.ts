import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RuntimeConfig } from '../../shared/config/runtime.ts';
import { LambdafaceError } from '../../shared/errors.ts';
import { ChunkResult } from '../../shared/schemas/faces.ts';
import { StoredGallery, type GallerySummary } from '../../shared/schemas/gallery.ts';
import { jobKeys } from '../../shared/storage/keys.ts';
import { createS3Client, getBytes, getJson, getText, getToFile, putBytes, putJson, putText } from '../../shared/storage/s3.ts';
import { PlannedPiece } from '../../shared/schemas/montage-pieces.ts';
import { probeVideo } from '../../shared/video/probe.ts';
import { cutPieceJob } from '../../shared/workflow/cut-piece.ts';
import { joinMontageJob } from '../../shared/workflow/join-montage.ts';
import { ChunkManifest } from '../../shared/workflow/chunks.ts';
import type { HandlerContext } from '../../shared/workflow/context.ts';
import { montageJob } from '../../shared/workflow/montage.ts';
import { resolveJob } from '../../shared/workflow/job.ts';
import { recognizeBatch, type RecognizeEvent } from '../../shared/workflow/recognize.ts';
import { shardJob } from '../../shared/workflow/shard.ts';
import { trainJob } from '../../shared/workflow/train.ts';
import { useEmbeddedS3 } from '../unit/local/embedded-s3-fixture.ts';

/**
 * Reused state must provably belong to the job: probes of a reused job label, stored galleries and
 * chunk results that are cut short, another job's, or from other models. The steps run in-process
 * on the real embedded S3 server, models and ffmpeg, on the bundled clip.
 */
const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
const BUCKET = 'reliability';
const s3 = useEmbeddedS3(BUCKET);

const VIDEO_KEY = 'uploads/clip/hamilton_short.mp4';
const OBAMA_KEY = 'uploads/clip/obama.jpg';
const LIN_KEY = 'uploads/clip/lin.png';

function context(): HandlerContext {
  const config: RuntimeConfig = { s3Endpoint: s3().server.endpoint, threads: 1, tmpDir: tmpdir(), stateMachineArn: undefined, deployedModels: undefined };
  return { config, s3: s3().client };
}

let uploaded: Promise<void> | undefined;
function upload(): Promise<void> {
  uploaded ??= (async () => {
    const put = async (key: string, path: string) => putBytes(s3().client, BUCKET, key, await readFile(join(FIXTURES, path)), 'application/octet-stream');
    await put(VIDEO_KEY, 'videos/hamilton_short.mp4');
    await put(OBAMA_KEY, 'faces/barack_obama/fr_obama.jpg');
    await put(LIN_KEY, 'faces/lin_manuel_miranda/fr_lin-manuel-miranda.png');
  })();
  return uploaded;
}

const jobInput = (name: string, key: string, options: Record<string, unknown> = {}) => ({
  jobId: 'talk',
  bucket: BUCKET,
  video: { key: VIDEO_KEY },
  faces: [{ name, keys: [key] }],
  options: { sampleFps: 2, chunkSeconds: 5, montage: false, ...options },
});
const obamaJob = jobInput('barack_obama', OBAMA_KEY);
const linJob = jobInput('lin_manuel_miranda', LIN_KEY);

const galleryOf = async (jobId: string) => getJson(s3().client, BUCKET, jobKeys(jobId).gallery, StoredGallery);
const storageId = async (input: unknown) => (await resolveJob(input, s3().client)).job.jobId;

describe('a job id given by the user is a label, not the storage identity', () => {
  it('two searches under one label get their own storage, galleries and chunk manifests', async () => {
    await upload();
    const [obamaId, linId] = [await storageId(obamaJob), await storageId(linJob)];
    expect(obamaId).toMatch(/^talk-[0-9a-f]{16}$/);
    expect(linId).toMatch(/^talk-[0-9a-f]{16}$/);
    expect(linId).not.toBe(obamaId);

    await trainJob(obamaJob, context());
    const lin = await trainJob(linJob, context());
    expect(lin.identities.map((identity) => identity.name)).toEqual(['lin_manuel_miranda']);
    expect((await galleryOf(linId)).identities.map((identity) => identity.name)).toEqual(['lin_manuel_miranda']);
    expect((await galleryOf(obamaId)).identities.map((identity) => identity.name)).toEqual(['barack_obama']);

    await shardJob(obamaJob, context());
    await shardJob({ ...linJob, options: { ...linJob.options, chunkSeconds: 3 } }, context());
    const obamaChunks = await getJson(s3().client, BUCKET, jobKeys(obamaId).chunks, ChunkManifest);
    expect(obamaChunks.map((chunk) => chunk.end)).toEqual([5, expect.closeTo(9.18, 1)]);
  });

  it('the same content under the same label resumes the same job; any change of content is another job', async () => {
    await upload();
    const id = await storageId(obamaJob);
    expect(await storageId(structuredClone(obamaJob))).toBe(id);
    const changed = [
      { ...obamaJob, jobId: undefined },
      { ...obamaJob, options: { ...obamaJob.options, sampleFps: 1 } },
      { ...obamaJob, faces: [{ name: 'barack_obama', keys: [LIN_KEY] }] },
      { ...obamaJob, faces: [{ name: 'obama', keys: [OBAMA_KEY] }] },
    ];
    const ids = await Promise.all(changed.map(storageId));
    expect(new Set([id, ...ids]).size).toBe(changed.length + 1);
    // The photo's content, not only its key: the same key re-uploaded with other bytes is another job.
    await putBytes(s3().client, BUCKET, OBAMA_KEY, await readFile(join(FIXTURES, 'faces/barack_obama/fr_obama2.jpg')), 'image/jpeg');
    expect(await storageId(obamaJob)).not.toBe(id);
    await putBytes(s3().client, BUCKET, OBAMA_KEY, await readFile(join(FIXTURES, 'faces/barack_obama/fr_obama.jpg')), 'image/jpeg');
    expect(await storageId(obamaJob)).toBe(id);
  });
});

describe("a stored gallery is reused only when intact, this job's and from the installed models", () => {
  const retrainsAfter = async (damage: (key: string, jobId: string) => Promise<void>, reason: RegExp): Promise<GallerySummary> => {
    await upload();
    const jobId = await storageId(linJob);
    const key = jobKeys(jobId).gallery;
    await trainJob(linJob, context());
    await damage(key, jobId);
    const summary = await trainJob(linJob, context());
    expect(summary.recomputed).toHaveLength(1);
    expect(summary.recomputed[0]).toContain(`s3://${BUCKET}/${key}`);
    expect(summary.recomputed[0]).toMatch(reason);
    const gallery = await galleryOf(jobId);
    expect(gallery.jobId).toBe(jobId);
    expect(gallery.identities.map((identity) => identity.name)).toEqual(['lin_manuel_miranda']);
    return summary;
  };

  it('retrains over a gallery that was cut short', async () => {
    await retrainsAfter(async (key) => {
      const text = await getText(s3().client, BUCKET, key);
      await putText(s3().client, BUCKET, key, text.slice(0, text.length / 2));
    }, /not valid JSON/);
  });

  it("retrains over another job's gallery copied to its key", async () => {
    await retrainsAfter(async (key) => {
      const foreign = await galleryOf(await storageId(obamaJob)).catch(async () => {
        await trainJob(obamaJob, context());
        return galleryOf(await storageId(obamaJob));
      });
      await putJson(s3().client, BUCKET, key, foreign);
    }, /belongs to job talk-/);
  });

  it('retrains over a gallery computed by other models', async () => {
    await retrainsAfter(async (key, jobId) => {
      const gallery = await galleryOf(jobId);
      await putJson(s3().client, BUCKET, key, { ...gallery, models: '0000000000000000' });
    }, /computed by models 0000000000000000/);
  });

  it('reuses an intact gallery of its own without retraining', async () => {
    await upload();
    await trainJob(linJob, context());
    const key = jobKeys(await storageId(linJob)).gallery;
    const before = await getBytes(s3().client, BUCKET, key);
    const summary = await trainJob(linJob, context());
    expect(summary.recomputed).toEqual([]);
    expect(await getBytes(s3().client, BUCKET, key)).toEqual(before);
  });
});

describe("stored chunk results are reused only when they are this chunk's, for this job and models", () => {
  const chunk = { index: 0, start: 0, end: 5 };

  async function recognizeEvent(): Promise<RecognizeEvent> {
    await upload();
    const gallery = await trainJob(linJob, context());
    const { job } = await shardJob(linJob, context());
    return {
      BatchInput: { bucket: BUCKET, jobId: job.jobId, video: job.video, options: job.options, gallery },
      Items: [{ chunk, item: 0 }],
    };
  }

  it('skips an intact result of its own and recomputes one that is cut short, foreign or of other models', async () => {
    const event = await recognizeEvent();
    const key = jobKeys(event.BatchInput.jobId).chunkFaces(0);
    const first = await recognizeBatch(event, context());
    expect(first.chunks[0]!.skipped).toBe(false);
    const good = await getJson(s3().client, BUCKET, key, ChunkResult);
    expect(good.faces.some((face) => face.identity === 'lin_manuel_miranda')).toBe(true);

    const again = await recognizeBatch(event, context());
    expect(again.chunks[0]!.skipped).toBe(true);
    expect(again.recomputed).toEqual([]);

    const text = JSON.stringify(good);
    const damages: [string, string | object, RegExp][] = [
      ['cut short', text.slice(0, text.length - 100), /not valid JSON/],
      ['another job', { ...good, jobId: 'talk-0000000000000000' }, /belongs to job talk-0000000000000000/],
      ['other models', { ...good, models: 'ffffffffffffffff' }, /computed by models ffffffffffffffff/],
      ['another chunk', { ...good, chunk: { index: 0, start: 0, end: 6 } }, /covers chunk 0 \[0, 6\)/],
    ];
    for (const [what, body, reason] of damages) {
      await putText(s3().client, BUCKET, key, typeof body === 'string' ? body : JSON.stringify(body));
      const result = await recognizeBatch(event, context());
      expect(result.chunks[0]!.skipped, what).toBe(false);
      expect(result.recomputed, what).toHaveLength(1);
      expect(result.recomputed[0], what).toContain(`s3://${BUCKET}/${key}`);
      expect(result.recomputed[0], what).toMatch(reason);
      const repaired = await getJson(s3().client, BUCKET, key, ChunkResult);
      expect(repaired.jobId, what).toBe(event.BatchInput.jobId);
      expect(repaired.faces.length, what).toBe(good.faces.length);
    }
  });

  it('refuses to scan with a gallery trained for another job', async () => {
    const event = await recognizeEvent();
    const foreign = await trainJob(obamaJob, context());
    const error = await recognizeBatch({ ...event, BatchInput: { ...event.BatchInput, gallery: foreign } }, context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdafaceError);
    expect((error as LambdafaceError).message).toMatch(/gallery s3:\/\/reliability\/intermediate\/talk-[0-9a-f]+\/gallery\.json belongs to job/);
    expect((error as LambdafaceError).hint).toBeTruthy();
  });

  /** The Lin job trained, sharded and every chunk recognized: Montage's input. */
  async function recognizedJob() {
    const event = await recognizeEvent();
    const { job, chunks } = await shardJob(linJob, context());
    const gallery = await trainJob(linJob, context());
    const manifest = await getJson(s3().client, BUCKET, chunks.key, ChunkManifest);
    await recognizeBatch({ ...event, Items: manifest.map((range, item) => ({ chunk: range, item })) }, context());
    return { job, chunks, gallery };
  }

  it('Montage counts a damaged chunk result as not scanned instead of failing or using it', async () => {
    const { job, chunks, gallery } = await recognizedJob();
    const damaged = jobKeys(job.jobId).chunkFaces(1);
    await putText(s3().client, BUCKET, damaged, '{"version": 2, "jobId": "');
    const { result } = await montageJob({ job, gallery, chunks }, context());
    expect(result.missingChunks).toBe(1);
    expect(result.warnings).toEqual([expect.stringMatching(new RegExp(`^s3://${BUCKET}/${damaged.replaceAll('.', '\\.')} is not valid JSON.*not scanned`))]);
    expect(result.identities.map((identity) => identity.name)).toEqual(['lin_manuel_miranda']);
  });

  it("Montage reads each chunk through the summary beside it, and the result itself once the summary is not that result's", async () => {
    const { job, chunks, gallery } = await recognizedJob();
    const manifest = await getJson(s3().client, BUCKET, chunks.key, ChunkManifest);
    /** Montage's result, and how many chunk results (not summaries) it downloaded. */
    const montage = async () => {
      let resultReads = 0;
      const client = createS3Client(s3().server.clientConfig);
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const key = (args.input as { Key?: string }).Key ?? '';
          if (context.commandName === 'GetObjectCommand' && /\/chunks\/\d+\.json$/.test(key)) resultReads++;
          return next(args);
        },
        { step: 'initialize', name: 'countResultReads' },
      );
      const { result } = await montageJob({ job, gallery, chunks }, { ...context(), s3: client });
      client.destroy();
      return { result, resultReads };
    };
    const fromSummaries = await montage();
    expect(fromSummaries.resultReads).toBe(0);
    // A summary left from an earlier write of the result (here: the result written again since) is not trusted.
    for (const range of manifest) {
      const key = jobKeys(job.jobId).chunkFaces(range.index);
      await putJson(s3().client, BUCKET, key, await getJson(s3().client, BUCKET, key, ChunkResult));
    }
    const fromResults = await montage();
    expect(fromResults.resultReads).toBe(manifest.length);
    // The same answer either way (the second run finds its thumbnails cut already).
    expect({ ...fromResults.result, thumbnailCount: undefined }).toEqual({ ...fromSummaries.result, thumbnailCount: undefined });
  });

  /** Montage with the montage on, and every piece it planned cut by the Cut step, as the CutPieces map does. */
  async function plannedAndCut() {
    const { job, chunks, gallery } = await recognizedJob();
    const step = await montageJob({ job: { ...job, options: { ...job.options, montage: true } }, gallery, chunks }, context());
    expect(step.montage).not.toBeNull();
    const montage = step.montage!;
    const pieces = await getJson(s3().client, BUCKET, montage.pieces, z.array(PlannedPiece));
    expect(pieces).toHaveLength(montage.count);
    const cut = await Promise.all(pieces.map((piece) => cutPieceJob({ piece, cut: montage.cut }, context())));
    return { step, montage, cut };
  }

  /** The CutPieces Map Run's results as Step Functions' ResultWriter lays them out (manifest, SUCCEEDED_0, FAILED_0). */
  async function mapRunResults(jobId: string, succeeded: unknown[], failed: { Error: string; Cause: string }[]) {
    const base = `${jobKeys(jobId).results}/run-${succeeded.length}-${failed.length}/`;
    const files = { SUCCEEDED: [] as { Key: string }[], FAILED: [] as { Key: string }[], PENDING: [] };
    if (succeeded.length > 0) {
      files.SUCCEEDED.push({ Key: `${base}SUCCEEDED_0.json` });
      await putJson(
        s3().client,
        BUCKET,
        `${base}SUCCEEDED_0.json`,
        succeeded.map((output) => ({ Status: 'SUCCEEDED', Output: JSON.stringify(output) })),
      );
    }
    if (failed.length > 0) {
      files.FAILED.push({ Key: `${base}FAILED_0.json` });
      await putJson(
        s3().client,
        BUCKET,
        `${base}FAILED_0.json`,
        failed.map((record) => ({ Status: 'FAILED', ...record })),
      );
    }
    await putJson(s3().client, BUCKET, `${base}manifest.json`, { DestinationBucket: BUCKET, MapRunArn: 'arn:aws:states:local:0:mapRun:m/CutPieces:run', ResultFiles: files });
    return { MapRunArn: 'arn:aws:states:local:0:mapRun:m/CutPieces:run', ResultWriterDetails: { Bucket: BUCKET, Key: `${base}manifest.json` } };
  }

  it('Cut and Join make the montage Montage planned: pieces cut once, joined by stream copy, played by the report', async () => {
    const { step, montage, cut } = await plannedAndCut();
    expect(cut.every((piece) => !piece.reused)).toBe(true);
    // A rerun's Cut finds every piece stored.
    const pieces = await getJson(s3().client, BUCKET, montage.pieces, z.array(PlannedPiece));
    expect((await cutPieceJob({ piece: pieces[0], cut: montage.cut }, context())).reused).toBe(true);
    const result = await joinMontageJob({ result: step.result, montage, cut: await mapRunResults(montage.jobId, cut, []) }, context());
    expect(result.outputs.montage).toBe(jobKeys(montage.jobId).montage);
    expect(result.montage).toMatchObject({ pieces: montage.count, reusedPieces: 0 });
    expect(result.warnings).toEqual([]);
    const local = join(tmpdir(), `join-${montage.jobId}.mp4`);
    await getToFile(s3().client, BUCKET, result.outputs.montage!, local);
    expect(Math.abs((await probeVideo(local)).durationSeconds - result.montage!.seconds)).toBeLessThan(0.1);
    const report = await getText(s3().client, BUCKET, result.outputs.report);
    expect(report).toContain('data-mode="montage"');
    expect(report).toContain('lin_manuel_miranda');
  });

  it('Join turns a piece that could not be cut into a warning and keeps the timeline and report', async () => {
    const { step, montage, cut } = await plannedAndCut();
    const cause = JSON.stringify({ errorType: 'MediaError', errorMessage: 'ffmpeg exited with code 1 cutting [2, 4)' });
    const runs = await mapRunResults(montage.jobId, cut.slice(1), [{ Error: 'MediaError', Cause: cause }]);
    const result = await joinMontageJob({ result: step.result, montage, cut: runs }, context());
    expect(result.outputs.montage).toBeNull();
    expect(result.montage).toBeUndefined();
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^no montage: 1 of the \d+ montage pieces could not be cut \(MediaError: ffmpeg exited with code 1 cutting \[2, 4\)\) \(what to do: run the search again.*; the timeline, thumbnails and report are complete$/,
      ),
    ]);
    const report = await getText(s3().client, BUCKET, result.outputs.report);
    expect(report).toContain('no montage:');
    expect(report).not.toContain('data-mode="montage"');
    expect(report).toContain('lin_manuel_miranda');
  });

  it('Montage refuses a job record it cannot read, naming it, instead of guessing the probe or the pieces', async () => {
    const { job, chunks, gallery } = await recognizedJob();
    // The record holds Shard's probe and the video's ETag, which every stored piece's and thumbnail's name covers.
    await putText(s3().client, BUCKET, jobKeys(job.jobId).record, '{"version": 1');
    await expect(montageJob({ job: { ...job, options: { ...job.options, montage: true } }, gallery, chunks }, context())).rejects.toThrow(/job\.json/);
  });
});

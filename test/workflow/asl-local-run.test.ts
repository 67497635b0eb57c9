import { describe, expect, it } from 'vitest';
import { inputError, LambdafaceError } from '../../shared/errors.ts';
import type { FaceSearchHandlers } from '../../shared/local/local-functions.ts';
import { WorkflowFailedError, runLocalWorkflow } from '../../shared/local/run-workflow.ts';
import { parseErrorCause } from '../../shared/workflow/error-cause.ts';
import { jobKeys } from '../../shared/storage/keys.ts';
import { getText, putJson } from '../../shared/storage/s3.ts';
import { useEmbeddedS3 } from '../unit/local/embedded-s3-fixture.ts';

/**
 * The real statemachine/face-search.asl.json, run by the local runner against a real embedded S3,
 * with fake handlers standing in for the Lambda functions (the only fake: the Lambda boundary).
 */
const s3 = useEmbeddedS3('workflow-test');

interface BatchEvent {
  BatchInput: { bucket: string; jobId: string; video: unknown; options: Record<string, unknown>; gallery: unknown };
  Items: Array<{ chunk: { index: number; start: number; end: number }; item: number }>;
}

function jobInput(jobId: string, options: Record<string, unknown> = {}) {
  return {
    bucket: s3().bucket,
    jobId,
    video: { key: 'uploads/talk.mp4' },
    faces: [{ name: 'ada', keys: ['uploads/ada.jpg'] }],
    options: { itemsPerBatch: 1, maxConcurrency: 0, toleratedFailurePercentage: 0, ...options },
  };
}

interface CutEvent {
  piece: { index: number };
  cut: { jobId: string };
}

/**
 * Fake handlers: Shard writes a manifest of `chunkCount` chunks, Recognize writes one object per
 * chunk, Montage plans `pieceCount` montage pieces (none: no montage), Cut and Join record what
 * they were given.
 */
function fakeHandlers(chunkCount: number, recognize?: (event: BatchEvent) => Promise<void>, pieceCount = 0, cut?: (event: CutEvent) => Promise<void>) {
  const calls = { train: 0, shard: 0, recognize: 0, montage: 0, cut: 0, join: 0 };
  const cutPieces: number[] = [];
  let joinEvent: Record<string, unknown> | undefined;
  const recognized: number[] = [];
  let montageEvent: Record<string, unknown> | undefined;
  const handlers: FaceSearchHandlers = {
    train: async (event) => {
      calls.train++;
      const job = event as { jobId: string; faces: Array<{ name: string }> };
      return { key: jobKeys(job.jobId).gallery, identities: job.faces.map((face) => face.name) };
    },
    shard: async (event) => {
      calls.shard++;
      const job = event as ReturnType<typeof jobInput>;
      const keys = jobKeys(job.jobId);
      const chunks = Array.from({ length: chunkCount }, (_, index) => ({ index, start: index * 60, end: index * 60 + 60 }));
      await putJson(s3().client, job.bucket, keys.chunks, chunks);
      return { job, chunks: { bucket: job.bucket, key: keys.chunks, count: chunks.length }, results: { bucket: job.bucket, prefix: keys.results } };
    },
    recognize: async (event) => {
      calls.recognize++;
      const batch = event as BatchEvent;
      await recognize?.(batch);
      for (const { chunk } of batch.Items) {
        await putJson(s3().client, batch.BatchInput.bucket, jobKeys(batch.BatchInput.jobId).chunkFaces(chunk.index), { faces: [] });
        recognized.push(chunk.index);
      }
      return { chunks: batch.Items.map(({ chunk }) => chunk.index) };
    },
    montage: async (event) => {
      calls.montage++;
      montageEvent = event as Record<string, unknown>;
      const { job } = event as { job: { jobId: string; bucket: string } };
      const keys = jobKeys(job.jobId);
      const result = { timeline: keys.timelineJson };
      if (pieceCount === 0) return { result, montage: null };
      await putJson(
        s3().client,
        job.bucket,
        keys.montagePieces,
        Array.from({ length: pieceCount }, (_, index) => ({ index, start: index * 30, end: index * 30 + 30 })),
      );
      return {
        result,
        montage: { bucket: job.bucket, pieces: keys.montagePieces, count: pieceCount, results: keys.results, maxConcurrency: 0, cut: { jobId: job.jobId } },
      };
    },
    cut: async (event) => {
      calls.cut++;
      const piece = event as CutEvent;
      await cut?.(piece);
      cutPieces.push(piece.piece.index);
      return { index: piece.piece.index };
    },
    join: async (event) => {
      calls.join++;
      joinEvent = event as Record<string, unknown>;
      return { ...(event as { result: Record<string, unknown> }).result, montage: 'joined' };
    },
  };
  return { handlers, calls, recognized, cutPieces, montage: () => montageEvent, join: () => joinEvent };
}

const run = (input: unknown, handlers: FaceSearchHandlers) => runLocalWorkflow({ input, handlers, s3: { client: s3().client }, retryIntervalMs: 0, concurrency: 4 });

async function failureOf(work: Promise<unknown>): Promise<WorkflowFailedError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return error as WorkflowFailedError;
}

describe('face-search state machine, run locally', () => {
  it('runs Train and Shard, one Recognize per batch of chunks, then Montage', async () => {
    const fake = fakeHandlers(5);
    const result = await runLocalWorkflow({
      input: jobInput('job-ok', { itemsPerBatch: 2 }),
      handlers: fake.handlers,
      s3: { client: s3().client },
      retryIntervalMs: 0,
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ timeline: 'jobs/job-ok/timeline.json' });
    expect(fake.calls).toEqual({ train: 1, shard: 1, recognize: 3, montage: 1, cut: 0, join: 0 });
    expect(fake.recognized.sort()).toEqual([0, 1, 2, 3, 4]);

    const montage = fake.montage()!;
    expect(Object.keys(montage).sort()).toEqual(['chunks', 'gallery', 'job', 'recognized', 'results']);
    expect(montage.gallery).toEqual({ key: 'intermediate/job-ok/gallery.json', identities: ['ada'] });
    const recognized = montage.recognized as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    expect(recognized.ResultWriterDetails.Key).toMatch(/^intermediate\/job-ok\/results\/[0-9a-f-]{36}\/manifest\.json$/);
    const manifest = JSON.parse(await getText(s3().client, s3().bucket, recognized.ResultWriterDetails.Key)) as {
      ResultFiles: { SUCCEEDED: Array<{ Key: string }>; FAILED: unknown[] };
    };
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    expect(manifest.ResultFiles.SUCCEEDED).toHaveLength(1);
    expect(result.mapRuns).toEqual([expect.objectContaining({ state: 'RecognizeChunks', totalItems: 5, failedItems: 0, children: 3 })]);
  });

  it("cuts every piece Montage plans in a child of its own, each with the shared context, then joins them; Join's result is the output", async () => {
    const fake = fakeHandlers(2, undefined, 5);
    const result = await run(jobInput('job-pieces'), fake.handlers);
    expect(result.output).toEqual({ timeline: 'jobs/job-pieces/timeline.json', montage: 'joined' });
    expect(fake.calls).toMatchObject({ montage: 1, cut: 5, join: 1 });
    expect(fake.cutPieces.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(result.mapRuns.map((mapRun) => [mapRun.state, mapRun.totalItems, mapRun.children])).toEqual([
      ['RecognizeChunks', 2, 2],
      ['CutPieces', 5, 5],
    ]);
    const join = fake.join()!;
    expect(Object.keys(join).sort()).toEqual(['cut', 'montage', 'result']);
    const details = (join.cut as { ResultWriterDetails: { Key: string } }).ResultWriterDetails;
    expect(details.Key).toMatch(/^intermediate\/job-pieces\/results\/[0-9a-f-]{36}\/manifest\.json$/);
    const manifest = JSON.parse(await getText(s3().client, s3().bucket, details.Key)) as { ResultFiles: { SUCCEEDED: Array<{ Key: string }> } };
    const records = JSON.parse(await getText(s3().client, s3().bucket, manifest.ResultFiles.SUCCEEDED[0]!.Key)) as Array<{ Input: string }>;
    expect(JSON.parse(records[0]!.Input)).toEqual({ piece: { index: 0, start: 0, end: 30 }, cut: { jobId: 'job-pieces' } });
  });

  it("goes on to Join when a piece cannot be cut (its failure is the montage's warning, not the search's)", async () => {
    const fake = fakeHandlers(1, undefined, 3, async (event) => {
      if (event.piece.index === 1) throw Object.assign(new Error('ffmpeg exited with code 1'), { name: 'MediaError' });
    });
    const result = await run(jobInput('job-piece-fails'), fake.handlers);
    expect(result.status).toBe('SUCCEEDED');
    // Retried once by the States.TaskFailed retrier, then given up; the map tolerates it.
    expect(fake.calls).toMatchObject({ cut: 4, join: 1 });
    expect(result.mapRuns[1]).toMatchObject({ state: 'CutPieces', totalItems: 3, failedItems: 1 });
    const details = (fake.join()!.cut as { ResultWriterDetails: { Key: string } }).ResultWriterDetails;
    const manifest = JSON.parse(await getText(s3().client, s3().bucket, details.Key)) as { ResultFiles: { FAILED: Array<{ Key: string }> } };
    const [failed] = JSON.parse(await getText(s3().client, s3().bucket, manifest.ResultFiles.FAILED[0]!.Key)) as Array<{ Error: string }>;
    expect(failed!.Error).toBe('MediaError');
  });

  it('hands Recognize the job context once per batch and each chunk with its position', async () => {
    const events: BatchEvent[] = [];
    const fake = fakeHandlers(3, async (event) => void events.push(event));
    await run(jobInput('job-batch', { itemsPerBatch: 3 }), fake.handlers);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event!.BatchInput).toEqual({
      bucket: s3().bucket,
      jobId: 'job-batch',
      video: { key: 'uploads/talk.mp4' },
      options: { itemsPerBatch: 3, maxConcurrency: 0, toleratedFailurePercentage: 0 },
      gallery: { key: 'intermediate/job-batch/gallery.json', identities: ['ada'] },
    });
    expect(event!.Items).toEqual([
      { chunk: { index: 0, start: 0, end: 60 }, item: 0 },
      { chunk: { index: 1, start: 60, end: 120 }, item: 1 },
      { chunk: { index: 2, start: 120, end: 180 }, item: 2 },
    ]);
  });

  it('retries a chunk that fails once, and the run succeeds', async () => {
    let failedOnce = false;
    const fake = fakeHandlers(3, async (event) => {
      if (event.Items[0]!.chunk.index === 1 && !failedOnce) {
        failedOnce = true;
        throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' });
      }
    });
    const result = await run(jobInput('job-retry'), fake.handlers);
    expect(result.status).toBe('SUCCEEDED');
    expect(fake.calls.recognize).toBe(4);
    expect(fake.recognized.sort()).toEqual([0, 1, 2]);
    expect(result.mapRuns[0]).toMatchObject({ failedItems: 0 });
  });

  const alwaysFailsOnChunk = (index: number) => async (event: BatchEvent) => {
    if (event.Items.some(({ chunk }) => chunk.index === index)) throw Object.assign(new Error(`chunk ${index} cannot be decoded`), { name: 'MediaError' });
  };

  it('tolerates a chunk that always fails when toleratedFailurePercentage allows it (50%)', async () => {
    const fake = fakeHandlers(2, alwaysFailsOnChunk(1));
    const result = await run(jobInput('job-tolerated', { toleratedFailurePercentage: 50 }), fake.handlers);
    expect(result.status).toBe('SUCCEEDED');
    expect(fake.calls.montage).toBe(1);
    // Retried once by the States.TaskFailed retrier, then given up.
    expect(fake.calls.recognize).toBe(3);
    const details = (fake.montage()!.recognized as { ResultWriterDetails: { Key: string } }).ResultWriterDetails;
    const manifest = JSON.parse(await getText(s3().client, s3().bucket, details.Key)) as { ResultFiles: { FAILED: Array<{ Key: string }> } };
    expect(manifest.ResultFiles.FAILED).toHaveLength(1);
    const [failed] = JSON.parse(await getText(s3().client, s3().bucket, manifest.ResultFiles.FAILED[0]!.Key)) as Array<{ Error: string; Input: string }>;
    expect(failed!.Error).toBe('MediaError');
    expect(JSON.parse(failed!.Input).Items[0].chunk.index).toBe(1);
  });

  it('fails the run in RecognizeChunks when nothing is tolerated (0%)', async () => {
    const fake = fakeHandlers(2, alwaysFailsOnChunk(1));
    const error = await failureOf(run(jobInput('job-intolerant'), fake.handlers));
    expect(error.state).toBe('RecognizeChunks');
    expect(error.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(error.errorCause).toContain('1 of 2 items failed (50%), more than the tolerated 0%');
    expect(error.errorCause).toContain('MediaError: chunk 1 cannot be decoded');
    expect(error.hint).toMatch(/fix it and run the same search again/);
    expect(fake.calls.montage).toBe(0);
  });

  it("gives the caller the failing step, its error and cause, and the handler's own error", async () => {
    const fake = fakeHandlers(2);
    const invalid = inputError('invalid job input: faces: enrol at least one person', { input: 'faces', hint: 'add --face name=photo.jpg' });
    const error = await failureOf(
      run(jobInput('job-invalid'), {
        ...fake.handlers,
        shard: async () => {
          throw invalid;
        },
      }),
    );
    expect(error).toBeInstanceOf(LambdafaceError);
    expect(error.kind).toBe('WorkflowError');
    expect(error.state).toBe('Shard');
    expect(error.error).toBe('InputError');
    // The Cause is the Lambda runtime's error JSON, exactly as a lambda:invoke Task reports it on AWS.
    expect(parseErrorCause(error.errorCause)).toEqual({ errorType: 'InputError', errorMessage: invalid.message });
    expect(error.message).toBe(`the job failed (Shard): InputError: ${invalid.message}`);
    expect(error.cause).toBe(invalid);
    expect(error.input).toBe('faces');
    expect(error.hint).toBe('add --face name=photo.jpg');
    expect(fake.calls.recognize).toBe(0);
  });

  it('fails in Montage when Montage fails', async () => {
    const fake = fakeHandlers(1);
    const error = await failureOf(
      run(jobInput('job-montage'), {
        ...fake.handlers,
        montage: async () => {
          throw new Error('ffmpeg exited with code 1');
        },
      }),
    );
    expect(error.state).toBe('Montage');
    expect(error.error).toBe('Error');
    expect(error.message).toContain('ffmpeg exited with code 1');
  });

  it('rejects a handler result above the 256 KB state payload limit, as Step Functions would', async () => {
    const fake = fakeHandlers(1);
    const error = await failureOf(
      run(jobInput('job-big'), {
        ...fake.handlers,
        train: async () => ({ embeddings: 'x'.repeat(300_000) }),
      }),
    );
    expect(error.error).toBe('States.DataLimitExceeded');
    // Named after the step whose result was too large.
    expect(error.state).toBe('Train');
  });
});

import { readFile } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FUNCTION_TIMEOUT_SECONDS } from '../../shared/config/function-timeouts.ts';
import { runtimeConfig } from '../../shared/config/runtime.ts';
import { SearchOptions } from '../../shared/config/options.ts';
import { LambdafaceError, inputError, workflowError } from '../../shared/errors.ts';
import { createHandlerPool, type HandlerPool } from '../../shared/local/handler-pool.ts';
import { LocalFunctions, localFunctionArn, type LocalLambdaContext } from '../../shared/local/local-functions.ts';
import { runLocalWorkflow } from '../../shared/local/run-workflow.ts';
import { scanChunk, scanOptionsFor } from '../../shared/recognize/scan.ts';
import type { JobRecord } from '../../shared/schemas/job.ts';
import { jobKeys } from '../../shared/storage/keys.ts';
import { createS3Client, exists, putBytes, putJson } from '../../shared/storage/s3.ts';
import { indexGallery } from '../../shared/match/matcher.ts';
import { modelsFingerprint } from '../../shared/vision/models.ts';
import { runFfmpeg } from '../../shared/video/ffmpeg.ts';
import { probeVideo } from '../../shared/video/probe.ts';
import { extractThumbnail } from '../../shared/video/thumbnail.ts';
import { lambdaHandler } from '../../shared/workflow/context.ts';
import { ChunkPace } from '../../shared/workflow/chunk-pace.ts';
import { deadlineOf, isTimeLimit, timeLimitReason, type Deadline } from '../../shared/workflow/deadline.ts';
import { recognizeBatch, type RecognizeEvent } from '../../shared/workflow/recognize.ts';
import { useEmbeddedS3 } from '../unit/local/embedded-s3-fixture.ts';
import { REPLY } from './handlers/recognize/handler.ts';
import { UNMATCHED_GALLERY } from './unmatched-gallery.ts';

/**
 * Faults inside the runtime: a worker thread that dies, and a step that meets its time limit. Real
 * worker threads, the real embedded S3 server, real ffmpeg and models on the bundled clip; time is
 * injected (deadlines, a clock), never measured.
 */
const VIDEO = new URL('../../fixtures/videos/hamilton_short.mp4', import.meta.url).pathname;
const TEST_HANDLERS = new URL('./handlers/', import.meta.url);

/** A LocalLambdaContext as LocalFunctions builds it, with the time limit and signal given. */
function lambdaContext(timeoutMs: number, signal: AbortSignal = new AbortController().signal): LocalLambdaContext {
  return {
    functionName: 'recognize',
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn('recognize'),
    memoryLimitInMB: '10240',
    awsRequestId: 'test',
    logGroupName: '/aws/lambda/recognize',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => timeoutMs,
    timeoutMs,
    signal,
  };
}

/** Atomics.waitAsync: Node 20 has it, the project's ES2023 lib does not declare it. */
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { value: Promise<string> | string } }).waitAsync;

/** A pool of one worker thread running the test handlers. */
const testPool = (): HandlerPool => createHandlerPool({ size: 1, env: {}, handlersRoot: TEST_HANDLERS });

/** One test pool for the tests of a describe block, closed after them: read the getter inside tests. */
function useTestPool(): () => HandlerPool {
  let pool: HandlerPool | undefined;
  beforeAll(() => {
    pool = testPool();
  });
  afterAll(() => pool?.close());
  return () => {
    if (!pool) throw new Error('the test pool is used before beforeAll ran');
    return pool;
  };
}

describe('the worker pool when a worker thread dies', () => {
  // One thread, shared: each test kills it, so each also shows the next call getting a fresh one.
  const pool = useTestPool();

  it('rejects the running call with the handler and exit code, and runs the next call on a fresh thread', async () => {
    const { recognize } = pool().handlers;
    const died = await recognize({ do: 'exit', code: 3 }, lambdaContext(60_000)).catch((error: unknown) => error);
    expect(died).toBeInstanceOf(LambdafaceError);
    expect((died as LambdafaceError).kind).toBe('WorkflowError');
    expect((died as Error).message).toBe("the recognize handler's worker thread exited with code 3");
    expect(await recognize({ do: 'deadline' }, lambdaContext(60_000))).toHaveProperty('margin');
  });

  it('names an uncaught exception as the cause', async () => {
    const { recognize } = pool().handlers;
    await expect(recognize({ do: 'throw', message: 'boom in a timer' }, lambdaContext(60_000))).rejects.toThrow("the recognize handler's worker thread died: boom in a timer");
    expect(await recognize({ do: 'deadline' }, lambdaContext(60_000))).toHaveProperty('margin');
  });

  it('never loses a call waiting for a thread when the busy one dies', async () => {
    const { recognize } = pool().handlers;
    const dying = recognize({ do: 'exit', code: 7 }, lambdaContext(60_000));
    const waiting = recognize({ do: 'deadline' }, lambdaContext(60_000));
    await expect(dying).rejects.toThrow(/exited with code 7/);
    expect(await waiting).toHaveProperty('margin');
  });

  it('terminates a call still running at its time limit, as Lambda does, and goes on', async () => {
    const { recognize } = pool().handlers;
    await expect(recognize({ do: 'hang' }, lambdaContext(0))).rejects.toThrow(/was stopped at the call's 0 s time limit/);
    expect(await recognize({ do: 'deadline' }, lambdaContext(60_000))).toHaveProperty('margin');
  });

  it('rebuilds the cause of a handler error on this side', async () => {
    const error = await pool()
      .handlers.recognize({ do: 'fail', cause: 'disk full' }, lambdaContext(60_000))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'WorkflowError', message: 'the step failed', input: 'test' });
    expect((error as Error).cause).toBeInstanceOf(LambdafaceError);
    expect((error as Error).cause).toMatchObject({ kind: 'StorageError', message: 'disk full' });
  });

  it('rejects running and waiting calls when it closes', async () => {
    const closing = testPool();
    const { recognize } = closing.handlers;
    const calls = Promise.allSettled([recognize({ do: 'hang' }, lambdaContext(60_000)), recognize({ do: 'hang' }, lambdaContext(60_000))]);
    await closing.close();
    const [running, waiting] = await calls;
    expect(running).toMatchObject({ status: 'rejected', reason: { message: "the recognize handler's worker thread was stopped because the local runtime closed" } });
    expect(waiting).toMatchObject({ status: 'rejected', reason: { message: 'the local runtime is closed: no handler can run' } });
  });
});

describe('a thread stopped at its time limit', () => {
  const pool = useTestPool();
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails its call even when the reply comes before the thread exits, and is not reused', async () => {
    // The pool's timers are fake, so the time limit is reached exactly when the test says: after
    // the handler has posted its reply, before this thread has read it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const state = new Int32Array(new SharedArrayBuffer(4));
    const late = pool()
      .handlers.recognize({ do: 'reply when told', state }, lambdaContext(60_000))
      .catch((e: unknown) => e);
    while (Atomics.load(state, 0) !== REPLY.running) await waitAsync(state, 0, 0, 10_000).value;
    Atomics.store(state, 0, REPLY.go);
    Atomics.notify(state, 0);
    // Blocking this thread keeps the reply unread while the time limit passes.
    Atomics.wait(state, 0, REPLY.go, 10_000);
    expect(Atomics.load(state, 0)).toBe(REPLY.replied);
    vi.advanceTimersByTime(60_000);
    expect(await late).toMatchObject({ message: "the recognize handler's worker thread was stopped at the call's 60 s time limit, as Lambda stops a function at its timeout" });
    // The next call gets a fresh thread, not the one that was exiting.
    expect(await pool().handlers.recognize({ do: 'deadline' }, lambdaContext(60_000))).toHaveProperty('margin');
  });
});

describe("a local Lambda's time limit", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('starts when a thread takes the call, not while the call waits for one', async () => {
    const pool = testPool();
    const functions = new LocalFunctions(pool.handlers, new AbortController().signal);
    // This thread's clock, on which the second call waits 900 s for the only worker thread.
    const realNow = Date.now;
    let waited = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + waited);
    try {
      const calls = [functions.invoke('recognize', { do: 'deadline' }), functions.invoke('recognize', { do: 'deadline' })];
      waited = 900_000;
      const [, queued] = (await Promise.all(calls)) as { remainingAtEntry: number }[];
      expect(queued!.remainingAtEntry).toBeGreaterThan(0);
      expect(queued!.remainingAtEntry).toBeLessThanOrEqual(900_000);
    } finally {
      await pool.close();
    }
  });

  it('fires the step’s signal a margin before the deadline: a tenth of a short limit, 10 s of a long one', () => {
    vi.useFakeTimers();
    let now = 1_000;
    const short = deadlineOf({ getRemainingTimeInMillis: () => 2_000 }, () => now);
    const long = deadlineOf({ getRemainingTimeInMillis: () => 900_000 }, () => now);
    expect(short.deadline).toMatchObject({ at: 3_000, stopAt: 2_800 });
    expect(long.deadline).toMatchObject({ at: 901_000, stopAt: 891_000 });
    now += 1_799;
    vi.advanceTimersByTime(1_799);
    expect(short.deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(short.deadline.signal.aborted).toBe(true);
    expect(short.deadline.signal.reason).toMatchObject({ kind: 'WorkflowError', message: 'the time limit was 0.2 s away' });
    expect(isTimeLimit(short.deadline.signal.reason)).toBe(true);
    vi.advanceTimersByTime(890_000 - 1_800);
    expect(long.deadline.signal.reason).toMatchObject({ message: 'the time limit was 10 s away' });
    short.dispose();
    long.dispose();
  });

  it('passes a stopped run on as its own reason, not as the time limit, and leaves no timer once disposed', () => {
    vi.useFakeTimers();
    const run = new AbortController();
    const limit = deadlineOf({ getRemainingTimeInMillis: () => 60_000, signal: run.signal }, () => 0);
    const stop = workflowError('the local run was stopped');
    run.abort(stop);
    expect(limit.deadline.signal.reason).toBe(stop);
    expect(isTimeLimit(stop)).toBe(false);
    limit.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('the time limit and the stop signal reach a handler in a worker thread', () => {
  const pool = useTestPool();

  it("counts the handler's time from the call and keeps the stop margin before it", async () => {
    const seen = (await pool().handlers.recognize({ do: 'deadline' }, lambdaContext(120_000))) as { remainingAtEntry: number; margin: number };
    expect(seen.remainingAtEntry).toBeLessThanOrEqual(120_000);
    expect(seen.remainingAtEntry).toBeGreaterThan(0);
    expect(seen.margin).toBe(10_000);
  });

  it('fires the step’s signal when the run is stopped while the handler runs, and when it was stopped before', async () => {
    const controller = new AbortController();
    const context = lambdaContext(600_000, controller.signal);
    // The pool reads the time limit just before it posts the call: stopping the run right after
    // that makes the stop travel to the running handler as a message.
    const stopAfterPosting = {
      ...context,
      get timeoutMs() {
        queueMicrotask(() => controller.abort());
        return 600_000;
      },
    };
    const stopped = { reason: 'the local run was stopped', kind: 'WorkflowError' };
    expect(await pool().handlers.recognize({ do: 'wait for stop' }, stopAfterPosting)).toEqual(stopped);
    expect(await pool().handlers.recognize({ do: 'wait for stop' }, context)).toEqual(stopped);
  });

  it("gives a local Lambda the Task's TimeoutSeconds, and Lambda's 900 s without one", async () => {
    const remaining: Record<string, number> = {};
    const report = (name: string) => async (_event: unknown, context: LocalLambdaContext) => {
      remaining[name] = context.getRemainingTimeInMillis();
      return {};
    };
    const task = (name: string, extra: object) => ({ Type: 'Task', Resource: localFunctionArn(name), ...extra });
    const client = createS3Client({ endpoint: 'http://127.0.0.1:9' });
    await runLocalWorkflow({
      definition: { StartAt: 'Short', States: { Short: task('short', { TimeoutSeconds: 30, Next: 'Plain' }), Plain: task('plain', { End: true }) } },
      input: {},
      handlers: { short: report('short'), plain: report('plain') },
      s3: { client },
    });
    client.destroy();
    expect(remaining.short).toBeLessThanOrEqual(30_000);
    expect(remaining.plain).toBeGreaterThan(30_000);
    expect(remaining.plain).toBeLessThanOrEqual(900_000);
  });

  it("gives lambdaface's own functions their function timeout, below their Task's TimeoutSeconds, as on AWS", async () => {
    const remaining: Record<string, number> = {};
    const client = createS3Client({ endpoint: 'http://127.0.0.1:9' });
    await runLocalWorkflow({
      definition: { StartAt: 'Shard', States: { Shard: { Type: 'Task', Resource: localFunctionArn('shard'), TimeoutSeconds: 180, End: true } } },
      input: {},
      handlers: {
        shard: async (_event: unknown, context: LocalLambdaContext) => {
          remaining['shard'] = context.getRemainingTimeInMillis();
          return {};
        },
      },
      s3: { client },
    });
    client.destroy();
    expect(FUNCTION_TIMEOUT_SECONDS['shard']).toBe(120);
    expect(remaining['shard']).toBeLessThanOrEqual(120_000);
    expect(remaining['shard']).toBeGreaterThan(110_000);
  });
});

describe('lambdaHandler', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  const failing = lambdaHandler(async () => {
    throw inputError('the video is missing', { input: '--video', hint: 'pass --video' });
  });

  it('folds the hint into the message on Lambda, where only the message reaches Step Functions', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'lambdaface-recognize');
    await expect(failing({})).rejects.toThrow('the video is missing (what to do: pass --video)');
  });

  it('leaves the message alone elsewhere, where the hint travels with the error', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    const error = (await failing({}).catch((e: unknown) => e)) as LambdafaceError;
    expect(error.message).toBe('the video is missing');
    expect(error.hint).toBe('pass --video');
  });

  it('gives the step no deadline when called without a Lambda context', async () => {
    const seen = await lambdaHandler(async (_event, context) => context.deadline)({});
    expect(seen).toBeUndefined();
  });
});

describe('Recognize at its time limit', () => {
  const s3 = useEmbeddedS3();
  const videoKey = 'uploads/runtime/hamilton_short.mp4';
  const jobIds = ['paced', 'signalled'];

  beforeAll(async () => {
    const { client, bucket } = s3();
    await putBytes(client, bucket, videoKey, await readFile(VIDEO), 'video/mp4');
    // Recognize uses only a gallery stored for its own job, by the installed models, and Shard's probe from the job record.
    const models = await modelsFingerprint();
    const probe = await probeVideo(VIDEO);
    for (const jobId of jobIds) {
      await putJson(client, bucket, jobKeys(jobId).gallery, { ...UNMATCHED_GALLERY, jobId, models });
      const record: JobRecord = {
        version: 1,
        jobId,
        video: { key: videoKey, etag: 'test' },
        options: SearchOptions.parse({ sampleFps: 1, smallFaces: false }),
        recognizer: 'test',
        probe,
      };
      await putJson(client, bucket, jobKeys(jobId).record, record);
    }
  });

  /** Three chunks of the 9 s clip, scanned at 1 frame per second to keep the test quick. */
  const batch = (jobId: string): RecognizeEvent => ({
    BatchInput: {
      bucket: s3().bucket,
      jobId,
      video: { key: videoKey },
      options: SearchOptions.parse({ sampleFps: 1, smallFaces: false }),
      gallery: { bucket: s3().bucket, key: jobKeys(jobId).gallery },
    },
    Items: [
      { chunk: { index: 0, start: 0, end: 3 }, item: 0 },
      { chunk: { index: 1, start: 3, end: 6 }, item: 1 },
      { chunk: { index: 2, start: 6, end: 9.18 }, item: 2 },
    ],
  });

  /** Which of the batch's chunk results exist in S3. */
  const written = async (jobId: string): Promise<boolean[]> => Promise.all([0, 1, 2].map((index) => exists(s3().client, s3().bucket, jobKeys(jobId).chunkFaces(index))));

  /** An S3 client that calls `onChunkWritten` after each chunk result is stored. */
  function watchedClient(onChunkWritten: () => void): S3Client {
    const client = createS3Client(s3().server.clientConfig);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        const key = (args.input as { Key?: string }).Key ?? '';
        if (context.commandName === 'PutObjectCommand' && /\/chunks\/\d+\.json$/.test(key)) onChunkWritten();
        return output;
      },
      { step: 'initialize', name: 'watchChunkWrites' },
    );
    return client;
  }

  const config = { ...runtimeConfig(), threads: 1 };

  it('does not start a chunk it cannot finish: it stops with a clear error, keeping the chunks done', async () => {
    // A clock on which every chunk takes 60 s: after the first, 40 s are left before the stop.
    let now = 0;
    const client = watchedClient(() => (now += 60_000));
    const deadline: Deadline = { at: 110_000, stopAt: 100_000, signal: new AbortController().signal, now: () => now };
    const error = await recognizeBatch(batch('paced'), { config, s3: client, deadline }).catch((e: unknown) => e);
    client.destroy();
    expect(error).toBeInstanceOf(LambdafaceError);
    expect((error as LambdafaceError).kind).toBe('WorkflowError');
    expect((error as Error).message).toBe(
      'Recognize stopped 50 s before the time limit after 1 of 3 chunks (a chunk takes about 60 s and 40 s were left); finished chunks are saved and the retry resumes',
    );
    expect(await written('paced')).toEqual([true, false, false]);
  });

  it('stops when its signal fires, writes no partial chunk, and the retry finishes the batch', async () => {
    const controller = new AbortController();
    const client = watchedClient(() => controller.abort(timeLimitReason(10_000)));
    const deadline: Deadline = { at: 900_000, stopAt: 890_000, signal: controller.signal, now: () => 0 };
    const error = await recognizeBatch(batch('signalled'), { config, s3: client, deadline }).catch((e: unknown) => e);
    client.destroy();
    expect((error as LambdafaceError).kind).toBe('WorkflowError');
    expect((error as Error).message).toMatch(/^Recognize stopped 900 s before the time limit after 1 of 3 chunks \(the time limit was 10 s away\); finished chunks are saved/);
    expect(await written('signalled')).toEqual([true, false, false]);

    // The retry: a fresh invocation skips the saved chunk and scans the rest.
    const retry = await recognizeBatch(batch('signalled'), { config, s3: s3().client });
    expect(retry.chunks.map((chunk) => chunk.skipped)).toEqual([true, false, false]);
    expect(await written('signalled')).toEqual([true, true, true]);
  });

  it('says the run was stopped, not the time limit, when the run is stopped (Ctrl-C, a failed branch)', async () => {
    const run = new AbortController();
    const deadline: Deadline = { at: 900_000, stopAt: 890_000, signal: run.signal, now: () => 0 };
    const pace = new ChunkPace(deadline, 3);
    const killed = new Error('ffmpeg was killed');
    const scan = pace.run(1, () => {
      run.abort(workflowError('the local run was stopped'));
      return Promise.reject(killed);
    });
    const expected = {
      kind: 'WorkflowError',
      message: 'Recognize stopped because the run was stopped, after 1 of 3 chunks (the local run was stopped); finished chunks are saved',
      hint: 'run the same job again: it skips the saved chunks',
    };
    await expect(scan).rejects.toMatchObject({ ...expected, cause: killed });
    expect(() => pace.beforeChunk(1)).toThrow(expect.objectContaining(expected));
  });

  it('kills a running scan: no frame is scanned after the signal fires', async () => {
    const video = await probeVideo(VIDEO);
    const controller = new AbortController();
    const reason = new Error('stop now');
    let frames = 0;
    const scan = scanChunk(VIDEO, { index: 0, start: 0, end: 9 }, indexGallery(UNMATCHED_GALLERY), scanOptionsFor(SearchOptions.parse({ sampleFps: 2, smallFaces: false }), 1), {
      jobId: 'scan',
      video,
      signal: controller.signal,
      onFrame: (scanned) => {
        frames = scanned;
        if (scanned === 2) controller.abort(reason);
      },
    });
    await expect(scan).rejects.toBe(reason);
    expect(frames).toBe(2);
  });
});

describe("Montage's ffmpeg runs and the stop signal", () => {
  it('kills a running ffmpeg and rejects with the signal’s reason, not as a failure to run ffmpeg', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    // An endless input read in real time: only the signal can end this run.
    const stopped = runFfmpeg(['-hide_banner', '-nostdin', '-re', '-f', 'lavfi', '-i', 'testsrc=rate=5', '-f', 'null', '-'], { signal: controller.signal });
    setImmediate(() => controller.abort(reason));
    await expect(stopped).rejects.toBe(reason);
  });

  it('passes the signal on from a thumbnail', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    controller.abort(reason);
    await expect(extractThumbnail(VIDEO, 1, { maxSize: 64, signal: controller.signal })).rejects.toBe(reason);
  });
});

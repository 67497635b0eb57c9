import { z } from 'zod';
import { describeError, inputError, LambdafaceError } from '../../errors.ts';
import { runLocalWorkflow } from '../../local/run-workflow.ts';
import { DEFAULT_DATA_DIR, startLocalRuntime } from '../../local/runtime.ts';
import { DEFAULT_BUCKET } from '../../local/search.ts';
import { jobKeys } from '../../storage/keys.ts';
import { s3Url, type S3Credentials } from '../../storage/s3.ts';
import { localStarter } from '../../workflow/local-starter.ts';
import { modelsFingerprint } from '../../vision/models.ts';
import { startJobsFromUploads } from '../../workflow/start.ts';
import { numberFlag, parseFlags } from '../flags.ts';
import { prepareWritableFolder } from '../writable-folder.ts';

export const SERVE_USAGE = `lambdaface serve [--port N] [--bucket NAME] [--data-dir DIR] [--concurrency N]

Keeps the embedded S3 server and the workflow engine running. Uploading uploads/<job>/job.json
(a job input; see README "Job input") with any S3 client starts that job, as the start function
does on AWS; its outputs appear under jobs/<id>/ in the same bucket. Stop with Ctrl-C.

The server listens on 127.0.0.1 only and accepts only requests signed with a key pair made for
this run, printed at start (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for your S3 client).`;

const Flags = z.object({
  port: numberFlag(z.number().int().min(1).max(65535)),
  bucket: z.string().min(3).default(DEFAULT_BUCKET),
  'data-dir': z.string().default(DEFAULT_DATA_DIR),
  concurrency: numberFlag(z.number().int().min(1).max(256)),
});
export type ServeFlags = z.infer<typeof Flags>;

export interface LocalService {
  endpoint: string;
  /** The key pair of this run: the only one the server accepts. */
  credentials: S3Credentials;
  /** Settles when every job started so far has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const FinishedRun = z.object({ output: z.object({ jobId: z.string() }) });

/** Where a finished run's outputs are: its job's prefix (several jobs may share a label). */
function outputsOf(bucket: string, run: unknown): string {
  const finished = FinishedRun.safeParse(run);
  return finished.success ? s3Url(bucket, jobKeys(finished.data.output.jobId).prefix) : s3Url(bucket, 'jobs/');
}

/** The `serve` service: the embedded S3 whose uploads of job.json start local workflow runs. */
export async function startService(flags: ServeFlags, log: (line: string) => void): Promise<LocalService> {
  const runtime = await startLocalRuntime({
    bucket: flags.bucket,
    dataDir: flags['data-dir'],
    ...(flags.port ? { port: flags.port } : {}),
    ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
  }).catch((error: unknown) => {
    if (error instanceof LambdafaceError && error.kind === 'InputError' && error.input === 'port') {
      throw inputError(`--port ${flags.port}: ${error.message}`, { input: '--port', hint: 'pick another port or omit --port (any free port is then used)', cause: error });
    }
    throw error;
  });
  const server = runtime.server!;
  // Executions are named as on AWS: by the job and the models that run it (startLocalRuntime checked they are there).
  const models = await modelsFingerprint();
  const starter = localStarter(
    ({ name, input }) => runLocalWorkflow({ input, executionName: name, handlers: runtime.pool.handlers, s3: { client: runtime.s3 }, concurrency: runtime.concurrency }),
    (execution, outcome) =>
      log(
        outcome.ok ? `finished ${execution.name}: outputs under ${outputsOf(execution.input.bucket, outcome.value)}` : `failed ${execution.name}: ${describeError(outcome.error)}`,
      ),
  );
  const unsubscribe = server.onObjectCreated(async (event) => {
    try {
      await startJobsFromUploads({ Records: [event.record] }, { s3: runtime.s3, starter, log, models });
    } catch (error) {
      log(`could not start a job for ${event.key}: ${describeError(error)}`);
    }
  });
  return {
    endpoint: server.endpoint,
    credentials: server.credentials,
    idle: async () => {
      while (starter.running.size > 0) await Promise.allSettled([...starter.running.values()]);
    },
    close: async () => {
      unsubscribe();
      await runtime.close();
    },
  };
}

export async function serveCommand(argv: readonly string[]): Promise<void> {
  const flags = parseFlags('serve', argv, { port: { type: 'string' }, bucket: { type: 'string' }, 'data-dir': { type: 'string' }, concurrency: { type: 'string' } }, Flags);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  await prepareWritableFolder(flags['data-dir'], '--data-dir');
  const service = await startService(flags, log);
  log(`lambdaface serve: S3 API at ${service.endpoint} (bucket ${flags.bucket}, objects in ${flags['data-dir']})`);
  log('only requests signed with this key pair are accepted; it changes every run. For your S3 client:');
  log(`  export AWS_ACCESS_KEY_ID=${service.credentials.accessKeyId}`);
  log(`  export AWS_SECRET_ACCESS_KEY=${service.credentials.secretAccessKey}`);
  log(`  aws --endpoint-url ${service.endpoint} s3 cp job.json s3://${flags.bucket}/uploads/my-job/job.json`);
  log(`upload uploads/<job>/job.json to start a search; Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('stopping: waiting for running jobs');
  await service.idle();
  await service.close();
}

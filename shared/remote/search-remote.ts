import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { MontageResult } from '../schemas/montage-result.ts';
import type { SearchOptionsInput } from '../config/options.ts';
import { scanOptionsOf } from '../workflow/scan-options.ts';
import { inputError, parseInput, workflowError } from '../errors.ts';
import type { SearchProgress } from '../workflow/search-progress.ts';
import { JobInput, type JobInputDraft } from '../schemas/job.ts';
import { awsCredentialsConfigured, createS3Client, s3Url } from '../storage/s3.ts';
import { resolveJob } from '../workflow/job.ts';
import { downloadJobOutputs } from '../workflow/outputs.ts';
import { fromAwsError } from './aws-errors.ts';
import { inputKey, type SourceNames } from '../storage/uploads.ts';
import { executionNameForJob } from '../workflow/execution-name.ts';
import { startNamedExecution } from './start-execution.ts';
import { deployedModels, resolveRemoteTarget, type RemoteTarget, type RemoteTargetInput } from './target.ts';
import { executionConsoleUrl, watchExecution, type WatchOptions } from './watch-execution.ts';

export interface SearchRemoteOptions {
  /** `{ stack }` finds the state machine and bucket by name; or give both. */
  target: RemoteTargetInput;
  /** Default: the state machine ARN's region, else the SDK's (AWS_REGION, profile). */
  region?: string;
  /** A local file, or `s3://<stack bucket>/uploads/...`. */
  video: string;
  /** Reference photos per person: local files or `s3://<stack bucket>/uploads/...`. */
  faces: { name: string; photos: string[]; cluster?: string }[];
  options?: SearchOptionsInput;
  jobId?: string;
  /** An earlier job whose scan of this video is named again instead of decoding it; its scan options are used. */
  reuseScan?: string;
  /** Local folder the outputs are downloaded into (timeline.*, report.html, montage.mp4, thumbnails/). */
  out: string;
  /** Default: the job id and the deployment's models (shared/workflow/execution-name.ts executionNameForJob). Reusing a name attaches to that execution instead of starting one. */
  executionName?: string;
  pollIntervalMs?: number;
  onProgress?: (progress: SearchProgress) => void;
  /** Stops waiting (the execution goes on on AWS; the error names it). */
  signal?: AbortSignal;
  /** Filled with the object URL of every local file uploaded, so messages can name the file. */
  names?: SourceNames;
}

export interface RemoteClients {
  sfn: SFNClient;
  s3: S3Client;
  /** Tests replace the poll pause. */
  sleep?: WatchOptions['sleep'];
}

export interface RemoteSearchResult {
  target: RemoteTarget;
  executionArn: string;
  executionName: string;
  consoleUrl: string;
  /** True when `executionName` named an existing execution, which was followed instead. */
  attached: boolean;
  jobId: string;
  /** Montage's result: the execution's output. */
  result: MontageResult;
  /** Local paths written under `out`. */
  files: string[];
  elapsedSeconds: number;
}

async function checkBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    // HEAD has no body: a missing bucket is only a 404 (403, denied, is mapped like any call).
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
      throw inputError(`bucket ${bucket} does not exist`, {
        input: bucket,
        hint: 'check --bucket / --stack and the region; the stack bucket is <stack>-<account>-<region>',
        cause: error,
      });
    }
    throw fromAwsError(error, { action: 'use the stack bucket', resource: s3Url(bucket, ''), kind: 'StorageError' });
  }
}

/**
 * An execution of the same job exists: running or succeeded, it is followed (its outputs are this
 * search's); ended otherwise, the name cannot be started again for 90 days, so say how to finish it.
 */
async function checkAttachable(sfn: SFNClient, executionArn: string): Promise<void> {
  let status: string | undefined;
  try {
    status = (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status;
  } catch (error) {
    throw fromAwsError(error, { action: 'look up the existing execution of this job', resource: executionArn, kind: 'WorkflowError' });
  }
  if (status === 'RUNNING' || status === 'SUCCEEDED' || status === 'PENDING_REDRIVE') return;
  throw workflowError(`this search already ran as ${executionArn} and ended ${status ?? 'in an unknown state'}; one job runs once`, {
    input: executionArn,
    hint:
      `redrive it from the failed step (finished chunks are kept): \`aws stepfunctions redrive-execution --execution-arn ${executionArn}\`, ` +
      `then run this command again to follow it; or see ${executionConsoleUrl(executionArn)}`,
  });
}

/**
 * `lambdaface search --remote`: uploads the inputs to the stack's bucket, starts the deployed
 * state machine, follows it (map run item counts as progress) and downloads the outputs into
 * `out`. AWS failures become LambdafaceErrors that say what was refused and what to do.
 */
export async function searchRemote(options: SearchRemoteOptions, clients: Partial<RemoteClients> = {}): Promise<RemoteSearchResult> {
  const started = performance.now();
  if ((clients.sfn === undefined || clients.s3 === undefined) && !awsCredentialsConfigured()) {
    throw inputError('no AWS credentials found for --remote', {
      input: '--remote',
      hint: 'set AWS_PROFILE (e.g. after `aws configure` or `aws sso login`) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
    });
  }
  const arnRegion = 'stateMachineArn' in options.target ? options.target.stateMachineArn.split(':')[3] : undefined;
  const region = options.region ?? arnRegion;
  const sfn = clients.sfn ?? new SFNClient(region ? { region } : {});
  const target = await resolveRemoteTarget(options.target, sfn);
  const s3 = clients.s3 ?? createS3Client({ region: target.region });
  const report = (progress: Partial<SearchProgress> & Pick<SearchProgress, 'phase'>): void => options.onProgress?.({ chunksDone: 0, chunksTotal: 0, facesFound: 0, ...progress });

  report({ phase: 'upload' });
  await checkBucket(s3, target.bucket);
  const recording = options.names ? { names: options.names } : {};
  const draft: JobInputDraft = {
    bucket: target.bucket,
    video: {
      key: await inputKey(s3, target.bucket, options.video, '--video', recording),
      ...(options.reuseScan === undefined ? {} : { scannedBy: options.reuseScan }),
    },
    faces: await Promise.all(
      options.faces.map(async (face) =>
        face.cluster !== undefined
          ? { name: face.name, cluster: face.cluster }
          : { name: face.name, keys: await Promise.all(face.photos.map((photo) => inputKey(s3, target.bucket, photo, `--face ${face.name}`, recording))) },
      ),
    ),
    options: options.reuseScan === undefined ? (options.options ?? {}) : { ...options.options, ...(await scanOptionsOf(s3, target.bucket, options.reuseScan)) },
    ...(options.jobId ? { jobId: options.jobId } : {}),
  };
  const input = parseInput(JobInput, draft, 'job input');

  // Named by the job (its id fingerprints the uploaded video, photos and options): the same
  // search started twice, from here or by an upload, runs once and this attaches to it.
  // And by the deployment's models: after a deploy with other models the same search runs again.
  const executionName = options.executionName ?? executionNameForJob((await resolveJob(input, s3)).job.jobId, await deployedModels(sfn, target.stateMachineArn));
  // The watcher reports 'prepare' from its first poll on.
  const execution = await startNamedExecution(sfn, target.stateMachineArn, executionName, input);
  if (execution.alreadyStarted) await checkAttachable(sfn, execution.executionArn);
  const rawOutput = await watchExecution(sfn, execution.executionArn, {
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(clients.sleep ? { sleep: clients.sleep } : {}),
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawOutput);
  } catch (error) {
    throw workflowError(`the execution's output is not JSON`, { input: execution.executionArn, cause: error });
  }
  const result = parseInput(MontageResult, parsed, `output of ${execution.executionArn}`, 'the deployed stack runs another version of lambdaface: deploy this one');

  report({ phase: 'download' });
  const files = await downloadJobOutputs(s3, result, options.out);
  return {
    target,
    executionArn: execution.executionArn,
    executionName,
    consoleUrl: executionConsoleUrl(execution.executionArn),
    attached: execution.alreadyStarted,
    jobId: result.jobId,
    result,
    files,
    elapsedSeconds: (performance.now() - started) / 1000,
  };
}

import { DescribeExecutionCommand, DescribeMapRunCommand, ListMapRunsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { LambdafaceError, workflowError, type ErrorKind } from '../errors.ts';
import { parseErrorCause } from '../workflow/error-cause.ts';
import type { SearchProgress } from '../workflow/search-progress.ts';
import { fromAwsError, isThrottling } from './aws-errors.ts';

export interface WatchOptions {
  /** Between two DescribeExecution calls; doubled (up to a minute) while AWS throttles. Default 5 s. */
  pollIntervalMs?: number;
  onProgress?: (progress: SearchProgress) => void;
  /** Stops watching (the execution itself keeps running on AWS). */
  signal?: AbortSignal;
  /** Injected by tests so polling costs no time. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The console page of an execution, for messages. */
export function executionConsoleUrl(executionArn: string): string {
  const region = executionArn.split(':')[3] ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

const KINDS = new Set<string>(['InputError', 'MediaError', 'ModelError', 'StorageError', 'WorkflowError']);

/**
 * A failed execution as a LambdafaceError: the handler's own error kind and message when a step
 * threw one (Cause is the Lambda error payload), Step Functions' error otherwise.
 */
export function executionFailure(executionArn: string, status: string, error: string | undefined, cause: string | undefined): LambdafaceError {
  const { errorType, errorMessage } = parseErrorCause(cause ?? '');
  const name = errorType ?? error ?? status;
  const kind: ErrorKind = KINDS.has(name) ? (name as ErrorKind) : 'WorkflowError';
  const what = errorMessage || error || status;
  return new LambdafaceError(kind, `the search ${status === 'FAILED' ? 'failed' : `ended ${status}`} on AWS: ${name === what ? what : `${name}: ${what}`}`, {
    input: executionArn,
    hint: `open ${executionConsoleUrl(executionArn)} for the failed state and its logs`,
  });
}

interface MapCounts {
  total: number;
  done: number;
  finished: boolean;
}

async function mapRunCounts(sfn: SFNClient, executionArn: string): Promise<MapCounts | undefined> {
  const runs = await sfn.send(new ListMapRunsCommand({ executionArn }));
  // The recognize map's run (map run ARNs end in <machine>/<Label>:<id>): the montage's CutPieces run comes after it.
  const run = runs.mapRuns?.find((candidate) => candidate.mapRunArn?.includes('/RecognizeChunks:'));
  if (!run?.mapRunArn) return undefined;
  const described = await sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }));
  const counts = described.itemCounts;
  const done = (counts?.succeeded ?? 0) + (counts?.failed ?? 0) + (counts?.timedOut ?? 0) + (counts?.aborted ?? 0);
  return { total: counts?.total ?? 0, done, finished: described.status !== undefined && described.status !== 'RUNNING' };
}

/**
 * Polls an execution until it ends and returns its output (a JSON string). Progress comes from the
 * Distributed Map run's item counts: no map run yet = preparing, map run running = recognizing,
 * map run over = montage. Throttled polls back off instead of failing: a search may run for a
 * long time, and losing the watch would be worse than a late progress line.
 */
export async function watchExecution(sfn: SFNClient, executionArn: string, options: WatchOptions = {}): Promise<string> {
  const base = options.pollIntervalMs ?? 5000;
  const sleep = options.sleep ?? defaultSleep;
  let interval = base;
  let lastProgress = '';
  for (;;) {
    if (options.signal?.aborted) {
      throw workflowError(`stopped watching ${executionArn}; it goes on running on AWS`, {
        input: executionArn,
        hint: `follow it at ${executionConsoleUrl(executionArn)}; its outputs land under jobs/<jobId>/ in the bucket`,
      });
    }
    try {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      const status = execution.status ?? 'RUNNING';
      if (status === 'SUCCEEDED') return execution.output ?? 'null';
      if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') throw executionFailure(executionArn, status, execution.error, execution.cause);
      const counts = await mapRunCounts(sfn, executionArn);
      const progress: SearchProgress =
        counts === undefined
          ? { phase: 'prepare', chunksDone: 0, chunksTotal: 0, facesFound: 0 }
          : { phase: counts.finished ? 'montage' : 'recognize', chunksDone: counts.done, chunksTotal: counts.total, facesFound: 0 };
      const key = JSON.stringify(progress);
      if (key !== lastProgress) options.onProgress?.(progress);
      lastProgress = key;
      interval = base;
    } catch (error) {
      if (error instanceof LambdafaceError) throw error;
      if (!isThrottling(error)) throw fromAwsError(error, { action: 'follow the execution', resource: executionArn });
      interval = Math.min(interval * 2, 60_000);
    }
    await sleep(interval, options.signal);
  }
}

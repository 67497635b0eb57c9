import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { JsonObject, JsonValue } from '../asl.ts';
import { evaluatePath } from '../payload-template.ts';
import { parseErrorCause } from '../../workflow/error-cause.ts';
import { StatesError } from '../task-errors.ts';
import { childInputs, type ChildInput } from './children.ts';
import { readItems } from './items.ts';
import { writeResults, type ChildExecution } from './result-writer.ts';
import { exceedsTolerance, readTolerance } from './tolerance.ts';
import { LOCAL_STATES_ARN } from '../../config/local-account.ts';

/** Progress of one Map Run, in items (a batch's items finish together). */
export interface MapProgress {
  /** The Map state's name. */
  state: string;
  mapRunArn: string;
  total: number;
  succeeded: number;
  failed: number;
  /** succeeded + failed */
  done: number;
}

/** How a child execution ended: its output, or the error and cause it failed with. */
export type ChildOutcome = { status: 'SUCCEEDED'; output: JsonValue } | { status: 'FAILED'; error: string; cause: string };

/** Runs one child workflow execution (the ItemProcessor) and reports how it ended. */
export type RunChild = (
  input: JsonValue,
  identity: { name: string; executionArn: string; stateMachineArn: string },
) => {
  outcome: Promise<ChildOutcome>;
  abort: () => void;
};

export interface MapEnvironment {
  s3: S3Client;
  /** The machine's own cap on children in flight (AWS: 10,000; locally: the cores). */
  localConcurrency: number;
  /** The execution's context object, for `$$` in the Map's templates. */
  context: JsonObject;
  /** Name of the state machine, for Map Run and child ARNs. */
  stateMachineName: string;
  runChild: RunChild;
  signal: AbortSignal;
  onProgress?: (progress: MapProgress) => void;
  /** Called once per finished Map Run (for the runner's summary). */
  onMapRun?: (summary: MapRunSummary) => void;
}

export interface MapRunSummary {
  state: string;
  mapRunArn: string;
  totalItems: number;
  failedItems: number;
  children: number;
  output: JsonValue;
}

async function maxConcurrency(state: JsonObject, input: JsonValue, context: JsonObject): Promise<number> {
  const value = typeof state.MaxConcurrencyPath === 'string' ? await evaluatePath(state.MaxConcurrencyPath, input, context) : (state.MaxConcurrency ?? 0);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new StatesError('States.Runtime', `MaxConcurrency must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function describeFailure(children: ChildExecution[], failedItems: number, totalItems: number, tolerance: string): string {
  const first = children.find((child) => child.status === 'FAILED');
  const firstText = first ? `; first failure: ${first.error}: ${parseErrorCause(first.cause ?? '').errorMessage}` : '';
  const percent = totalItems === 0 ? 0 : Math.round((failedItems * 1000) / totalItems) / 10;
  return `${failedItems} of ${totalItems} items failed (${percent}%), more than the tolerated ${tolerance}${firstText}`;
}

/**
 * Runs a Distributed Map state the way Step Functions does: reads the items (ItemReader or
 * ItemsPath), selects and batches them into child executions, runs at most MaxConcurrency (and the
 * local cap) of them at a time, counts failed items against ToleratedFailureCount/Percentage, and
 * writes the results (ResultWriter). Returns the Map state's raw result; throws a StatesError
 * (`States.ExceedToleratedFailureThreshold`, `States.ItemReaderFailed`, ...) when the Map Run fails.
 */
export async function runDistributedMap(stateName: string, state: JsonObject, input: JsonValue, env: MapEnvironment): Promise<JsonValue> {
  const context: JsonObject = { ...env.context, State: { Name: stateName, EnteredTime: new Date().toISOString() } };
  const label = typeof state.Label === 'string' ? state.Label : stateName;
  const mapRunId = randomUUID();
  const mapRunArn = `${LOCAL_STATES_ARN}:mapRun:${env.stateMachineName}/${label}:${mapRunId}`;
  const childMachineArn = `${LOCAL_STATES_ARN}:stateMachine:${env.stateMachineName}/${label}`;

  const items = await readItems(state, input, context, env.s3);
  const inputs = await childInputs(state, items, input, context);
  const tolerance = await readTolerance(state, input, context);
  const requested = await maxConcurrency(state, input, context);
  // 0 means "as many as the service allows"; locally the machine's cap always applies.
  const limit = Math.max(1, requested === 0 ? env.localConcurrency : Math.min(requested, env.localConcurrency));

  const totalItems = items.length;
  const results: Array<ChildExecution | undefined> = new Array(inputs.length);
  let succeeded = 0;
  let failedItems = 0;
  let exceeded = false;
  const running = new Set<() => void>();
  const report = (): void => env.onProgress?.({ state: stateName, mapRunArn, total: totalItems, succeeded, failed: failedItems, done: succeeded + failedItems });
  report();

  const stopAll = (): void => {
    for (const abort of running) abort();
  };
  env.signal.addEventListener('abort', stopAll);

  const runOne = async (index: number, child: ChildInput): Promise<void> => {
    const name = randomUUID();
    const identity = { name, executionArn: `${LOCAL_STATES_ARN}:execution:${env.stateMachineName}/${label}:${name}`, stateMachineArn: childMachineArn };
    const startDate = new Date();
    const execution = env.runChild(child.input, identity);
    running.add(execution.abort);
    let outcome: ChildOutcome;
    try {
      outcome = await execution.outcome;
    } finally {
      running.delete(execution.abort);
    }
    if (env.signal.aborted) return;
    const record: ChildExecution = { ...identity, input: child.input, startDate, stopDate: new Date(), status: outcome.status };
    if (outcome.status === 'SUCCEEDED') {
      record.output = outcome.output;
      succeeded += child.itemCount;
    } else {
      record.error = outcome.error;
      record.cause = outcome.cause;
      failedItems += child.itemCount;
      // Like AWS, children already running finish; no new ones start once the run has failed.
      if (exceedsTolerance(tolerance, failedItems, totalItems)) exceeded = true;
    }
    results[index] = record;
    report();
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length && !exceeded && !env.signal.aborted) {
      const index = next++;
      await runOne(index, inputs[index]!);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  } finally {
    env.signal.removeEventListener('abort', stopAll);
  }
  if (env.signal.aborted) throw new StatesError('States.Aborted', `the Map Run of ${stateName} was stopped`);

  const children = results.filter((child): child is ChildExecution => child !== undefined);
  // Written for a failed Map Run too, so the user can see which items failed and why (a local
  // choice: AWS's docs describe the export of finished runs only).
  const output = await writeResults(state, children, { mapRunArn, mapRunId }, input, context, env.s3);
  env.onMapRun?.({ state: stateName, mapRunArn, totalItems, failedItems, children: children.length, output });
  if (exceeded) {
    const allowed = [tolerance.percentage !== undefined ? `${tolerance.percentage}%` : undefined, tolerance.count !== undefined ? `${tolerance.count} items` : undefined].filter(
      Boolean,
    );
    const where = typeof output === 'object' && output !== null && 'ResultWriterDetails' in output ? ` (results: ${JSON.stringify(output.ResultWriterDetails)})` : '';
    throw new StatesError('States.ExceedToleratedFailureThreshold', describeFailure(children, failedItems, totalItems, allowed.length ? allowed.join(' or ') : '0%') + where);
  }
  return output;
}

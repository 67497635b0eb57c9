import './promise-with-resolvers.ts';
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { workflowError } from '../errors.ts';
import { FACE_SEARCH_DEFINITION_PATH, findPlaceholders, loadDefinition, substitutePlaceholders, type AslDefinition, type JsonObject, type JsonValue } from './asl.ts';
import { runDistributedMap, type ChildOutcome, type MapProgress, type MapRunSummary, type RunChild } from './distributed-map/run-map.ts';
import { LocalFunctions, functionNameForPlaceholder, localFunctionArn, type LocalHandlers } from './local-functions.ts';
import { definitionProblems } from './definition-check.ts';
import { prepareDefinition, type DistributedMapPlan } from './prepare-definition.ts';
import { WorkflowFailedError } from './workflow-failed-error.ts';
import { LOCAL_ROLE_ARN, LOCAL_STATES_ARN } from '../config/local-account.ts';

export { WorkflowFailedError };

export interface RunLocalWorkflowOptions {
  /** A loaded definition (with its `${...}` placeholders); else `definitionPath` is read. */
  definition?: AslDefinition;
  /** Default: statemachine/face-search.asl.json. */
  definitionPath?: string;
  /** The execution input, as given to StartExecution. */
  input: unknown;
  /** The Lambda handlers, by function name (`${TrainFunctionArn}` → `train`). */
  handlers: LocalHandlers;
  /** Where ItemReader reads and ResultWriter writes (buckets come from the definition's parameters). */
  s3: { client: S3Client };
  /** Most child executions in flight at once, whatever MaxConcurrency says. Default: the CPU count. */
  concurrency?: number;
  /** Called as a Distributed Map's items finish (and once when it starts, with done = 0). */
  onProgress?: (progress: MapProgress) => void;
  /** Stops the run: no new work starts, running handlers see `context.signal` aborted. */
  signal?: AbortSignal;
  /** Replaces every Retry pause with this many ms (tests); default: the definition's backoff. */
  retryIntervalMs?: number;
  /** Execution name, as in StartExecution. Default: a UUID. */
  executionName?: string;
}

export interface LocalWorkflowResult {
  status: 'SUCCEEDED';
  output: JsonValue;
  executionArn: string;
  /** One entry per Distributed Map run: its ARN, item counts and result (ResultWriterDetails). */
  mapRuns: MapRunSummary[];
}

function placeholderValues(definition: AslDefinition, handlers: LocalHandlers): Record<string, string> {
  const values: Record<string, string> = {};
  for (const placeholder of findPlaceholders(definition)) {
    const name = functionNameForPlaceholder(placeholder);
    if (name === undefined) {
      throw workflowError(`the definition uses \${${placeholder}}, which is not a \${<Name>FunctionArn} placeholder`, {
        input: 'definition',
        hint: 'locally, only Lambda function ARNs can be substituted',
      });
    }
    if (!Object.hasOwn(handlers, name)) {
      throw workflowError(`no local handler "${name}" for \${${placeholder}}`, {
        input: 'handlers',
        hint: `pass handlers for: ${findPlaceholders(definition).map(functionNameForPlaceholder).join(', ')}`,
      });
    }
    values[placeholder] = localFunctionArn(name);
  }
  return values;
}

function outcomeOf(error: unknown): ChildOutcome {
  if (error instanceof ExecutionError && error.cause instanceof Error) {
    return { status: 'FAILED', error: error.cause.name, cause: error.cause.message };
  }
  if (error instanceof ExecutionTimeoutError) return { status: 'FAILED', error: 'States.Timeout', cause: 'the child execution timed out' };
  if (error instanceof ExecutionAbortedError) return { status: 'FAILED', error: 'States.Aborted', cause: 'the child execution was stopped' };
  return { status: 'FAILED', error: 'States.Runtime', cause: error instanceof Error ? error.message : String(error) };
}

/**
 * Runs a state machine definition on this machine: aws-local-stepfunctions interprets it, Task
 * states call the given handlers (the same functions Lambda runs), and every Distributed Map runs
 * through distributed-map/run-map.ts against the given S3 client. Resolves with the execution
 * output; rejects with a WorkflowFailedError carrying Step Functions' Error and Cause.
 */
export async function runLocalWorkflow(options: RunLocalWorkflowOptions): Promise<LocalWorkflowResult> {
  const definitionPath = options.definitionPath ?? FACE_SEARCH_DEFINITION_PATH;
  const original = options.definition ?? (await loadDefinition(definitionPath));
  const problems = await definitionProblems(original);
  if (problems.length > 0) {
    throw workflowError(`the state machine definition is invalid: ${problems.join('; ')}`, { input: definitionPath });
  }
  const prepared = prepareDefinition(substitutePlaceholders(original, placeholderValues(original, options.handlers)));

  const stateMachineName = options.definition ? 'local' : basename(definitionPath).replace(/\.asl\.json$|\.json$/, '');
  const executionName = options.executionName ?? randomUUID();
  const executionArn = `${LOCAL_STATES_ARN}:execution:${stateMachineName}:${executionName}`;
  const rootContext: JsonObject = {
    Execution: { Id: executionArn, Name: executionName, RoleArn: LOCAL_ROLE_ARN, StartTime: new Date().toISOString() },
    StateMachine: { Id: `${LOCAL_STATES_ARN}:stateMachine:${stateMachineName}`, Name: stateMachineName },
  };

  const controller = new AbortController();
  const stop = (): void => controller.abort();
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop);
  const functions = new LocalFunctions(options.handlers, controller.signal);
  for (const [name, task] of prepared.tasks) {
    if (task.kind === 'lambda-arn' && !functions.has(task.functionArn)) {
      throw workflowError(`no local handler for ${task.functionArn} (Task state "${name}")`, {
        input: 'handlers',
        hint: 'pass a handler named after the function',
      });
    }
  }
  const mapRuns: MapRunSummary[] = [];
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());

  // Handlers cannot be cancelled; the run returns only once every one it started has returned.
  const running = new Set<Promise<unknown>>();
  const tracked = <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    void work.then(
      () => running.delete(work),
      () => running.delete(work),
    );
    return work;
  };

  type Handler = (input: JsonValue) => Promise<JsonValue>;
  const taskHandlers: Record<string, Handler> = {};
  const runOptions: RunOptions = { overrides: { taskResourceLocalHandlers: taskHandlers } };
  if (options.retryIntervalMs !== undefined) {
    runOptions.overrides!.retryIntervalOverrides = Object.fromEntries(prepared.retryStates.map((name) => [name, options.retryIntervalMs!]));
  }

  // The interpreter types definitions as a closed union of state shapes; ours are plain JSON that
  // asl-validator has accepted, hence the casts to its type below.
  const childRunner = (plan: DistributedMapPlan): RunChild => {
    const machine = new StateMachine(plan.processor as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
    return (input, identity) => {
      const context = {
        Execution: { Id: identity.executionArn, Name: identity.name, RoleArn: LOCAL_ROLE_ARN },
        StateMachine: { Id: identity.stateMachineArn, Name: identity.stateMachineArn.split(':stateMachine:')[1] ?? '' },
      };
      const execution = machine.run(input, { ...runOptions, context });
      const outcome = execution.result.then(
        (output): ChildOutcome => ({ status: 'SUCCEEDED', output }),
        (error: unknown) => outcomeOf(error),
      );
      return { outcome, abort: execution.abort };
    };
  };

  for (const [name, task] of prepared.tasks) {
    if (task.kind === 'lambda-invoke') {
      taskHandlers[name] = (input) => tracked(functions.invokeIntegration(input, task.timeoutSeconds));
    } else if (task.kind === 'lambda-arn') {
      taskHandlers[name] = (input) => tracked(functions.invoke(task.functionArn, input, task.timeoutSeconds));
    } else {
      const plan = prepared.distributedMaps.get(name)!;
      const runChild = childRunner(plan);
      taskHandlers[name] = (input) =>
        tracked(
          runDistributedMap(name, plan.state, input, {
            s3: options.s3.client,
            localConcurrency: concurrency,
            context: { ...rootContext, Execution: { ...(rootContext.Execution as JsonObject), Input: (options.input ?? null) as JsonValue } },
            stateMachineName,
            runChild,
            signal: controller.signal,
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
            onMapRun: (summary) => mapRuns.push(summary),
          }),
        );
    }
  }

  // Validated above, as written (asl-validator knows Distributed Map fields); validating the
  // prepared copy again would only double the ~100 ms the schema compilation takes.
  const machine = new StateMachine(prepared.definition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
  const execution = machine.run((options.input ?? null) as JsonValue, { ...runOptions, context: rootContext });
  controller.signal.addEventListener('abort', () => execution.abort());
  if (controller.signal.aborted) execution.abort();

  // The event log says which state failed the run (the thrown error does not): the first one to
  // fail for good, so a step inside a Parallel branch is named rather than the Parallel around it.
  // A failure that was then retried or caught did not end anything.
  let failState: string | undefined;
  const watching = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateFailed' && failState === undefined) failState = event.state.name;
      if ((event.type === 'StateRetried' || event.type === 'StateCaught') && event.state.name === failState) failState = undefined;
    }
  })();

  const settle = async (): Promise<void> => {
    options.signal?.removeEventListener('abort', stop);
    while (running.size > 0) await Promise.allSettled([...running]);
    await watching;
  };

  let output: JsonValue;
  try {
    output = await execution.result;
  } catch (error) {
    controller.abort(); // let still-running handlers and Map Runs stop early
    await settle();
    if (error instanceof ExecutionAbortedError) {
      throw workflowError('the run was stopped before it finished', {
        input: executionArn,
        hint: 'run the same job again: chunks that finished are kept and skipped',
      });
    }
    if (error instanceof ExecutionTimeoutError) {
      throw new WorkflowFailedError({ error: 'States.Timeout', errorCause: 'the execution timed out', state: undefined, executionArn, original: error });
    }
    if (error instanceof ExecutionError && error.cause instanceof Error) {
      const cause = error.cause;
      throw new WorkflowFailedError({
        error: cause.name,
        errorCause: cause.message,
        state: failState,
        executionArn,
        original: functions.originalError(cause.message) ?? cause,
      });
    }
    throw workflowError(`the local run failed: ${(error as Error).message}`, { input: executionArn, cause: error });
  }
  await settle();
  return { status: 'SUCCEEDED', output, executionArn, mapRuns };
}

import { randomUUID } from 'node:crypto';
import { FUNCTION_TIMEOUT_SECONDS } from '../config/function-timeouts.ts';
import { workflowError } from '../errors.ts';
import type { JsonValue } from './asl.ts';
import { LambdaFunctionError, StatesError, lambdaErrorPayload } from './task-errors.ts';
import { LOCAL_ACCOUNT } from '../config/local-account.ts';

/** The fields of the Lambda context object a handler may use, plus the run's abort signal. */
export interface LocalLambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
  /**
   * Local only: the function's time limit. Lambda's clock starts when the function runs, so a
   * runtime that queues calls (the worker pool) counts it from when the call gets a thread, not
   * from getRemainingTimeInMillis(), which counts from the invocation.
   */
  timeoutMs: number;
  /** Local only: aborted when the run is stopped, so a handler can kill ffmpeg and return. */
  signal: AbortSignal;
}

/** A Lambda handler as the local runner calls it: the same function the Lambda runtime calls. */
export type LocalHandler = (event: unknown, context: LocalLambdaContext) => Promise<unknown>;

/** Handlers by function name: `${TrainFunctionArn}` in the definition is the handler `train`. */
export type LocalHandlers = Readonly<Record<string, LocalHandler>>;

/** The functions of statemachine/face-search.asl.json (a type alias, so it is a LocalHandlers). */
export type FaceSearchHandlers = {
  train: LocalHandler;
  shard: LocalHandler;
  recognize: LocalHandler;
  montage: LocalHandler;
  cut: LocalHandler;
  join: LocalHandler;
};

/** Step Functions' limit on one state's input or output. */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;
/** Lambda's own maximum timeout: a function never runs longer, whatever its Task allows. */
const LAMBDA_TIMEOUT_SECONDS = 900;

/** The pseudo-ARN a function gets locally, in place of the deployed function's ARN. */
export function localFunctionArn(name: string): string {
  return `arn:aws:lambda:local:${LOCAL_ACCOUNT}:function:${name}`;
}

/** `TrainFunctionArn` → `train`: the convention tying definition placeholders to handlers. */
export function functionNameForPlaceholder(placeholder: string): string | undefined {
  const match = /^([A-Za-z0-9]+)FunctionArn$/.exec(placeholder);
  if (!match) return undefined;
  const name = match[1]!;
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** `arn:aws:lambda:region:acct:function:name[:qualifier]` or `name[:qualifier]` → `name`. */
function functionNameOf(nameOrArn: string): string {
  const parts = nameOrArn.split(':');
  return (nameOrArn.startsWith('arn:') ? parts[6] : parts[0]) ?? nameOrArn;
}

function jsonRoundTrip(value: unknown): JsonValue {
  // What crosses the Lambda boundary is JSON: no shared objects, undefined becomes null.
  return value === undefined ? null : (JSON.parse(JSON.stringify(value) ?? 'null') as JsonValue);
}

/**
 * The local stand-in for the Lambda service: invokes handlers with JSON copies of their events,
 * reports their failures the way Lambda + Step Functions do, and enforces the state payload limit.
 */
export class LocalFunctions {
  /** Cause string → what the handler threw, so the runner can hand the caller the original error. */
  private readonly thrown = new Map<string, unknown>();

  constructor(
    private readonly handlers: LocalHandlers,
    private readonly signal: AbortSignal,
  ) {}

  /** Whether a handler serves this function name or ARN. */
  has(nameOrArn: string): boolean {
    return Object.hasOwn(this.handlers, functionNameOf(nameOrArn));
  }

  /**
   * Invokes a function and returns its result (what a Lambda-ARN Task resource returns). The
   * handler's getRemainingTimeInMillis() counts down from the function's own timeout: lambdaface's
   * functions have theirs in shared/config/function-timeouts.json (as on AWS, where the Task's
   * TimeoutSeconds sits above it); any other function gets its Task's TimeoutSeconds, else Lambda's
   * maximum.
   */
  async invoke(nameOrArn: string, event: unknown, timeoutSeconds?: number): Promise<JsonValue> {
    const name = functionNameOf(nameOrArn);
    const handler = Object.hasOwn(this.handlers, name) ? this.handlers[name] : undefined;
    if (!handler) {
      throw workflowError(`no local handler for the Lambda function "${name}"`, {
        input: nameOrArn,
        hint: `pass a handler named "${name}" to the local runner`,
      });
    }
    const started = Date.now();
    const ownTimeout = Object.hasOwn(FUNCTION_TIMEOUT_SECONDS, name) ? FUNCTION_TIMEOUT_SECONDS[name] : undefined;
    const limitMs = Math.min(ownTimeout ?? timeoutSeconds ?? LAMBDA_TIMEOUT_SECONDS, LAMBDA_TIMEOUT_SECONDS) * 1000;
    const context: LocalLambdaContext = {
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: localFunctionArn(name),
      memoryLimitInMB: '10240',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, limitMs - (Date.now() - started)),
      timeoutMs: limitMs,
      signal: this.signal,
    };
    let result: unknown;
    try {
      result = await handler(jsonRoundTrip(event), context);
    } catch (thrown) {
      const error = new LambdaFunctionError(lambdaErrorPayload(thrown));
      this.remember(error.message, thrown);
      throw error;
    }
    const output = jsonRoundTrip(result);
    const size = Buffer.byteLength(JSON.stringify(output));
    if (size > STATE_PAYLOAD_LIMIT_BYTES) {
      throw new StatesError(
        'States.DataLimitExceeded',
        `the result of Lambda function "${name}" is ${size} bytes, more than Step Functions' ${STATE_PAYLOAD_LIMIT_BYTES}-byte limit; write large results to S3 and return their key`,
      );
    }
    return output;
  }

  /** What `arn:aws:states:::lambda:invoke` returns: the function's result under `Payload`. */
  async invokeIntegration(parameters: JsonValue, timeoutSeconds?: number): Promise<JsonValue> {
    if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters) || typeof parameters.FunctionName !== 'string') {
      throw new StatesError('States.Runtime', 'a lambda:invoke Task needs Parameters.FunctionName');
    }
    const payload = parameters.Payload ?? {};
    const result = await this.invoke(parameters.FunctionName, payload, timeoutSeconds);
    return {
      ExecutedVersion: '$LATEST',
      Payload: result,
      SdkHttpMetadata: { HttpStatusCode: 200 },
      SdkResponseMetadata: { RequestId: randomUUID() },
      StatusCode: 200,
    };
  }

  /** The value a handler threw, for the cause string its failure was reported with. */
  originalError(cause: string): unknown {
    return this.thrown.get(cause);
  }

  private remember(cause: string, thrown: unknown): void {
    this.thrown.set(cause, thrown);
    // Only the latest failures matter for reporting; keep memory bounded on long runs.
    if (this.thrown.size > 1000) this.thrown.delete(this.thrown.keys().next().value!);
  }
}

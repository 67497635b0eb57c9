/**
 * Errors as Step Functions sees them: a name (the `Error` that Retry/Catch match on) and a cause
 * string. The interpreter matches `error.name` and reads `error.message` as the cause, and honours
 * `isRetryable`/`isCatchable` getters, so these classes are all the local runner needs to raise
 * AWS's errors.
 */
export class StatesError extends Error {
  /** Step Functions never lets States.ALL catch these (they end the execution). */
  private static readonly TERMINAL = new Set(['States.Runtime', 'States.DataLimitExceeded']);

  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }

  get isRetryable(): boolean {
    return !StatesError.TERMINAL.has(this.name);
  }

  get isCatchable(): boolean {
    return !StatesError.TERMINAL.has(this.name);
  }
}

/** The body a Node.js Lambda function's error becomes: `Cause` is this, as a JSON string. */
export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** What the Node.js Lambda runtime reports for a thrown value. */
export function lambdaErrorPayload(thrown: unknown): LambdaErrorPayload {
  if (thrown instanceof Error) {
    return {
      errorType: thrown.name || 'Error',
      errorMessage: thrown.message,
      trace: (thrown.stack ?? '').split('\n'),
    };
  }
  return { errorType: 'Error', errorMessage: typeof thrown === 'string' ? thrown : (JSON.stringify(thrown) ?? String(thrown)), trace: [] };
}

/**
 * A Lambda function's failure as a `lambda:invoke` Task reports it: Error = the error's name
 * (e.g. `InputError`), Cause = the runtime's JSON payload. Same shape as on AWS, so whatever reads a
 * failed execution's cause works on both.
 */
export class LambdaFunctionError extends Error {
  constructor(payload: LambdaErrorPayload) {
    super(JSON.stringify(payload));
    this.name = payload.errorType;
  }
}

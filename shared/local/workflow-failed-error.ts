import { LambdafaceError } from '../errors.ts';
import { parseErrorCause } from '../workflow/error-cause.ts';

/**
 * A local execution that ended FAILED. `error`/`errorCause` are Step Functions' Error and Cause
 * (for a Lambda failure the cause is the runtime's JSON, exactly as on AWS); `state` is the state
 * that failed the run, if known; `cause` (Error.cause) is what the handler threw, when known.
 */
export class WorkflowFailedError extends LambdafaceError {
  readonly error: string;
  readonly errorCause: string;
  readonly state: string | undefined;
  readonly executionArn: string;

  constructor(details: { error: string; errorCause: string; state: string | undefined; executionArn: string; original: unknown }) {
    const { errorMessage } = parseErrorCause(details.errorCause);
    const original = details.original instanceof LambdafaceError ? details.original : undefined;
    const where = details.state ? ` (${details.state})` : '';
    super('WorkflowError', `the job failed${where}: ${details.error}: ${errorMessage}`, {
      input: original?.input,
      hint: original?.hint ?? hintFor(details.error),
      cause: details.original,
    });
    this.error = details.error;
    this.errorCause = details.errorCause;
    this.state = details.state;
    this.executionArn = details.executionArn;
  }
}

function hintFor(error: string): string | undefined {
  if (error === 'States.ExceedToleratedFailureThreshold') {
    // No CLI flag sets the tolerance, so the hint is about the failure itself.
    return 'the first failure above says what went wrong (the Map Run results list every failed chunk); fix it and run the same search again: chunks that finished are kept and skipped';
  }
  if (error === 'States.DataLimitExceeded') return 'a handler returned too much data: write it to S3 and return the key';
  return undefined;
}

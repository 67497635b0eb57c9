import { ZodError } from 'zod';

/**
 * The one error family of lambdaface. Every failure a user can cause or fix is one of these,
 * so the CLI, the handlers and the state machine's Fail state can all say which input is wrong,
 * what is wrong with it and what to do, without a stack trace.
 */
export type ErrorKind = 'InputError' | 'MediaError' | 'ModelError' | 'StorageError' | 'WorkflowError';

export class LambdafaceError extends Error {
  readonly kind: ErrorKind;
  /** Which input (flag, file, S3 key, field path) the error is about. */
  readonly input: string | undefined;
  /** What the user can do about it. */
  readonly hint: string | undefined;

  constructor(kind: ErrorKind, message: string, options: Details = {}) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.name = kind;
    this.input = options.input;
    this.hint = options.hint;
  }
}

type Details = { input?: string | undefined; hint?: string | undefined; cause?: unknown };

export const inputError = (message: string, details: Details = {}) => new LambdafaceError('InputError', message, details);
export const mediaError = (message: string, details: Details = {}) => new LambdafaceError('MediaError', message, details);
export const modelError = (message: string, details: Details = {}) => new LambdafaceError('ModelError', message, details);
export const storageError = (message: string, details: Details = {}) => new LambdafaceError('StorageError', message, details);
export const workflowError = (message: string, details: Details = {}) => new LambdafaceError('WorkflowError', message, details);

/** Every problem of a zod failure as `field.path: message`, joined for a message. */
export function zodProblems(error: ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Turns a zod failure into an InputError that names every offending field of `input`. */
export function fromZodError(error: ZodError, input: string, hint?: string): LambdafaceError {
  return inputError(`invalid ${input}: ${zodProblems(error)}`, { input, ...(hint ? { hint } : {}) });
}

/** Parses `value` with `schema`, throwing an InputError about `input` instead of a ZodError. */
export function parseInput<T>(
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  value: unknown,
  input: string,
  hint?: string,
): T {
  const result = schema.safeParse(value);
  if (!result.success) throw fromZodError(result.error, input, hint);
  return result.data;
}

/**
 * What an AWS SDK failure carries, read without trusting it (any thrown value may arrive): the
 * error code (`NoSuchKey`, `AccessDeniedException`, ...), Node's system error code (`ECONNREFUSED`,
 * ...) that the SDK passes through, the message, the HTTP status and the SDK's throttling flag.
 */
export interface AwsErrorShape {
  name: string | undefined;
  code: string | undefined;
  message: string | undefined;
  status: number | undefined;
  throttling: boolean;
}

export function awsErrorShape(error: unknown): AwsErrorShape {
  const e: Record<string, unknown> = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const metadata = typeof e['$metadata'] === 'object' && e['$metadata'] !== null ? (e['$metadata'] as Record<string, unknown>) : {};
  const retryable = typeof e['$retryable'] === 'object' && e['$retryable'] !== null ? (e['$retryable'] as Record<string, unknown>) : {};
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return {
    name: text(e['name']),
    code: text(e['code']),
    message: text(e['message']),
    status: typeof metadata['httpStatusCode'] === 'number' ? metadata['httpStatusCode'] : undefined,
    throttling: retryable['throttling'] === true,
  };
}

/** The AWS error code (`AccessDeniedException`, `NoSuchBucket`, ...) or else Node's error code. */
export function awsErrorName(error: unknown): string {
  const { name, code } = awsErrorShape(error);
  if (name !== undefined && name !== 'Error') return name;
  return code ?? name ?? 'UnknownError';
}

/** A one-paragraph message for a person: kind, input, what is wrong, what to do. */
export function describeError(error: unknown): string {
  if (error instanceof LambdafaceError) {
    const lines = [`${error.kind}: ${error.message}`];
    if (error.hint) lines.push(`  what to do: ${error.hint}`);
    return lines.join('\n');
  }
  if (error instanceof ZodError) return describeError(fromZodError(error, 'input'));
  const message = error instanceof Error ? error.message : String(error);
  return `Unexpected error: ${message}\n  what to do: this is a bug in lambdaface; please report it with the command you ran.`;
}

/**
 * The readable part of a Step Functions error cause: a Lambda error payload's `errorType` and
 * `errorMessage` when the cause is one, else the cause itself. The same on AWS and locally
 * (shared/local/task-errors.ts raises causes of that shape).
 */
export function parseErrorCause(cause: string): { errorType?: string; errorMessage: string } {
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed && typeof parsed.errorMessage === 'string') {
      const errorType = 'errorType' in parsed && typeof parsed.errorType === 'string' ? parsed.errorType : undefined;
      return errorType === undefined ? { errorMessage: parsed.errorMessage } : { errorType, errorMessage: parsed.errorMessage };
    }
  } catch {
    // not JSON: a plain cause
  }
  return { errorMessage: cause };
}

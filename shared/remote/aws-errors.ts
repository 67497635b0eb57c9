import { awsErrorName, awsErrorShape, LambdafaceError, type ErrorKind } from '../errors.ts';

/** What was being done when AWS said no: named in the message, so the user knows which call and which resource. */
export interface AwsCallContext {
  /** e.g. `start the execution`, `upload talk.mp4`. */
  action: string;
  /** The ARN, s3:// URL or name the call was about. */
  resource: string;
  /** StorageError for S3 calls, WorkflowError for Step Functions. */
  kind?: ErrorKind;
}

const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown', 'RequestThrottled', 'RequestThrottledException']);

/** Whether AWS asked us to slow down (the SDK has already retried a few times by then). */
export function isThrottling(error: unknown): boolean {
  const aws = awsErrorShape(error);
  return THROTTLING.has(awsErrorName(error)) || aws.throttling || aws.status === 429;
}

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'Forbidden', 'AuthorizationError', 'UnauthorizedOperation']);
const BAD_CREDENTIALS = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
]);
const UNREACHABLE = new Set(['ENOTFOUND', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'TimeoutError', 'NetworkingError']);

function messageOf(error: unknown): string {
  const { message } = awsErrorShape(error);
  return message !== undefined && message.length > 0 ? message : String(error);
}

/**
 * Turns an AWS SDK failure into a LambdafaceError that says what was refused, about what, and what
 * to do — the difference between "AccessDeniedException" and a fix.
 */
export function fromAwsError(error: unknown, context: AwsCallContext): LambdafaceError {
  if (error instanceof LambdafaceError) return error;
  const name = awsErrorName(error);
  const kind = context.kind ?? 'WorkflowError';
  const detail = `${name}: ${messageOf(error)}`;
  const make = (message: string, hint: string, errorKind: ErrorKind = kind): LambdafaceError =>
    new LambdafaceError(errorKind, message, { input: context.resource, hint, cause: error });

  if (ACCESS_DENIED.has(name) || (awsErrorShape(error).status === 403 && !BAD_CREDENTIALS.has(name))) {
    return make(
      `AWS denied permission to ${context.action} (${context.resource}): ${detail}`,
      'the credentials in use (AWS_PROFILE or AWS_ACCESS_KEY_ID) need this permission; docs/deploy.md lists what the remote CLI needs',
    );
  }
  if (BAD_CREDENTIALS.has(name)) {
    return make(
      `AWS did not accept the credentials to ${context.action}: ${detail}`,
      'set AWS_PROFILE (and run `aws sso login` for SSO) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and check they have not expired',
      'InputError',
    );
  }
  if (name === 'StateMachineDoesNotExist') {
    return make(
      `no state machine ${context.resource} (${context.action})`,
      'deploy the stack (`npx sls deploy`), or check --state-machine / --stack and the region (--region or AWS_REGION)',
      'InputError',
    );
  }
  if (name === 'NoSuchBucket') {
    return make(
      `bucket ${context.resource} does not exist (${context.action})`,
      'check --bucket / --stack and the region; the stack bucket is <stack>-<account>-<region>',
      'InputError',
    );
  }
  if (name === 'ExecutionDoesNotExist' || name === 'ResourceNotFound') {
    return make(`${context.resource} does not exist (${context.action}): ${detail}`, 'check the ARN and the region', 'InputError');
  }
  if (name === 'ExecutionLimitExceeded') {
    return make(`too many executions are running to ${context.action}: ${detail}`, 'wait for running searches to finish, or ask AWS for a higher Step Functions quota');
  }
  if (name === 'InvalidArn' || name === 'InvalidName' || name === 'InvalidExecutionInput' || name === 'ValidationException') {
    return make(`AWS rejected the request to ${context.action}: ${detail}`, 'check the ARN, name and input given', 'InputError');
  }
  if (isThrottling(error)) {
    return make(`AWS kept throttling the request to ${context.action} after retries: ${detail}`, 'wait a minute and try again; many searches at once share one account quota');
  }
  if (/region is missing/i.test(messageOf(error))) {
    return make(`no AWS region set to ${context.action}`, 'pass --region, or set AWS_REGION (or a region in your AWS profile)', 'InputError');
  }
  if (UNREACHABLE.has(name)) {
    return make(`could not reach AWS to ${context.action}: ${detail}`, 'check the network connection and the region (--region or AWS_REGION)');
  }
  return make(`could not ${context.action} (${context.resource}): ${detail}`, 'see the AWS message; rerun with the same arguments once it is fixed');
}

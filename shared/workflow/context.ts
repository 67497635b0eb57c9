import { LambdafaceError } from '../errors.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import { runtimeConfig, type RuntimeConfig } from '../config/runtime.ts';
import { createS3Client } from '../storage/s3.ts';
import { deadlineOf, type Deadline, type LambdaContext } from './deadline.ts';

export interface HandlerContext {
  config: RuntimeConfig;
  s3: S3Client;
  /** The invocation's time limit and stop signal; absent when a step is called outside a Lambda. */
  deadline?: Deadline;
}

let cached: { endpoint: string | undefined; context: HandlerContext } | undefined;

/**
 * The context every handler works with, built from the environment once per process (a warm
 * Lambda keeps it) and rebuilt only if the local runner points the process at another endpoint.
 */
export function handlerContext(): HandlerContext {
  const config = runtimeConfig();
  if (cached === undefined || cached.endpoint !== config.s3Endpoint) {
    const s3 = createS3Client(config.s3Endpoint ? { endpoint: config.s3Endpoint } : {});
    cached = { endpoint: config.s3Endpoint, context: { config, s3 } };
  }
  return { ...cached.context, config };
}

/**
 * Wraps a workflow step as a Lambda handler. The Lambda context's remaining time becomes the step's
 * deadline, so a long step can stop with a clear error before Lambda kills it. On AWS only an
 * error's name and message reach Step Functions (as Error and Cause), so the hint is folded into
 * the message there.
 */
export function lambdaHandler<T>(step: (event: unknown, context: HandlerContext) => Promise<T>): (event: unknown, lambda?: LambdaContext) => Promise<T> {
  return async (event, lambda) => {
    const limit = lambda ? deadlineOf(lambda) : undefined;
    try {
      return await step(event, { ...handlerContext(), ...(limit ? { deadline: limit.deadline } : {}) });
    } catch (error) {
      if (process.env['AWS_LAMBDA_FUNCTION_NAME'] && error instanceof LambdafaceError && error.hint && !error.message.includes(error.hint)) {
        error.message = `${error.message} (what to do: ${error.hint})`;
      }
      throw error;
    } finally {
      limit?.dispose();
    }
  };
}

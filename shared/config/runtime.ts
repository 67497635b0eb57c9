import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { parseInput } from '../errors.ts';
import { ModelsFingerprint } from '../workflow/execution-name.ts';

/**
 * The environment a handler runs in: on Lambda, what serverless.yml sets; locally, what the
 * runner sets before it calls the same handlers. Parsed on every call (it is cheap), so a process
 * the local runner points elsewhere sees the change; handlerContext() keeps the S3 client it builds.
 */
const RuntimeEnv = z.object({
  /** An S3-compatible endpoint (the embedded server); unset on AWS. */
  LAMBDAFACE_S3_ENDPOINT: z.url().optional(),
  /** ONNX Runtime threads per recognize task; default: every core of the function. */
  LAMBDAFACE_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  /** Scratch space for montage pieces and downloads. */
  LAMBDAFACE_TMP: z.string().min(1).optional(),
  /** The state machine the start function starts (set by serverless.yml). */
  LAMBDAFACE_STATE_MACHINE_ARN: z.string().startsWith('arn:').optional(),
  /** The deployment's models fingerprint, which the start function names executions with (set by serverless.yml). */
  LAMBDAFACE_MODELS: ModelsFingerprint.optional(),
});

export interface RuntimeConfig {
  s3Endpoint: string | undefined;
  threads: number;
  tmpDir: string;
  stateMachineArn: string | undefined;
  deployedModels: string | undefined;
}

export function runtimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const parsed = parseInput(RuntimeEnv, env, 'environment', 'fix or unset the LAMBDAFACE_* variables');
  return {
    s3Endpoint: parsed.LAMBDAFACE_S3_ENDPOINT,
    threads: parsed.LAMBDAFACE_THREADS ?? availableParallelism(),
    tmpDir: parsed.LAMBDAFACE_TMP ?? (env['LAMBDA_TASK_ROOT'] ? '/tmp' : (env['TMPDIR'] ?? '/tmp')),
    stateMachineArn: parsed.LAMBDAFACE_STATE_MACHINE_ARN,
    deployedModels: parsed.LAMBDAFACE_MODELS,
  };
}

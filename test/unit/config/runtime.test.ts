import { describe, expect, it } from 'vitest';
import { runtimeConfig } from '../../../shared/config/runtime.ts';
import { LambdafaceError } from '../../../shared/errors.ts';

function errorOf(env: NodeJS.ProcessEnv): LambdafaceError {
  try {
    runtimeConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(LambdafaceError);
    return error as LambdafaceError;
  }
  throw new Error(`runtimeConfig accepted ${JSON.stringify(env)}`);
}

describe('runtimeConfig', () => {
  it('reads every LAMBDAFACE_* variable', () => {
    const config = runtimeConfig({
      LAMBDAFACE_S3_ENDPOINT: 'http://127.0.0.1:4569',
      LAMBDAFACE_THREADS: '3',
      LAMBDAFACE_TMP: '/scratch',
      LAMBDAFACE_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:face-search',
    });
    expect(config).toEqual({
      s3Endpoint: 'http://127.0.0.1:4569',
      threads: 3,
      tmpDir: '/scratch',
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:face-search',
    });
  });

  it('falls back to the cores, and to /tmp on Lambda', () => {
    const config = runtimeConfig({ LAMBDA_TASK_ROOT: '/var/task', TMPDIR: '/elsewhere' });
    expect(config.threads).toBeGreaterThanOrEqual(1);
    expect(config.tmpDir).toBe('/tmp');
    expect(config.s3Endpoint).toBeUndefined();
  });

  it.each([
    ['LAMBDAFACE_THREADS', 'four'],
    ['LAMBDAFACE_THREADS', '0'],
    ['LAMBDAFACE_THREADS', '2.5'],
    ['LAMBDAFACE_THREADS', '65'],
    ['LAMBDAFACE_S3_ENDPOINT', 'localhost 4569'],
    ['LAMBDAFACE_TMP', ''],
    ['LAMBDAFACE_STATE_MACHINE_ARN', 'face-search'],
  ])('refuses %s=%j with an InputError that names it and says what to do', (name, value) => {
    const error = errorOf({ [name]: value });
    expect(error.kind).toBe('InputError');
    expect(error.input).toBe('environment');
    expect(error.message).toContain(name);
    expect(error.hint).toContain('LAMBDAFACE_*');
  });
});

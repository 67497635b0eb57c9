import { afterEach, describe, expect, it, vi } from 'vitest';
import { inputError } from '../../../shared/errors.ts';
import { lambdaHandler } from '../../../shared/workflow/context.ts';

/** A step that always fails with `error`. */
const failing = (error: Error) => lambdaHandler(async () => Promise.reject(error));

afterEach(() => vi.unstubAllEnvs());

describe('lambdaHandler', () => {
  it('folds the hint into the message on Lambda, where only name and message reach Step Functions', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'lambdaface-dev-shard');
    const error = inputError('video.mp4 is not a video', { input: 'video', hint: 'give an MP4 or MOV file' });
    await expect(failing(error)({})).rejects.toMatchObject({
      name: 'InputError',
      message: 'video.mp4 is not a video (what to do: give an MP4 or MOV file)',
      hint: 'give an MP4 or MOV file',
    });
  });

  it('folds it once, however often the error passes through a handler', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'lambdaface-dev-shard');
    const error = inputError('bad chunk', { hint: 'shard the video again' });
    await expect(failing(error)({})).rejects.toBe(error);
    await expect(failing(error)({})).rejects.toBe(error);
    expect(error.message).toBe('bad chunk (what to do: shard the video again)');
  });

  it('leaves the message alone off Lambda (the CLI prints the hint on its own line) and for errors without a hint', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    const local = inputError('bad chunk', { hint: 'shard the video again' });
    await expect(failing(local)({})).rejects.toMatchObject({ message: 'bad chunk' });
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'lambdaface-dev-shard');
    const plain = new Error('socket hang up');
    await expect(failing(plain)({})).rejects.toMatchObject({ message: 'socket hang up' });
    const noHint = inputError('bad chunk');
    await expect(failing(noHint)({})).rejects.toMatchObject({ message: 'bad chunk' });
  });

  it('hands the step its result and the Lambda deadline', async () => {
    const handler = lambdaHandler(async (event, context) => ({ event, deadline: context.deadline !== undefined }));
    expect(await handler({ n: 1 })).toEqual({ event: { n: 1 }, deadline: false });
    expect(await handler({ n: 2 }, { getRemainingTimeInMillis: () => 60_000 })).toEqual({ event: { n: 2 }, deadline: true });
  });
});

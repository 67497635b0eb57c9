import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LambdafaceError } from '../../shared/errors.ts';
import { sfnStarter } from '../../shared/remote/start-execution.ts';
import { executionNameForJob } from '../../shared/workflow/execution-name.ts';
import { jobUploads, startJobsFromUploads } from '../../shared/workflow/start.ts';
import { awsError, objectBody, STATE_MACHINE_ARN } from './sdk-mocks.ts';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);

const BUCKET = 'lambdaface-dev-123456789012-eu-west-1';

function s3Event(key: string, eTag = 'etag-1', eventName = 'ObjectCreated:Put') {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'eu-west-1',
        eventTime: '2026-11-26T00:00:00.000Z',
        eventName,
        s3: { s3SchemaVersion: '1.0', bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` }, object: { key, size: 100, eTag, sequencer: '0A1B' } },
      },
    ],
  };
}

const JOB = {
  video: { key: './talk.mp4' },
  faces: [
    { name: 'ada', prefix: './ada/' },
    { name: 'grace', keys: ['./grace 1.jpg', 'uploads/shared/grace2.jpg'] },
  ],
  options: { sampleFps: 1 },
};

const logs: string[] = [];
const deps = () => ({
  s3: new S3Client({ region: 'eu-west-1' }),
  starter: sfnStarter(new SFNClient({ region: 'eu-west-1' }), STATE_MACHINE_ARN),
  log: (m: string) => logs.push(m),
});

beforeEach(() => {
  s3Mock.reset();
  sfnMock.reset();
  logs.length = 0;
  s3Mock.on(GetObjectCommand).resolves({ Body: objectBody(JSON.stringify(JOB)) });
  // The job's id (its execution's name) fingerprints the video's and photos' ETags.
  s3Mock.on(HeadObjectCommand).callsFake((input: { Key: string }) => ({ ETag: `"${input.Key.length}"` }));
  s3Mock.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({ Contents: [{ Key: `${input.Prefix}1.jpg` }], IsTruncated: false }));
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('start: S3 upload -> StartExecution', () => {
  it('validates the job file and starts the state machine with the completed job input', async () => {
    const outcome = await startJobsFromUploads(s3Event('uploads/talk+2024/job.json'), deps());

    expect(s3Mock.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({ Bucket: BUCKET, Key: 'uploads/talk 2024/job.json' });
    const calls = sfnMock.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    const sent = calls[0]!.args[0].input;
    expect(sent.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(sent.name).toMatch(/^j-[0-9a-f]{20}$/);
    const input = JSON.parse(sent.input!) as Record<string, unknown>;
    expect(input).toMatchObject({
      bucket: BUCKET,
      video: { key: 'uploads/talk 2024/talk.mp4' },
      faces: [
        { name: 'ada', prefix: 'uploads/talk 2024/ada/', keys: [] },
        { name: 'grace', keys: ['uploads/talk 2024/grace 1.jpg', 'uploads/shared/grace2.jpg'] },
      ],
      options: { sampleFps: 1, chunkSeconds: 60 },
    });
    expect(outcome.started).toEqual([
      {
        key: 'uploads/talk 2024/job.json',
        executionName: sent.name,
        executionArn: expect.stringContaining(`:execution:lambdaface-dev-face-search:${sent.name}`),
        alreadyStarted: false,
      },
    ]);
    expect(outcome.rejected).toEqual([]);
  });

  it('is idempotent: the same object delivered twice starts nothing new (ExecutionAlreadyExists is success)', async () => {
    const first = await startJobsFromUploads(s3Event('uploads/a/job.json'), deps());
    sfnMock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const second = await startJobsFromUploads(s3Event('uploads/a/job.json'), deps());

    const names = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
    expect(names).toHaveLength(2);
    expect(names[0]).toBe(names[1]);
    expect(second.started[0]).toMatchObject({ alreadyStarted: true, executionArn: first.started[0]!.executionArn });
    expect(logs.at(-1)).toMatch(/^already started /);
  });

  it('names the execution by the job: the same search uploaded again runs once, a changed photo is a new job', async () => {
    const first = await startJobsFromUploads(s3Event('uploads/a/job.json', 'etag-1'), deps());
    // The same job.json uploaded again (a new object version): the same job, the same name.
    const again = await startJobsFromUploads(s3Event('uploads/a/job.json', 'etag-2'), deps());
    s3Mock.on(HeadObjectCommand).callsFake((input: { Key: string }) => ({ ETag: input.Key.endsWith('grace 1.jpg') ? '"new photo"' : `"${input.Key.length}"` }));
    const changed = await startJobsFromUploads(s3Event('uploads/a/job.json', 'etag-2'), deps());
    const names = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
    expect(names[0]).toBe(names[1]);
    expect(names[2]).not.toBe(names[0]);
    expect([first, again, changed].map((outcome) => outcome.started[0]!.executionName)).toEqual(names);
  });

  it('names the execution by the deployed models too: a deploy with other models runs the same search again', async () => {
    await startJobsFromUploads(s3Event('uploads/a/job.json', 'etag-1'), { ...deps(), models: '0123456789abcdef' });
    await startJobsFromUploads(s3Event('uploads/a/job.json', 'etag-1'), { ...deps(), models: 'fedcba9876543210' });
    const [before, after] = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name!);
    expect(before).toMatch(/^j-[0-9a-f]{20}-m0123456789abcdef$/);
    expect(after).toBe(before!.replace('-m0123456789abcdef', '-mfedcba9876543210'));
  });

  it('fits a long job id in 80 characters, keeping its fingerprint and the models', () => {
    expect(executionNameForJob('j-0123456789abcdef0123')).toBe('j-0123456789abcdef0123');
    expect(executionNameForJob('j-0123456789abcdef0123', 'fedcba9876543210')).toBe('j-0123456789abcdef0123-mfedcba9876543210');
    const long = executionNameForJob(`${'talk-'.repeat(22)}0123456789abcdef`);
    expect(long).toHaveLength(80);
    expect(long).toMatch(/^talk-talk-[a-z-]+-0123456789abcdef$/);
    expect(long).not.toMatch(/--/);
    const withModels = executionNameForJob(`${'talk-'.repeat(22)}0123456789abcdef`, 'fedcba9876543210');
    expect(withModels.length).toBeLessThanOrEqual(80);
    expect(withModels).toMatch(/^talk-talk-[a-z-]+-0123456789abcdef-mfedcba9876543210$/);
    expect(withModels).not.toMatch(/--/);
  });

  it('rejects a job whose video is missing, without starting anything', async () => {
    s3Mock.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    const outcome = await startJobsFromUploads(s3Event('uploads/a/job.json'), deps());
    expect(outcome.rejected[0]!.error).toMatch(/video s3:\/\/.*uploads\/a\/talk\.mp4 does not exist or cannot be read/);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('ignores objects that are not job files and events that are not creations', async () => {
    expect(jobUploads(s3Event('uploads/a/talk.mp4'))).toEqual([]);
    expect(jobUploads(s3Event('jobs/x/job.json'))).toEqual([]);
    expect(jobUploads(s3Event('uploads/a/job.json', 'e', 'ObjectRemoved:Delete'))).toEqual([]);
    expect(jobUploads(s3Event('uploads/a/myjob.json'))).toEqual([]);
    const outcome = await startJobsFromUploads(s3Event('uploads/a/talk.mp4'), deps());
    expect(outcome).toEqual({ started: [], rejected: [] });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('rejects an invalid job file without starting anything or throwing (a retry would read the same bytes)', async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: objectBody(JSON.stringify({ video: { key: './v.mp4' }, faces: [{ name: 'ada' }] })) });
    const invalid = await startJobsFromUploads(s3Event('uploads/a/job.json'), deps());
    expect(invalid.started).toEqual([]);
    expect(invalid.rejected[0]!.error).toMatch(/InputError: invalid s3:\/\/.*uploads\/a\/job\.json: faces\.0: give the photos as "keys" or a "prefix"/);

    s3Mock.on(GetObjectCommand).resolves({ Body: objectBody('{ not json') });
    const broken = await startJobsFromUploads(s3Event('uploads/a/job.json'), deps());
    expect(broken.rejected[0]!.error).toMatch(/is not valid JSON/);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('rejects a job file over 256 KB from the size S3 states, dropping the body unread', async () => {
    const body = objectBody(JSON.stringify(JOB));
    s3Mock.on(GetObjectCommand).resolves({ ContentLength: 12_000_000, Body: body });
    const outcome = await startJobsFromUploads(s3Event('uploads/huge/job.json'), deps());
    expect(outcome.rejected[0]!.error).toMatch(/s3:\/\/.*uploads\/huge\/job\.json is 12,000,000 bytes; a job file may be at most 262,144 bytes/);
    expect((body as unknown as Readable).destroyed).toBe(true);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('rejects a malformed event', async () => {
    await expect(startJobsFromUploads({ hello: 'world' }, deps())).rejects.toMatchObject({ kind: 'InputError', message: expect.stringMatching(/invalid S3 event/) });
  });

  it.each([
    ['StateMachineDoesNotExist', 400, 'InputError', /no state machine arn:aws:states:eu-west-1:123456789012:stateMachine:lambdaface-dev-face-search/, /npx sls deploy/],
    ['AccessDeniedException', 400, 'WorkflowError', /AWS denied permission to start execution j-[0-9a-f]{20}/, /credentials in use/],
    ['ThrottlingException', 400, 'WorkflowError', /AWS kept throttling the request to start execution/, /try again/],
  ])('maps %s from StartExecution to a clear error and throws it (so S3 delivers again)', async (name, status, kind, message, hint) => {
    sfnMock.on(StartExecutionCommand).rejects(awsError(name, status));
    const error = await startJobsFromUploads(s3Event('uploads/a/job.json'), deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdafaceError);
    expect(error).toMatchObject({ kind, message: expect.stringMatching(message), hint: expect.stringMatching(hint) });
  });

  it('throws when the job file cannot be read (S3 access denied), rather than rejecting it', async () => {
    s3Mock.on(GetObjectCommand).rejects(awsError('AccessDenied', 403));
    await expect(startJobsFromUploads(s3Event('uploads/a/job.json'), deps())).rejects.toMatchObject({ kind: 'StorageError' });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('the Lambda handler reads the state machine ARN and the models from its environment', async () => {
    vi.stubEnv('LAMBDAFACE_STATE_MACHINE_ARN', STATE_MACHINE_ARN);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'lambdaface-dev-start');
    const { handler } = await import('../../functions/start/handler.ts');
    vi.stubEnv('LAMBDAFACE_MODELS', '0123456789abcdef');
    const outcome = await handler(s3Event('uploads/h/job.json'));
    expect(outcome.started).toHaveLength(1);
    const start = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(start.name).toMatch(/-m0123456789abcdef$/);
  });
});

describe('localStarter (lambdaface serve)', () => {
  it('runs each name once, in the background, and reports how it ended', async () => {
    const { localStarter } = await import('../../shared/workflow/local-starter.ts');
    const runs: string[] = [];
    const settled: string[] = [];
    let finish: () => void = () => undefined;
    const starter = localStarter(
      async (execution) => {
        runs.push(execution.name);
        await new Promise<void>((resolve) => (finish = resolve));
        return execution.input.bucket;
      },
      (execution, outcome) => settled.push(`${execution.name}:${outcome.ok ? String(outcome.value) : 'failed'}`),
    );
    const s3 = new S3Client({ region: 'eu-west-1' });
    const first = await startJobsFromUploads(s3Event('uploads/local/job.json'), { s3, starter, log: () => undefined });
    const again = await startJobsFromUploads(s3Event('uploads/local/job.json'), { s3, starter, log: () => undefined });
    expect(first.started[0]).toMatchObject({
      alreadyStarted: false,
      executionArn: expect.stringMatching(/^arn:aws:states:local:000000000000:execution:face-search:j-[0-9a-f]{20}$/),
    });
    expect(again.started[0]).toMatchObject({ alreadyStarted: true, executionArn: first.started[0]!.executionArn });
    expect(runs).toHaveLength(1);
    expect(starter.running.size).toBe(1);
    finish();
    await Promise.all(starter.running.values());
    expect(settled).toEqual([`${first.started[0]!.executionName}:${BUCKET}`]);
  });
});

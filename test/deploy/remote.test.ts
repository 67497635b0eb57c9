import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  ListStateMachinesCommand,
  ListTagsForResourceCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { LambdafaceError } from '../../shared/errors.ts';
import type { SearchProgress } from '../../shared/workflow/search-progress.ts';
import { searchRemote, type SearchRemoteOptions } from '../../shared/remote/index.ts';
import { awsError, objectBody, STATE_MACHINE_ARN } from './sdk-mocks.ts';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);

const BUCKET = 'lambdaface-dev-123456789012-eu-west-1';
const EXECUTION_PREFIX = STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:');
const MAP_RUN_ARN = 'arn:aws:states:eu-west-1:123456789012:mapRun:lambdaface-dev-face-search/RecognizeChunks:abc';
const CUT_MAP_RUN_ARN = 'arn:aws:states:eu-west-1:123456789012:mapRun:lambdaface-dev-face-search/CutPieces:def';
const JOB_ID = 'j-0123456789abcdef0123';
/** The models fingerprint the deployed stack's state machine is tagged with. */
const MODELS = '0123456789abcdef';
const PREFIX = `jobs/${JOB_ID}/`;

const OUTPUT = {
  jobId: JOB_ID,
  bucket: BUCKET,
  outputs: {
    timelineJson: `${PREFIX}timeline.json`,
    timelineCsv: `${PREFIX}timeline.csv`,
    timelineVtt: `${PREFIX}timeline.vtt`,
    report: `${PREFIX}report.html`,
    montage: `${PREFIX}montage.mp4`,
    thumbnails: [`${PREFIX}thumbnails/ada-0.jpg`],
  },
  identities: [{ name: 'ada', segments: 1, totalSeconds: 3, firstSeen: 1, lastSeen: 4 }],
  notFound: [],
  missingChunks: 0,
  videoDuration: 10,
};

let out: string;
const clients = () => ({
  sfn: new SFNClient({ region: 'eu-west-1' }),
  s3: new S3Client({ region: 'eu-west-1' }),
  sleep: vi.fn(async (_ms: number, _signal?: AbortSignal) => undefined),
});

const VIDEO = 'fixtures/videos/tiny_5frames.mp4';
const PHOTO = 'fixtures/faces/barack_obama/fr_obama.jpg';
const options = (extra: Partial<SearchRemoteOptions> = {}): SearchRemoteOptions => ({
  target: { stack: 'lambdaface-dev' },
  region: 'eu-west-1',
  video: VIDEO,
  faces: [{ name: 'ada', photos: [PHOTO] }],
  options: { sampleFps: 1 },
  out,
  pollIntervalMs: 1000,
  ...extra,
});

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'lambdaface-remote-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

beforeEach(() => {
  s3Mock.reset();
  sfnMock.reset();
  sfnMock
    .on(ListStateMachinesCommand)
    .resolvesOnce({
      stateMachines: [{ name: 'other-face-search', stateMachineArn: STATE_MACHINE_ARN.replace('lambdaface-dev', 'other'), type: 'STANDARD', creationDate: new Date() }],
      nextToken: 'page-2',
    })
    .resolves({
      stateMachines: [{ name: 'lambdaface-dev-face-search', stateMachineArn: STATE_MACHINE_ARN, type: 'STANDARD', creationDate: new Date() }],
    });
  sfnMock.on(ListTagsForResourceCommand, { resourceArn: STATE_MACHINE_ARN }).resolves({ tags: [{ key: 'lambdaface:models', value: MODELS }] });
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `${EXECUTION_PREFIX}:${input.name}`, startDate: new Date() }));
  sfnMock
    .on(DescribeExecutionCommand)
    .resolvesOnce({ status: 'RUNNING' })
    .resolvesOnce({ status: 'RUNNING' })
    .resolvesOnce({ status: 'RUNNING' })
    .resolves({ status: 'SUCCEEDED', output: JSON.stringify(OUTPUT) });
  sfnMock
    .on(ListMapRunsCommand)
    .resolvesOnce({ mapRuns: [] })
    .resolvesOnce({ mapRuns: [{ mapRunArn: MAP_RUN_ARN, executionArn: 'x', stateMachineArn: 'y', startDate: new Date() }] })
    // Once the montage's pieces are being cut, their map run is listed too (first: the newest).
    .resolves({
      mapRuns: [
        { mapRunArn: CUT_MAP_RUN_ARN, executionArn: 'x', stateMachineArn: 'y', startDate: new Date() },
        { mapRunArn: MAP_RUN_ARN, executionArn: 'x', stateMachineArn: 'y', startDate: new Date() },
      ],
    });
  sfnMock
    .on(DescribeMapRunCommand)
    .resolvesOnce({ status: 'RUNNING', itemCounts: { total: 10, succeeded: 2, failed: 1, running: 7, pending: 0, timedOut: 0, aborted: 0, resultsWritten: 0 } })
    .resolves({ status: 'SUCCEEDED', itemCounts: { total: 10, succeeded: 10, failed: 0, running: 0, pending: 0, timedOut: 0, aborted: 0, resultsWritten: 10 } });
  s3Mock.on(HeadBucketCommand).resolves({});
  // What was put is there: the job's id (the execution's name) fingerprints the uploads' ETags.
  const stored = new Set<string>();
  s3Mock.on(PutObjectCommand).callsFake((input: { Key: string }) => {
    stored.add(input.Key);
    return { ETag: '"e"' };
  });
  s3Mock.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    if (stored.has(input.Key)) return { ETag: '"e"' };
    throw awsError('NotFound', 404);
  });
  s3Mock.on(GetObjectCommand).callsFake((input: { Key: string }) => ({ Body: objectBody(`content of ${input.Key}`) }));
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('searchRemote', () => {
  it('finds the stack, uploads the inputs, starts, follows the map run and downloads the outputs', async () => {
    const progress: SearchProgress[] = [];
    const c = clients();
    const result = await searchRemote(options({ onProgress: (p) => progress.push(p) }), c);

    expect(result.target).toEqual({ stateMachineArn: STATE_MACHINE_ARN, bucket: BUCKET, region: 'eu-west-1' });
    expect(sfnMock.commandCalls(ListStateMachinesCommand).map((call) => call.args[0].input.nextToken)).toEqual([undefined, 'page-2']);

    const puts = s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((put) => put.Bucket)).toEqual([BUCKET, BUCKET]);
    const [videoKey, photoKey] = puts.map((put) => put.Key!);
    expect(videoKey).toMatch(/^uploads\/[0-9a-f]{32}\/tiny_5frames\.mp4$/);
    expect(photoKey).toMatch(/^uploads\/[0-9a-f]{32}\/fr_obama\.jpg$/);

    const start = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(start.name).toMatch(new RegExp(`^j-[0-9a-f]{20}-m${MODELS}$`));
    expect(JSON.parse(start.input!)).toMatchObject({
      bucket: BUCKET,
      video: { key: videoKey },
      faces: [{ name: 'ada', keys: [photoKey] }],
      options: { sampleFps: 1 },
    });

    // Progress follows the recognize map's run, not the montage's.
    expect(sfnMock.commandCalls(DescribeMapRunCommand).map((call) => call.args[0].input)).toEqual([{ mapRunArn: MAP_RUN_ARN }, { mapRunArn: MAP_RUN_ARN }]);
    expect(progress.map((p) => [p.phase, p.chunksDone, p.chunksTotal])).toEqual([
      ['upload', 0, 0],
      ['prepare', 0, 0],
      ['recognize', 3, 10],
      ['montage', 10, 10],
      ['download', 0, 0],
    ]);
    expect(c.sleep).toHaveBeenCalledWith(1000, undefined);

    const gets = s3Mock
      .commandCalls(GetObjectCommand)
      .map((call) => call.args[0].input.Key)
      .sort();
    expect(gets).toEqual([...Object.values(OUTPUT.outputs).flat()].sort());
    expect(result.files.map((file) => file.slice(out.length + 1)).sort()).toEqual([
      'montage.mp4',
      'report.html',
      'thumbnails/ada-0.jpg',
      'timeline.csv',
      'timeline.json',
      'timeline.vtt',
    ]);
    expect(await readFile(join(out, 'timeline.json'), 'utf-8')).toBe(`content of ${PREFIX}timeline.json`);
    expect(result).toMatchObject({ jobId: JOB_ID, attached: false, consoleUrl: expect.stringContaining('eu-west-1.console.aws.amazon.com/states') });
  });

  it('uploads nothing that is already there (content-addressed keys) and takes s3:// inputs as they are', async () => {
    // A stored copy is reused when it is whole: the same size as the local video.
    s3Mock.on(HeadObjectCommand).resolves({ ETag: '"e"', ContentLength: statSync(VIDEO).size });
    await searchRemote(options({ faces: [{ name: 'ada', photos: [`s3://${BUCKET}/uploads/photos/ada.jpg`] }] }), clients());
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!)).toMatchObject({ faces: [{ keys: ['uploads/photos/ada.jpg'] }] });
  });

  it("uses --state-machine and --bucket without listing, in the ARN's region", async () => {
    const { region: _unset, ...noRegion } = options({ target: { stateMachineArn: STATE_MACHINE_ARN, bucket: 'my-bucket' } });
    const result = await searchRemote(noRegion, clients());
    expect(sfnMock.commandCalls(ListStateMachinesCommand)).toHaveLength(0);
    expect(result.target).toEqual({ stateMachineArn: STATE_MACHINE_ARN, bucket: 'my-bucket', region: 'eu-west-1' });
  });

  it('names the execution by the deployed models too: after a deploy with other models the same search runs again', async () => {
    const nameWith = async (tags: { key: string; value: string }[]): Promise<string> => {
      sfnMock.on(ListTagsForResourceCommand).resolves({ tags });
      return (await searchRemote(options(), clients())).executionName;
    };
    const before = await nameWith([{ key: 'lambdaface:models', value: MODELS }]);
    const after = await nameWith([{ key: 'lambdaface:models', value: 'fedcba9876543210' }]);
    expect(after).not.toBe(before);
    expect(after.replace(/-m[0-9a-f]{16}$/, '')).toBe(before.replace(/-m[0-9a-f]{16}$/, ''));
    // A stack deployed before its state machine was tagged: named by the job alone, as it names them.
    expect(await nameWith([{ key: 'team', value: 'video' }])).toMatch(/^j-[0-9a-f]{20}$/);
  });

  it('refuses a models tag that is not a fingerprint, and says which permission reads it', async () => {
    sfnMock.on(ListTagsForResourceCommand).resolves({ tags: [{ key: 'lambdaface:models', value: 'latest' }] });
    await expect(searchRemote(options(), clients())).rejects.toThrow(/the state machine's tag lambdaface:models.*16 hex digits/);
    sfnMock.on(ListTagsForResourceCommand).rejects(awsError('AccessDeniedException', 400));
    const denied = await searchRemote(options(), clients()).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(LambdafaceError);
    expect((denied as LambdafaceError).message).toMatch(
      /AWS denied permission to read the tags of the state machine \(states:ListTagsForResource\), which say which models it runs/,
    );
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('keeps polling through throttling, backing off', async () => {
    sfnMock
      .on(DescribeExecutionCommand)
      .rejectsOnce(awsError('ThrottlingException', 400))
      .rejectsOnce(awsError('ThrottlingException', 400))
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify(OUTPUT) });
    const c = clients();
    await searchRemote(options(), c);
    expect(c.sleep.mock.calls.map((call) => call[0])).toEqual([2000, 4000]);
  });

  it("attaches to the job's existing execution (ExecutionAlreadyExists) and downloads its outputs", async () => {
    sfnMock.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists', 400));
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', output: JSON.stringify(OUTPUT) });
    const result = await searchRemote(options(), clients());
    expect(result).toMatchObject({ attached: true, jobId: JOB_ID, executionArn: `${EXECUTION_PREFIX}:${result.executionName}` });
    expect(result.executionName).toMatch(new RegExp(`^j-[0-9a-f]{20}-m${MODELS}$`));
    expect(result.files.map((file) => file.slice(out.length + 1))).toContain('report.html');
  });

  it("says to redrive when the job's existing execution failed, instead of starting it again", async () => {
    sfnMock.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists', 400));
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'States.TaskFailed' });
    const error = await searchRemote(options(), clients()).catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'WorkflowError',
      message: expect.stringMatching(new RegExp(`^this search already ran as ${EXECUTION_PREFIX}:j-[0-9a-f]{20}-m${MODELS} and ended FAILED; one job runs once$`)),
      hint: expect.stringMatching(new RegExp(`aws stepfunctions redrive-execution --execution-arn arn:aws:states:.*:j-[0-9a-f]{20}-m${MODELS}`)),
    });
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it("reports a failed execution with the step's own error and the console link", async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      error: 'InputError',
      cause: JSON.stringify({
        errorType: 'InputError',
        errorMessage: 'no face found in s3://b/uploads/x/fr_obama.jpg (reference photo of ada) (what to do: use a clearer photo)',
        trace: [],
      }),
    });
    const error = await searchRemote(options(), clients()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdafaceError);
    expect(error).toMatchObject({
      kind: 'InputError',
      message: expect.stringMatching(/^the search failed on AWS: InputError: no face found in .*fr_obama\.jpg/),
      hint: expect.stringContaining(`#/v2/executions/details/${EXECUTION_PREFIX}:j-`),
    });
  });

  it.each([
    [
      'StateMachineDoesNotExist on StartExecution',
      () => sfnMock.on(StartExecutionCommand).rejects(awsError('StateMachineDoesNotExist', 400)),
      { kind: 'InputError', message: /no state machine arn:aws:states:eu-west-1/, hint: /npx sls deploy/ },
    ],
    [
      'AccessDenied on the bucket',
      () => s3Mock.on(HeadBucketCommand).rejects(awsError('Forbidden', 403)),
      { kind: 'StorageError', message: /AWS denied permission to use the stack bucket \(s3:\/\/lambdaface-dev-123456789012-eu-west-1\/\)/, hint: /credentials in use/ },
    ],
    [
      'a missing bucket',
      () => s3Mock.on(HeadBucketCommand).rejects(awsError('NotFound', 404)),
      { kind: 'InputError', message: /bucket lambdaface-dev-123456789012-eu-west-1 does not exist/, hint: /--stack/ },
    ],
    [
      'AccessDeniedException on ListStateMachines',
      () => sfnMock.on(ListStateMachinesCommand).rejects(awsError('AccessDeniedException', 400)),
      { kind: 'WorkflowError', message: /AWS denied permission to list state machines to find stack lambdaface-dev/, hint: /docs\/deploy\.md/ },
    ],
    [
      'expired credentials',
      () => sfnMock.on(ListStateMachinesCommand).rejects(awsError('ExpiredTokenException', 400)),
      { kind: 'InputError', message: /AWS did not accept the credentials/, hint: /aws sso login/ },
    ],
    [
      'throttling that outlasts the SDK retries on StartExecution',
      () => sfnMock.on(StartExecutionCommand).rejects(awsError('ThrottlingException', 400)),
      { kind: 'WorkflowError', message: /AWS kept throttling the request to start execution j-[0-9a-f]{20}/, hint: /try again/ },
    ],
    [
      'a stack that is not deployed',
      () => sfnMock.on(ListStateMachinesCommand).resolves({ stateMachines: [] }),
      { kind: 'InputError', message: /no state machine named lambdaface-dev-face-search in eu-west-1/, hint: /sls deploy/ },
    ],
  ])('maps %s to a clear error', async (_what, arrange, expected) => {
    arrange();
    const error = await searchRemote(options(), clients()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdafaceError);
    const { kind, message, hint } = error as LambdafaceError;
    expect(kind).toBe(expected.kind);
    expect(message).toMatch(expected.message);
    expect(hint).toMatch(expected.hint);
  });

  it('refuses s3:// inputs the functions may not read', async () => {
    await expect(searchRemote(options({ video: 's3://elsewhere/uploads/v.mp4' }), clients())).rejects.toMatchObject({
      kind: 'InputError',
      message: expect.stringMatching(/is in bucket elsewhere/),
    });
    await expect(searchRemote(options({ video: `s3://${BUCKET}/videos/v.mp4` }), clients())).rejects.toMatchObject({
      kind: 'InputError',
      message: expect.stringMatching(/is not under uploads\//),
    });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('says so when no AWS credentials are configured', async () => {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) {
      vi.stubEnv(name, '');
    }
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    await expect(searchRemote(options())).rejects.toMatchObject({ kind: 'InputError', message: 'no AWS credentials found for --remote' });
  });
});

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchOptions } from '../../shared/config/options.ts';
import { forEachState, type AslDefinition, type AslState } from '../../shared/local/asl.ts';
import { aslProblems } from '../../shared/local/asl-problems.ts';
import { jobKeys } from '../../shared/storage/keys.ts';
import { MODEL_NAMES, MODELS, MODELS_MANIFEST } from '../../shared/vision/models.ts';
import { MODELS_TAG } from '../../shared/remote/target.ts';
import { LAYER_NAMES, PROJECT_DIR } from '../../tools/deploy/build-layers.ts';
import { formatSizes, LAMBDA_UNZIPPED_LIMIT_BYTES } from '../../tools/deploy/package-sizes.ts';
import { packageService, type PackageResult } from '../../tools/deploy/package-service.ts';
import { extractZip, zipEntries } from '../../tools/deploy/zip-reader.ts';
import { dependencyGraph, findCycle, isObject, policyStatements, readTemplate, resource, resourceString, roleGrants, type Json, type Template } from './template-helpers.ts';

const run = promisify(execFile);

/**
 * `npm run package` once (models, layers, `sls package` with no credentials and, where possible,
 * no network), then everything is checked on what it wrote: the CloudFormation template, the zips,
 * and the zips' contents run in a folder laid out like a Lambda (/var/task + /opt).
 */
let result: PackageResult;
let template: Template;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-deploy-'));
  result = await packageService({
    arch: 'x86_64',
    packageDir: join(work, 'package'),
    isolateNetwork: true,
    withoutCredentials: true,
    quiet: true,
  });
  template = readTemplate(result.templatePath);
  console.log(`sls package: ${result.packageSeconds.toFixed(1)} s, network isolated: ${result.networkIsolated}\n${formatSizes(result.sizes)}`);
}, 240_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const STACK = 'lambdaface-dev';
const BUCKET_ARN = 'arn:${AWS::Partition}:s3:::lambdaface-dev-${AWS::AccountId}-${AWS::Region}';
const MACHINE = `${STACK}-face-search`;
const MACHINE_ARN = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${MACHINE}`;

const FUNCTIONS = {
  train: { memory: 2048, timeout: 300, layers: ['OnnxLambdaLayer'] },
  shard: { memory: 512, timeout: 120, layers: ['FfprobeLambdaLayer'] },
  recognize: { memory: 2048, timeout: 900, layers: ['FfmpegLambdaLayer', 'OnnxLambdaLayer'] },
  montage: { memory: 3008, timeout: 900, layers: ['FfmpegLambdaLayer', 'FfprobeLambdaLayer'] },
  cut: { memory: 2048, timeout: 300, layers: ['FfmpegLambdaLayer', 'FfprobeLambdaLayer'] },
  join: { memory: 1769, timeout: 600, layers: ['FfmpegLambdaLayer', 'FfprobeLambdaLayer'] },
  start: { memory: 256, timeout: 30, layers: [] },
} as const;
type FunctionName = keyof typeof FUNCTIONS;
const NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const logicalId = (name: string): string => `${name[0]!.toUpperCase()}${name.slice(1)}`;

describe('npm run package', () => {
  it('ran sls package without credentials', () => {
    expect(result.templatePath).toContain(result.packageDir);
    expect(Object.keys(template.Resources).length).toBeGreaterThan(10);
    // The Framework's own ${...} sources are all resolved; only CloudFormation's and the ASL's remain.
    const text = JSON.stringify(template);
    expect(text).not.toMatch(/\$\{(self|param|sls|opt|env|file|cf|aws):/);
  });

  it('built every layer for x86_64 and every function fits in 250 MB unzipped, with 20% to spare', () => {
    expect(result.layers.map((layer) => [layer.layer, layer.arch])).toEqual(LAYER_NAMES.map((name) => [name, 'x86_64']));
    expect(result.sizes.map((size) => size.name).sort()).toEqual([...NAMES].sort());
    for (const size of result.sizes) {
      expect(size.limitBytes).toBe(LAMBDA_UNZIPPED_LIMIT_BYTES);
      // Headroom for a newer ffmpeg or model: the largest (recognize) was 238 MB with ffprobe in it.
      expect(size.totalBytes, `${size.name}: ${formatSizes([size])}`).toBeLessThanOrEqual(0.8 * LAMBDA_UNZIPPED_LIMIT_BYTES);
      expect(size.fits).toBe(true);
    }
  });
});

describe('state machine', () => {
  const machine = () => resource(template, 'FaceSearchStateMachine');

  it('is the one definition file, with the real function ARNs substituted by CloudFormation', async () => {
    const { Properties } = machine();
    expect(Properties['StateMachineName']).toBe(MACHINE);
    expect(Properties['StateMachineType']).toBe('STANDARD');
    const definitionString = Properties['DefinitionString'];
    expect(typeof definitionString).toBe('string');
    const fromFile: unknown = JSON.parse(await readFile(join(PROJECT_DIR, 'statemachine/face-search.asl.json'), 'utf-8'));
    const deployed = JSON.parse(definitionString as string) as AslDefinition;
    expect(deployed).toEqual(fromFile);
    expect(aslProblems(deployed)).toEqual([]);

    const substitutions = Properties['DefinitionSubstitutions'];
    expect(isObject(substitutions)).toBe(true);
    const placeholders = [...new Set([...(definitionString as string).matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!))].sort();
    expect(placeholders).toEqual(['CutFunctionArn', 'JoinFunctionArn', 'MontageFunctionArn', 'RecognizeFunctionArn', 'ShardFunctionArn', 'TrainFunctionArn']);
    expect(Object.keys(substitutions as object).sort()).toEqual(placeholders);
    for (const placeholder of placeholders) {
      const target = `${placeholder.replace(/FunctionArn$/, '')}LambdaFunction`;
      expect((substitutions as Record<string, Json>)[placeholder]).toEqual({ 'Fn::GetAtt': [target, 'Arn'] });
      expect(resource(template, target).Type).toBe('AWS::Lambda::Function');
    }
  });

  it.each(['RecognizeChunks', 'CutPieces'])('has the Distributed Map %s with ItemReader and ResultWriter', (name) => {
    const definition = JSON.parse(machine().Properties['DefinitionString'] as string) as { States: Record<string, Record<string, Json>> };
    const map = definition.States[name]!;
    expect(map['Type']).toBe('Map');
    expect(map['Label']).toBe(name);
    expect(map['ItemProcessor']).toMatchObject({ ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } });
    expect(map['ItemReader']).toMatchObject({ Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' } });
    expect(map['ResultWriter']).toMatchObject({ Resource: 'arn:aws:states:::s3:putObject' });
  });

  it('runs under its own role: invoke the steps, run its own children, read the item lists, write results', () => {
    expect(machine().Properties['RoleArn']).toEqual({ 'Fn::GetAtt': ['FaceSearchStateMachineRole', 'Arn'] });
    const role = resource(template, 'FaceSearchStateMachineRole');
    expect(JSON.stringify(role.Properties['AssumeRolePolicyDocument'])).toContain('states.amazonaws.com');
    const grants = roleGrants(role);
    expect(grants.every((grant) => grant.effect === 'Allow')).toBe(true);
    const byAction = (action: string) =>
      grants
        .filter((grant) => grant.action === action)
        .map((grant) => grant.resource)
        .sort();
    const steps = ['Cut', 'Join', 'Montage', 'Recognize', 'Shard', 'Train'];
    expect(byAction('lambda:InvokeFunction')).toEqual([...steps.map((s) => `GetAtt:${s}LambdaFunction.Arn`), ...steps.map((s) => `GetAtt:${s}LambdaFunction.Arn:*`)].sort());
    expect(byAction('states:StartExecution')).toEqual([MACHINE_ARN]);
    const executions = [`${MACHINE_ARN.replace(':stateMachine:', ':execution:')}/*`, `${MACHINE_ARN.replace(':stateMachine:', ':execution:')}:*`].sort();
    expect(byAction('states:DescribeExecution')).toEqual(executions);
    expect(byAction('states:StopExecution')).toEqual(executions);
    expect(byAction('s3:GetObject')).toEqual([
      `${BUCKET_ARN}/intermediate/*/chunks.json`,
      `${BUCKET_ARN}/intermediate/*/montage/pieces.json`,
      `${BUCKET_ARN}/intermediate/*/results/*`,
    ]);
    for (const action of ['s3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload']) {
      expect(byAction(action)).toEqual([`${BUCKET_ARN}/intermediate/*/results/*`]);
    }
    // Redriving a failed execution redrives the Map Run's failed children: executions <machine>/<Label>:<id>.
    expect(byAction('states:RedriveExecution')).toEqual(['CutPieces', 'RecognizeChunks'].map((label) => `${MACHINE_ARN.replace(':stateMachine:', ':execution:')}/${label}:*`));
    // Log delivery takes no resource-level permissions: these, and only these, are on "*".
    const LOG_DELIVERY = [
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
    ];
    expect(
      grants
        .filter((grant) => grant.resource === '*')
        .map((grant) => grant.action)
        .sort(),
    ).toEqual(LOG_DELIVERY);
    expect(new Set(grants.map((grant) => grant.action)).size).toBe(9 + LOG_DELIVERY.length);
  });
});

describe('functions', () => {
  it.each(NAMES)('%s: nodejs22.x ESM bundle, its memory, timeout, layers and own role', (name) => {
    const expected = FUNCTIONS[name];
    const fn = resource(template, `${logicalId(name)}LambdaFunction`);
    const p = fn.Properties;
    expect(p['Runtime']).toBe('nodejs22.x');
    expect(p['Architectures']).toEqual(['x86_64']);
    expect(p['Handler']).toBe(`functions/${name}/handler.handler`);
    expect(p['MemorySize']).toBe(expected.memory);
    expect(p['Timeout']).toBe(expected.timeout);
    expect(p['Layers'] ?? []).toEqual(expected.layers.map((layer) => ({ Ref: layer })));
    expect(p['Role']).toEqual({ 'Fn::GetAtt': [`${logicalId(name)}Role`, 'Arn'] });
    expect((p['Environment'] as { Variables: Record<string, Json> }).Variables['LAMBDAFACE_MODEL_DIR']).toBe('/opt/models');
  });

  it('recognize sets its ONNX threads, start knows the state machine', () => {
    const env = (name: string) => (resource(template, `${name}LambdaFunction`).Properties['Environment'] as { Variables: Record<string, Json> }).Variables;
    expect(env('Recognize')['LAMBDAFACE_THREADS']).toBe('1');
    expect(env('Start')['LAMBDAFACE_STATE_MACHINE_ARN']).toEqual({ Ref: 'FaceSearchStateMachine' });
  });

  it('names the models the layer holds to the start function and on the state machine, which name executions with them', async () => {
    // Worked out here from the models' manifest, as shared/vision/models.ts does, not taken from its cache.
    const manifest = JSON.parse(await readFile(join(PROJECT_DIR, 'layers', 'onnx', 'models', MODELS_MANIFEST), 'utf-8')) as { models: Record<string, { sha256: string }> };
    const models = createHash('sha256')
      .update(MODEL_NAMES.map((name) => manifest.models[name]!.sha256).join('\n'))
      .digest('hex')
      .slice(0, 16);
    expect(result.layers.find((layer) => layer.layer === 'onnx')!.modelsFingerprint).toBe(models);
    const start = resource(template, 'StartLambdaFunction').Properties['Environment'] as { Variables: Record<string, Json> };
    expect(start.Variables['LAMBDAFACE_MODELS']).toBe(models);
    expect(resource(template, 'FaceSearchStateMachine').Properties['Tags']).toContainEqual({ Key: MODELS_TAG, Value: models });
  });

  it('has no shared default role', () => {
    expect(template.Resources['IamRoleLambdaExecution']).toBeUndefined();
    const roles = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role')
      .map(([id]) => id)
      .sort();
    expect(roles).toEqual([...NAMES.map((name) => `${logicalId(name)}Role`), 'FaceSearchStateMachineRole'].sort());
  });

  const MONTAGE_WRITES = [
    '/intermediate/*/montage/*',
    '/intermediate/*/unknown-people.json',
    '/jobs/*/chapters.ffmetadata',
    '/jobs/*/chapters.vtt',
    '/jobs/*/report.html',
    '/jobs/*/thumbnails/*',
    '/jobs/*/timeline.csv',
    '/jobs/*/timeline.edl',
    '/jobs/*/timeline.json',
    '/jobs/*/timeline.vtt',
  ];
  const JOIN_WRITES = ['/jobs/*/montage.mp4', '/jobs/*/report.html'];
  const S3_GRANTS: Record<FunctionName, Record<string, string[]>> = {
    train: {
      's3:ListBucket': [''],
      's3:GetObject': ['/intermediate/*/gallery.json', '/intermediate/*/unknown-people.json', '/intermediate/enrolments/*', '/uploads/*'],
      's3:PutObject': ['/intermediate/*/gallery.json', '/intermediate/enrolments/*'],
    },
    shard: {
      's3:ListBucket': [''],
      's3:GetObject': ['/intermediate/*/job.json', '/intermediate/*/unknown-people.json', '/uploads/*'],
      's3:PutObject': ['/intermediate/*/chunks.json', '/intermediate/*/job.json'],
    },
    recognize: {
      's3:ListBucket': [''],
      's3:GetObject': ['/intermediate/*/chunks/*', '/intermediate/*/gallery.json', '/intermediate/*/job.json', '/uploads/*'],
      's3:PutObject': ['/intermediate/*/chunks/*'],
    },
    montage: {
      's3:ListBucket': [''],
      's3:GetObject': ['/intermediate/*/chunks.json', '/intermediate/*/chunks/*', '/intermediate/*/gallery.json', '/intermediate/*/job.json', '/uploads/*'],
      's3:PutObject': MONTAGE_WRITES,
    },
    cut: {
      's3:ListBucket': [''],
      's3:GetObject': ['/intermediate/*/clips/*', '/uploads/*'],
      's3:PutObject': ['/intermediate/*/clips/*'],
    },
    join: {
      's3:ListBucket': [''],
      's3:GetObject': ['/intermediate/*/clips/*', '/intermediate/*/montage/*', '/intermediate/*/results/*'],
      's3:PutObject': JOIN_WRITES,
      's3:AbortMultipartUpload': JOIN_WRITES,
    },
    start: { 's3:ListBucket': [''], 's3:GetObject': ['/intermediate/*/unknown-people.json', '/uploads/*'] },
  };

  it.each(NAMES)('%s role: only its logs, its S3 prefixes and (start) StartExecution', (name) => {
    const role = resource(template, `${logicalId(name)}Role`);
    expect(JSON.stringify(role.Properties['AssumeRolePolicyDocument'])).toContain('lambda.amazonaws.com');
    const grants = roleGrants(role);
    expect(grants.every((grant) => grant.effect === 'Allow')).toBe(true);
    expect(grants.some((grant) => grant.action.includes('*') || grant.resource === '*')).toBe(false);
    const logs = grants.filter((grant) => grant.action.startsWith('logs:'));
    expect(logs.map((grant) => grant.action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(new Set(logs.map((grant) => grant.resource))).toEqual(new Set([`GetAtt:${logicalId(name)}LogGroup.Arn`]));

    const s3: Record<string, string[]> = {};
    for (const grant of grants.filter((g) => g.action.startsWith('s3:'))) {
      expect(grant.resource.startsWith(BUCKET_ARN)).toBe(true);
      (s3[grant.action] ??= []).push(grant.resource.slice(BUCKET_ARN.length));
    }
    for (const list of Object.values(s3)) list.sort();
    expect(s3).toEqual(S3_GRANTS[name]);

    const other = grants.filter((grant) => !grant.action.startsWith('logs:') && !grant.action.startsWith('s3:'));
    expect(other).toEqual(
      name === 'start'
        ? [
            { effect: 'Allow', action: 'states:StartExecution', resource: MACHINE_ARN },
            { effect: 'Allow', action: 'sqs:SendMessage', resource: 'GetAtt:StartFailuresQueue.Arn' },
          ]
        : [],
    );
  });

  const LISTED_PREFIXES: Record<FunctionName, string[]> = {
    train: ['intermediate/*', 'uploads/*'],
    shard: ['intermediate/*', 'uploads/*'],
    recognize: ['intermediate/*', 'uploads/*'],
    montage: ['intermediate/*', 'jobs/*', 'uploads/*'],
    cut: ['intermediate/*', 'uploads/*'],
    join: ['intermediate/*'],
    start: ['intermediate/*', 'uploads/*'],
  };

  it.each(NAMES)('%s role lists the bucket only under the prefixes it reads', (name) => {
    const statements = policyStatements(resource(template, `${logicalId(name)}Role`)).filter((statement) => statement['Action'] === 's3:ListBucket');
    const prefixes = statements.flatMap((statement) => {
      const condition = statement['Condition'] as { StringLike?: { 's3:prefix'?: string[] } } | undefined;
      expect(condition?.StringLike?.['s3:prefix'], `${name}: ListBucket without an s3:prefix condition`).toBeDefined();
      return condition!.StringLike!['s3:prefix']!;
    });
    expect(prefixes.sort()).toEqual(LISTED_PREFIXES[name]);
  });

  it('gives recognize no reserved concurrency unless asked (--param recognizeReservedConcurrency=N)', () => {
    expect(resource(template, 'RecognizeLambdaFunction').Properties['ReservedConcurrentExecutions']).toEqual({
      'Fn::If': ['ReserveRecognizeConcurrency', 0, { Ref: 'AWS::NoValue' }],
    });
    expect(template.Conditions['ReserveRecognizeConcurrency']).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['reserve-0', 'reserve-0'] }] });
  });
});

describe('bucket and upload trigger', () => {
  const bucket = () => resource(template, 'DataBucket');

  it('is encrypted, private, TLS-only and kept when the stack goes (but not when the stack creating it fails)', () => {
    const p = bucket().Properties;
    expect(p['BucketName']).toEqual({ 'Fn::Sub': 'lambdaface-dev-${AWS::AccountId}-${AWS::Region}' });
    expect(['AES256', 'aws:kms']).toContain(
      (p['BucketEncryption'] as { ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { SSEAlgorithm: string } }[] }).ServerSideEncryptionConfiguration[0]!
        .ServerSideEncryptionByDefault.SSEAlgorithm,
    );
    expect(p['PublicAccessBlockConfiguration']).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket().DeletionPolicy).toBe('RetainExceptOnCreate');

    const policy = resource(template, 'DataBucketPolicy').Properties;
    expect(policy['Bucket']).toEqual({ Ref: 'DataBucket' });
    const statements = (policy['PolicyDocument'] as { Statement: Record<string, Json>[] }).Statement;
    const tls = statements.find((s) => JSON.stringify(s['Condition']) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }));
    expect(tls).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*' });
    expect((tls!['Resource'] as Json[]).map(resourceString).sort()).toEqual([BUCKET_ARN, `${BUCKET_ARN}/*`]);
  });

  it('expires inputs, intermediates and results by prefix, each after its own days (serverless params)', () => {
    const rules = (bucket().Properties['LifecycleConfiguration'] as { Rules: Record<string, Json>[] }).Rules;
    const expiry = Object.fromEntries(rules.filter((rule) => rule['ExpirationInDays'] !== undefined).map((rule) => [rule['Prefix'] as string, rule['ExpirationInDays']]));
    expect(expiry).toEqual({ 'uploads/': 14, 'intermediate/': 14, 'jobs/': 30 });
    for (const rule of rules) {
      expect(rule['Status']).toBe('Enabled');
      // A tag filter matches only objects someone tags: every rule is by prefix.
      expect(rule['TagFilters']).toBeUndefined();
    }
    // Every key a job writes falls under one of the expiring prefixes.
    const keys = jobKeys('j-1');
    for (const key of [
      keys.gallery,
      keys.chunks,
      keys.chunkFaces(0),
      keys.montagePieces,
      keys.montageReport,
      keys.clip('0123abcd'),
      `${keys.results}/run/manifest.json`,
      keys.timelineJson,
      keys.montage,
      keys.report,
      keys.thumbnail('a.jpg'),
    ]) {
      expect(
        Object.keys(expiry).some((prefix) => key.startsWith(prefix)),
        key,
      ).toBe(true);
    }
    expect(rules.find((rule) => rule['AbortIncompleteMultipartUpload'] !== undefined)).toMatchObject({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } });
  });

  it('sends uploads/**/job.json to the start function, which S3 may invoke', () => {
    const notifications = (bucket().Properties['NotificationConfiguration'] as { LambdaConfigurations: Record<string, Json>[] }).LambdaConfigurations;
    expect(notifications).toEqual([
      {
        Event: 's3:ObjectCreated:*',
        Filter: {
          S3Key: {
            Rules: [
              { Name: 'prefix', Value: 'uploads/' },
              { Name: 'suffix', Value: 'job.json' },
            ],
          },
        },
        Function: { 'Fn::GetAtt': ['StartLambdaFunction', 'Arn'] },
      },
    ]);
    const permission = resource(template, 'StartS3InvokePermission');
    expect(permission.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': ['StartLambdaFunction', 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    expect(resourceString(permission.Properties['SourceArn']!)).toBe(BUCKET_ARN);
    expect(bucket().DependsOn).toContain('StartS3InvokePermission');
  });

  it('has no dependency cycle (bucket -> notification -> function -> role -> bucket)', () => {
    expect(findCycle(dependencyGraph(template))).toBeUndefined();
  });
});

describe('bounds and failure paths', () => {
  const definition = () => JSON.parse(resource(template, 'FaceSearchStateMachine').Properties['DefinitionString'] as string) as AslDefinition;
  const tasks = (): Map<string, AslState> => {
    const found = new Map<string, AslState>();
    forEachState(definition(), (name, state) => {
      if (state.Type === 'Task') found.set(name, state);
    });
    return found;
  };

  it("gives every Task state more time than its function's timeout, so a timed-out function is a retried Lambda error", () => {
    expect([...tasks().keys()].sort()).toEqual(['Cut', 'Join', 'Montage', 'Recognize', 'Shard', 'Train']);
    for (const [name, task] of tasks()) {
      const timeout = resource(template, `${name}LambdaFunction`).Properties['Timeout'] as number;
      expect(task.TimeoutSeconds, name).toBeGreaterThan(timeout);
      expect(
        (task.Retry as { ErrorEquals: string[] }[]).some((retry) => retry.ErrorEquals.includes('States.Timeout')),
        name,
      ).toBe(true);
    }
  });

  it('catches nothing into Fail states, so a failed execution can be redriven from the failing step', () => {
    forEachState(definition(), (name, state) => {
      expect(state.Type, name).not.toBe('Fail');
      expect(state.Catch, name).toBeUndefined();
    });
  });

  it('bounds the maps by the job options, whose default is finite and inside the default account quota', () => {
    const map = definition().States['RecognizeChunks']!;
    expect(map['MaxConcurrencyPath']).toBe('$.job.options.maxConcurrency');
    expect(map['ToleratedFailurePercentagePath']).toBe('$.job.options.toleratedFailurePercentage');
    // The montage's pieces: as many at once as the job allows (Montage hands on its maxConcurrency).
    expect(definition().States['CutPieces']!['MaxConcurrencyPath']).toBe('$.montage.maxConcurrency');
    const defaults = SearchOptions.parse({});
    expect(defaults.maxConcurrency).toBeGreaterThan(0);
    expect(defaults.maxConcurrency).toBeLessThan(1000);
    expect(defaults.toleratedFailurePercentage).toBeGreaterThan(0);
  });

  it('logs failed executions at ERROR, without execution data, to its own log group', () => {
    expect(resource(template, 'FaceSearchStateMachine').Properties['LoggingConfiguration']).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['FaceSearchLogGroup', 'Arn'] } } }],
    });
    const group = resource(template, 'FaceSearchLogGroup').Properties;
    expect(group['LogGroupName']).toBe(`/aws/vendedlogs/states/${MACHINE}`);
    expect(group['RetentionInDays']).toBeGreaterThan(0);
  });

  it('sends an upload event start gave up on to an encrypted queue instead of dropping it', () => {
    const config = resource(template, 'StartInvokeConfig');
    expect(config.Type).toBe('AWS::Lambda::EventInvokeConfig');
    expect(config.Properties).toMatchObject({
      FunctionName: { Ref: 'StartLambdaFunction' },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['StartFailuresQueue', 'Arn'] } } },
    });
    const queue = resource(template, 'StartFailuresQueue');
    expect(queue.Type).toBe('AWS::SQS::Queue');
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it('alarms to one SNS topic on failed and timed-out executions, throttled recognize workers and failed uploads', () => {
    const alarms = Object.fromEntries(
      Object.values(template.Resources)
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
        .map((r) => [`${r.Properties['Namespace']}/${r.Properties['MetricName']}`, r.Properties]),
    );
    expect(Object.keys(alarms).sort()).toEqual([
      'AWS/Lambda/Throttles',
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
      'AWS/States/ExecutionsFailed',
      'AWS/States/ExecutionsTimedOut',
    ]);
    for (const alarm of Object.values(alarms)) expect(alarm['AlarmActions']).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(alarms['AWS/States/ExecutionsFailed']!['Dimensions']).toEqual([{ Name: 'StateMachineArn', Value: { Ref: 'FaceSearchStateMachine' } }]);
    expect(alarms['AWS/Lambda/Throttles']!['Dimensions']).toEqual([{ Name: 'FunctionName', Value: { Ref: 'RecognizeLambdaFunction' } }]);
    expect(resource(template, 'AlarmTopic').Type).toBe('AWS::SNS::Topic');
    expect(template.Outputs['AlarmTopicArn']!.Value).toEqual({ Ref: 'AlarmTopic' });
  });
});

describe('artifacts run as on Lambda', () => {
  /** /opt as Lambda mounts it: every layer unpacked from the packaged zips. */
  let opt: string;

  beforeAll(async () => {
    opt = join(work, 'opt');
    for (const layer of LAYER_NAMES) await extractZip(join(result.packageDir, `${layer}.zip`), opt);
  }, 60_000);

  it("layer zips keep ffmpeg and ffprobe executable for Lambda's sandbox user, each in its own layer", async () => {
    for (const tool of ['ffmpeg', 'ffprobe']) {
      const entries = await zipEntries(join(result.packageDir, `${tool}.zip`));
      expect(entries.filter((entry) => entry.name.startsWith('bin/')).map((entry) => [entry.name, entry.mode])).toEqual([[`bin/${tool}`, 0o755]]);
      expect(entries.some((entry) => entry.name === 'layer-manifest.json')).toBe(false);
    }
  });

  it('the packaged ffmpeg runs and decodes the sample; ffprobe reads it; both speak HTTPS', async () => {
    const version = await run(join(opt, 'bin/ffmpeg'), ['-hide_banner', '-version']);
    expect(version.stdout).toMatch(/^ffmpeg version/);
    const video = join(PROJECT_DIR, 'fixtures/videos/hamilton_short.mp4');
    const decoded = await run(join(opt, 'bin/ffmpeg'), ['-v', 'error', '-i', video, '-vf', 'scale=32:18,format=gray', '-f', 'rawvideo', '-'], {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    });
    const frames = decoded.stdout.length / (32 * 18);
    expect(Number.isInteger(frames)).toBe(true);
    expect(frames).toBeGreaterThan(250); // ~10 s at 29.97 fps
    const probe = await run(join(opt, 'bin/ffprobe'), ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', video]);
    expect(Number(probe.stdout.trim())).toBeCloseTo(10.02, 1);
    // On Lambda both read the video over a presigned HTTPS URL, and the montage draws name labels.
    for (const tool of ['ffmpeg', 'ffprobe']) {
      expect((await run(join(opt, 'bin', tool), ['-hide_banner', '-protocols'])).stdout).toMatch(/^\s+https$/m);
    }
    expect((await run(join(opt, 'bin/ffmpeg'), ['-hide_banner', '-filters'])).stdout).toMatch(/ drawtext /);
  });

  it('the packaged onnxruntime loads and runs every packaged model; sharp decodes a photo', async () => {
    // A /var/task whose node_modules is the layer's: nothing can be found in the repo's.
    const task = join(work, 'task-ort');
    await extractZip(join(result.packageDir, 'start.zip'), task);
    await symlink(join(opt, 'nodejs/node_modules'), join(task, 'node_modules'));
    const models = MODEL_NAMES.map((name) => ({ file: join(opt, 'models', MODELS[name].file), input: MODELS[name].input.name, size: MODELS[name].input.shape[1] }));
    const photo = join(PROJECT_DIR, 'fixtures/faces/barack_obama/fr_obama.jpg');
    const script = `
      import ort from 'onnxruntime-node';
      import sharp from 'sharp';
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const out = { ort: require.resolve('onnxruntime-node'), sharp: require.resolve('sharp'), models: [] };
      for (const m of ${JSON.stringify(models)}) {
        const session = await ort.InferenceSession.create(m.file, { intraOpNumThreads: 1 });
        const tensor = new ort.Tensor('float32', new Float32Array(m.size * m.size * 3), [1, m.size, m.size, 3]);
        const result = await session.run({ [m.input]: tensor });
        out.models.push({ file: m.file, outputs: Object.keys(result).length });
      }
      const meta = await sharp(${JSON.stringify(photo)}).metadata();
      out.photo = [meta.width, meta.height];
      console.log(JSON.stringify(out));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: task });
    const out = JSON.parse(stdout) as { ort: string; sharp: string; models: { outputs: number }[]; photo: number[] };
    expect(out.ort.startsWith(opt)).toBe(true);
    expect(out.sharp.startsWith(opt)).toBe(true);
    expect(out.models).toHaveLength(MODEL_NAMES.length);
    for (const model of out.models) expect(model.outputs).toBeGreaterThan(0);
    expect(out.photo.every((side) => side > 0)).toBe(true);
  });

  it.each(NAMES)('%s: the packaged bundle loads with only its own layers', async (name) => {
    const task = join(work, `task-${name}`);
    await extractZip(join(result.packageDir, `${name}.zip`), task);
    // Which layers are mounted comes from the packaged template, not from what this test expects.
    const layers = resource(template, `${logicalId(name)}LambdaFunction`).Properties['Layers'] ?? [];
    if (JSON.stringify(layers).includes('"OnnxLambdaLayer"')) {
      await symlink(join(opt, 'nodejs/node_modules'), join(task, 'node_modules'));
    }
    const script = `const m = await import('./functions/${name}/handler.mjs'); console.log(typeof m.handler);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: task,
      env: { PATH: process.env['PATH'] ?? '', LAMBDAFACE_MODEL_DIR: join(opt, 'models'), AWS_REGION: 'us-east-1' },
    });
    expect(stdout.trim()).toBe('function');
  });
});

describe('architecture', () => {
  it('refuses to package layers built for another architecture', async () => {
    const sls = join(PROJECT_DIR, 'node_modules/osls/bin/serverless.js');
    const failed = await run(process.execPath, [sls, 'package', '--param', 'arch=arm64', '--package', join(work, 'arm64')], {
      cwd: PROJECT_DIR,
      env: { ...process.env, FORCE_COLOR: '0' },
    }).then(
      () => undefined,
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    expect(failed).toBeDefined();
    expect(failed).toMatch(/built for x86_64, the stack is arm64/);
    expect(failed).toMatch(/npm run layers -- --arch arm64/);
  }, 60_000);
});

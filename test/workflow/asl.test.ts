import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  FACE_SEARCH_DEFINITION_PATH,
  findPlaceholders,
  forEachState,
  isJsonObject,
  loadDefinition,
  substitutePlaceholders,
  type AslDefinition,
  type AslState,
} from '../../shared/local/asl.ts';
import { aslProblems } from '../../shared/local/asl-problems.ts';
import { FUNCTION_TIMEOUT_SECONDS } from '../../shared/config/function-timeouts.ts';
import { functionNameForPlaceholder, localFunctionArn } from '../../shared/local/local-functions.ts';
import { prepareDefinition } from '../../shared/local/prepare-definition.ts';

const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
];

const definition = await loadDefinition(FACE_SEARCH_DEFINITION_PATH);
const states = new Map<string, AslState>();
forEachState(definition, (name, state) => states.set(name, state));
const state = (name: string): AslState => {
  const found = states.get(name);
  if (!found) throw new Error(`no state ${name}`);
  return found;
};

describe('statemachine/face-search.asl.json', () => {
  it('is valid ASL (asl-validator, with path and ARN checks)', () => {
    expect(aslProblems(definition)).toEqual([]);
  });

  it('is plain JSON with JSONPath only (no JSONata)', async () => {
    const text = await readFile(FACE_SEARCH_DEFINITION_PATH, 'utf-8');
    expect(text).not.toMatch(/"QueryLanguage"\s*:\s*"JSONata"/);
    expect(text).not.toContain('{%');
  });

  it('names its six functions only through ${...FunctionArn} placeholders', () => {
    expect(findPlaceholders(definition)).toEqual(['CutFunctionArn', 'JoinFunctionArn', 'MontageFunctionArn', 'RecognizeFunctionArn', 'ShardFunctionArn', 'TrainFunctionArn']);
    expect(findPlaceholders(definition).map(functionNameForPlaceholder)).toEqual(['cut', 'join', 'montage', 'recognize', 'shard', 'train']);
  });

  it('starts with a Parallel state running Train and Shard', () => {
    expect(definition.StartAt).toBe('Prepare');
    const prepare = state('Prepare');
    expect(prepare.Type).toBe('Parallel');
    const branches = prepare.Branches as AslDefinition[];
    expect(branches.map((branch) => branch.StartAt)).toEqual(['Train', 'Shard']);
    expect(prepare.Next).toBe('RecognizeChunks');
  });

  it('calls every function through lambda:invoke with its placeholder, the whole state as Payload, and $.Payload as output', () => {
    const tasks = {
      Train: 'TrainFunctionArn',
      Shard: 'ShardFunctionArn',
      Recognize: 'RecognizeFunctionArn',
      Montage: 'MontageFunctionArn',
      Cut: 'CutFunctionArn',
      Join: 'JoinFunctionArn',
    };
    for (const [name, placeholder] of Object.entries(tasks)) {
      const task = state(name);
      expect(task).toMatchObject({
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: `\${${placeholder}}`, 'Payload.$': '$' },
        OutputPath: '$.Payload',
      });
      expect(task.TimeoutSeconds, `${name} needs an explicit timeout`).toBeGreaterThan(0);
      const retry = task.Retry as Array<{ ErrorEquals: string[]; BackoffRate?: number; MaxAttempts?: number }>;
      expect(retry[0]!.ErrorEquals).toEqual(LAMBDA_TRANSIENT_ERRORS);
      expect(retry[0]!.BackoffRate).toBeGreaterThan(1);
    }
  });

  it('fans out with a DISTRIBUTED map reading the chunk manifest, batching, and writing results to S3', () => {
    const map = state('RecognizeChunks');
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor).toMatchObject({ ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Recognize' });
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Bucket.$': '$.chunks.bucket', 'Key.$': '$.chunks.key' },
    });
    expect(map.ItemSelector).toMatchObject({ 'chunk.$': '$$.Map.Item.Value' });
    expect(map.ItemBatcher).toMatchObject({
      MaxItemsPerBatchPath: '$.job.options.itemsPerBatch',
      BatchInput: { 'bucket.$': '$.job.bucket', 'jobId.$': '$.job.jobId', 'video.$': '$.job.video', 'options.$': '$.job.options' },
    });
    expect(map.MaxConcurrencyPath).toBe('$.job.options.maxConcurrency');
    expect(map.ToleratedFailurePercentagePath).toBe('$.job.options.toleratedFailurePercentage');
    expect(map.ResultWriter).toEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { 'Bucket.$': '$.results.bucket', 'Prefix.$': '$.results.prefix' },
    });
    expect(map.Next).toBe('Montage');
  });

  it('cuts the montage in parallel: a second DISTRIBUTED map over the pieces Montage lists, one piece per child, then Join', () => {
    expect(state('Montage').Next).toBe('MontageToMake');
    // No montage to make (null): Montage's result is the output; else the pieces are cut.
    expect(state('MontageToMake')).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.montage', IsNull: true, Next: 'NoMontage' }], Default: 'CutPieces' });
    expect(state('NoMontage')).toMatchObject({ Type: 'Pass', OutputPath: '$.result', End: true });
    const map = state('CutPieces');
    expect(map.ItemProcessor).toMatchObject({ ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Cut' });
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Bucket.$': '$.montage.bucket', 'Key.$': '$.montage.pieces' },
    });
    expect(map.ItemSelector).toEqual({ 'piece.$': '$$.Map.Item.Value', 'cut.$': '$.montage.cut' });
    expect(map.ItemBatcher).toBeUndefined();
    expect(map.MaxConcurrencyPath).toBe('$.montage.maxConcurrency');
    // A piece that cannot be cut is Join's warning, never the search's failure.
    expect(map.ToleratedFailurePercentage).toBe(100);
    expect(map.ResultWriter).toEqual({ Resource: 'arn:aws:states:::s3:putObject', Parameters: { 'Bucket.$': '$.montage.bucket', 'Prefix.$': '$.montage.results' } });
    expect(map.ResultPath).toBe('$.cut');
    expect(map.Next).toBe('Join');
    expect(state('Join').End).toBe(true);
  });

  it.each(['Recognize', 'Cut'])('retries %s on Lambda transient errors with backoff, any other failure once, and does not catch inside the processor', (name) => {
    const task = state(name);
    const retry = task.Retry as Array<{ ErrorEquals: string[] }>;
    expect(retry.map((r) => r.ErrorEquals)).toEqual([LAMBDA_TRANSIENT_ERRORS, ['States.TaskFailed', 'States.Timeout']]);
    expect(task.Catch).toBeUndefined();
  });

  it('catches nothing into a Fail state, so a failed execution ends in the failing step and can be redriven from it', () => {
    for (const [name, each] of states) {
      expect(each.Catch, `${name} has a Catch`).toBeUndefined();
      expect(each.Type, name).not.toBe('Fail');
    }
  });

  it("gives every Task more time than its function's timeout, and retries a state timeout once", () => {
    const functions = { Train: 'train', Shard: 'shard', Recognize: 'recognize', Montage: 'montage', Cut: 'cut', Join: 'join' } as const;
    for (const [name, fn] of Object.entries(functions)) {
      const task = state(name);
      expect(task.TimeoutSeconds, name).toBeGreaterThan(FUNCTION_TIMEOUT_SECONDS[fn]!);
      const retry = task.Retry as Array<{ ErrorEquals: string[]; MaxAttempts?: number }>;
      expect(retry.find((r) => r.ErrorEquals.includes('States.Timeout'))?.MaxAttempts, name).toBe(1);
    }
  });

  it('documents the definition and every state in a Comment', () => {
    const comment = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
    expect(comment(definition.Comment)).not.toBe('');
    for (const [name, each] of states) expect(comment(each.Comment), name).not.toBe('');
  });

  it('becomes a definition the local interpreter accepts once placeholders are substituted and the map stood in for', () => {
    const values = Object.fromEntries(findPlaceholders(definition).map((p) => [p, localFunctionArn(functionNameForPlaceholder(p)!)]));
    const substituted = substitutePlaceholders(definition, values);
    expect(JSON.stringify(substituted)).not.toContain('${');
    expect(state('Train').Parameters).toMatchObject({ FunctionName: '${TrainFunctionArn}' }); // the original is untouched
    const prepared = prepareDefinition(substituted);
    expect(aslProblems(prepared.definition)).toEqual([]);
    expect([...prepared.distributedMaps.keys()]).toEqual(['RecognizeChunks', 'CutPieces']);
    for (const map of ['RecognizeChunks', 'CutPieces']) expect(isJsonObject(prepared.definition.States[map]) && prepared.definition.States[map].Type).toBe('Task');
  });
});

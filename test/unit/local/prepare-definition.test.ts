import { describe, expect, it } from 'vitest';
import { LambdafaceError } from '../../../shared/errors.ts';
import { findPlaceholders, substitutePlaceholders, type AslDefinition } from '../../../shared/local/asl.ts';
import { functionNameForPlaceholder, localFunctionArn } from '../../../shared/local/local-functions.ts';
import { DISTRIBUTED_MAP_RESOURCE, prepareDefinition } from '../../../shared/local/prepare-definition.ts';
import { runLocalWorkflow } from '../../../shared/local/run-workflow.ts';
import { createS3Client } from '../../../shared/storage/s3.ts';

const definition: AslDefinition = {
  StartAt: 'Fan',
  States: {
    Fan: {
      Type: 'Map',
      InputPath: '$.in',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'Step',
        States: { Step: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:step', End: true } },
      },
      ItemBatcher: { MaxItemsPerBatch: 2 },
      ResultSelector: { 'r.$': '$' },
      ResultPath: '$.out',
      Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 1 }],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
      Next: 'Last',
    },
    Last: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: '${LastFunctionArn}', 'Payload.$': '$' },
      TimeoutSeconds: 99_999_999,
      End: true,
    },
    Failed: { Type: 'Fail', Error: 'Failed' },
  },
};

describe('preparing a definition for the interpreter', () => {
  it('maps ${<Name>FunctionArn} placeholders to local function ARNs', () => {
    expect(findPlaceholders(definition)).toEqual(['LastFunctionArn']);
    expect(functionNameForPlaceholder('LastFunctionArn')).toBe('last');
    expect(functionNameForPlaceholder('BucketName')).toBeUndefined();
    const substituted = substitutePlaceholders(definition, { LastFunctionArn: localFunctionArn('last') });
    expect(substituted.States.Last!.Parameters).toEqual({ FunctionName: 'arn:aws:lambda:local:000000000000:function:last', 'Payload.$': '$' });
    expect(() => substitutePlaceholders(definition, {})).toThrow(/placeholders with no value: \$\{LastFunctionArn\}/);
  });

  it("stands a Task in for the Distributed Map, keeping the Map's I/O processing, Retry, Catch and transition", () => {
    const prepared = prepareDefinition(definition);
    expect(prepared.definition.States.Fan).toEqual({
      Type: 'Task',
      Resource: DISTRIBUTED_MAP_RESOURCE,
      TimeoutSeconds: 2_000_000,
      InputPath: '$.in',
      ResultSelector: { 'r.$': '$' },
      ResultPath: '$.out',
      Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 1 }],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
      Next: 'Last',
    });
    const plan = prepared.distributedMaps.get('Fan')!;
    expect(plan.state.ItemBatcher).toEqual({ MaxItemsPerBatch: 2 });
    expect(plan.processor.StartAt).toBe('Step');
    expect(plan.processor).not.toHaveProperty('ProcessorConfig');
    expect(prepared.tasks).toEqual(
      new Map([
        ['Step', { kind: 'lambda-arn', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:step' }],
        ['Fan', { kind: 'distributed-map' }],
        ['Last', { kind: 'lambda-invoke', timeoutSeconds: 99_999_999 }],
      ]),
    );
    expect(prepared.retryStates).toEqual(['Fan']);
    expect(definition.States.Fan!.Type).toBe('Map'); // the input is not modified
  });

  it('gives every Task an explicit timeout the interpreter can wait for (it would stop at 60 s)', () => {
    const prepared = prepareDefinition(definition);
    expect(prepared.distributedMaps.get('Fan')!.processor.States.Step!.TimeoutSeconds).toBe(2_000_000);
    expect(prepared.definition.States.Last!.TimeoutSeconds).toBe(2_000_000); // clamped: setTimeout overflows past 2^31 ms
  });

  it('refuses Task resources it cannot serve locally', () => {
    const withSqs: AslDefinition = {
      StartAt: 'Send',
      States: { Send: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } },
    };
    expect(() => prepareDefinition(withSqs)).toThrow(/cannot serve/);
  });

  it('refuses to run when a function has no handler', async () => {
    const client = createS3Client({ endpoint: 'http://127.0.0.1:9' });
    const run = runLocalWorkflow({ definition, input: {}, handlers: { step: async () => ({}) }, s3: { client } });
    await expect(run).rejects.toBeInstanceOf(LambdafaceError);
    await expect(run).rejects.toThrow(/no local handler "last"/);
    client.destroy();
  });
});

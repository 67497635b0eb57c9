import { describe, expect, it } from 'vitest';
import type { AslDefinition, AslState, JsonObject } from '../../../shared/local/asl.ts';
import type { LocalHandlers } from '../../../shared/local/local-functions.ts';
import { WorkflowFailedError, runLocalWorkflow, type RunLocalWorkflowOptions } from '../../../shared/local/run-workflow.ts';
import { getText, listKeys, putJson, putText } from '../../../shared/storage/s3.ts';
import { useEmbeddedS3 } from './embedded-s3-fixture.ts';

/**
 * Each Distributed Map feature the interpreter ignores, checked against AWS's documented semantics
 * with a real embedded S3 and fake Lambda handlers (the Lambda boundary is the only fake).
 */
const s3 = useEmbeddedS3('map-test');

const work = (extra: Partial<AslState> = {}): AslState => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: '${WorkFunctionArn}', 'Payload.$': '$' },
  OutputPath: '$.Payload',
  End: true,
  ...extra,
});

/** A machine with one Distributed Map (fields given) whose processor calls the `work` handler. */
function mapMachine(map: Record<string, unknown>, processor: AslState = work()): AslDefinition {
  return {
    StartAt: 'Map',
    States: {
      Map: {
        Type: 'Map',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Work',
          States: { Work: processor },
        },
        ...map,
        // No ResultPath: the Map input may be an array, which has no field to put the error in.
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'MapFailed' }],
        End: true,
      },
      MapFailed: { Type: 'Fail', ErrorPath: '$.Error', CausePath: '$.Cause' },
    },
  };
}

function run(definition: AslDefinition, input: unknown, handlers: LocalHandlers, extra: Partial<RunLocalWorkflowOptions> = {}) {
  return runLocalWorkflow({ definition, input, handlers, s3: { client: s3().client }, retryIntervalMs: 0, concurrency: 4, ...extra });
}

async function failureOf(work: Promise<unknown>): Promise<WorkflowFailedError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return error as WorkflowFailedError;
}

/** Records every event the `work` handler gets and returns `{ echo: event }`. */
function recorder() {
  const events: unknown[] = [];
  const handlers: LocalHandlers = {
    work: async (event) => {
      events.push(event);
      return { echo: event };
    },
  };
  return { events, handlers };
}

/**
 * Lets every piece of work the runner has queued run (a few turns of the event loop, no clock): a
 * handler that waits here stays in flight while the runner decides whether to start more.
 */
const idle = async (turns = 5): Promise<void> => {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
};

describe('ItemReader', () => {
  it('reads the items from a JSON array in S3 (one child per item, results in item order)', async () => {
    const { client, bucket } = s3();
    await putJson(client, bucket, 'reader/items.json', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    const { events, handlers } = recorder();
    const result = await run(
      mapMachine({
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON' },
          Parameters: { 'Bucket.$': '$.bucket', 'Key.$': '$.key' },
        },
      }),
      { bucket, key: 'reader/items.json' },
      handlers,
    );
    expect(events).toHaveLength(3);
    expect(events).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }, { n: 3 }]));
    expect(result.output).toEqual([{ echo: { n: 1 } }, { echo: { n: 2 } }, { echo: { n: 3 } }]);
  });

  it('reads JSON Lines and honours ReaderConfig.MaxItems', async () => {
    const { client, bucket } = s3();
    await putText(client, bucket, 'reader/items.jsonl', '{"n":1}\n{"n":2}\n{"n":3}\n');
    const { events, handlers } = recorder();
    await run(
      mapMachine({
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSONL', MaxItems: 2 },
          Parameters: { Bucket: bucket, Key: 'reader/items.jsonl' },
        },
      }),
      {},
      handlers,
    );
    expect(events).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }]));
    expect(events).toHaveLength(2);
  });

  it('fails the Map with States.ItemReaderFailed when the object is missing', async () => {
    const { bucket } = s3();
    const error = await failureOf(
      run(
        mapMachine({
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: bucket, Key: 'reader/none.json' } },
        }),
        {},
        recorder().handlers,
      ),
    );
    expect(error.error).toBe('States.ItemReaderFailed');
    expect(error.errorCause).toContain(`s3://${bucket}/reader/none.json`);
    expect(error.state).toBe('MapFailed');
  });
});

describe('ItemSelector', () => {
  it('builds each child input from $$.Map.Item.Index/Value and the Map input', async () => {
    const { events, handlers } = recorder();
    await run(
      mapMachine({
        ItemsPath: '$.things',
        ItemSelector: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value', 'shared.$': '$.shared', fixed: 'x' },
      }),
      { things: ['a', 'b'], shared: { jobId: 'j1' } },
      handlers,
    );
    expect(events).toEqual(
      expect.arrayContaining([
        { index: 0, value: 'a', shared: { jobId: 'j1' }, fixed: 'x' },
        { index: 1, value: 'b', shared: { jobId: 'j1' }, fixed: 'x' },
      ]),
    );
    expect(events).toHaveLength(2);
  });
});

describe('ItemBatcher', () => {
  it('groups selected items into { BatchInput, Items } of MaxItemsPerBatchPath', async () => {
    const { events, handlers } = recorder();
    await run(
      mapMachine({
        ItemsPath: '$.items',
        ItemSelector: { 'v.$': '$$.Map.Item.Value' },
        ItemBatcher: { MaxItemsPerBatchPath: '$.options.perBatch', BatchInput: { 'jobId.$': '$.jobId', kind: 'chunks' } },
      }),
      { items: [1, 2, 3, 4, 5], jobId: 'j9', options: { perBatch: 2 } },
      handlers,
    );
    const batches = (events as Array<{ BatchInput: unknown; Items: Array<{ v: number }> }>).sort((a, b) => a.Items[0]!.v - b.Items[0]!.v);
    expect(batches.map((batch) => batch.Items.map((item) => item.v))).toEqual([[1, 2], [3, 4], [5]]);
    for (const batch of batches) expect(batch.BatchInput).toEqual({ jobId: 'j9', kind: 'chunks' });
  });

  it('splits batches by MaxInputBytesPerBatch', async () => {
    const { events, handlers } = recorder();
    const items = Array.from({ length: 6 }, (_, i) => ({ i, pad: 'x'.repeat(40) }));
    await run(mapMachine({ ItemBatcher: { MaxInputBytesPerBatch: 120 } }), items, handlers);
    const batches = events as Array<{ Items: unknown[] }>;
    for (const batch of batches) expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThanOrEqual(120);
    expect(batches.reduce((sum, batch) => sum + batch.Items.length, 0)).toBe(6);
    expect(batches.length).toBeGreaterThan(1);
  });
});

describe('MaxConcurrency', () => {
  async function peakInFlight(map: Record<string, unknown>, input: unknown, concurrency: number): Promise<number> {
    let inFlight = 0;
    let peak = 0;
    await run(
      mapMachine(map),
      input,
      {
        work: async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await idle();
          inFlight--;
          return {};
        },
      },
      { concurrency },
    );
    return peak;
  }

  it('never runs more than MaxConcurrencyPath children at once', async () => {
    expect(await peakInFlight({ ItemsPath: '$.items', MaxConcurrencyPath: '$.max' }, { items: Array(8).fill(1), max: 2 }, 8)).toBe(2);
  });

  it('treats 0 as unlimited, capped by the local concurrency', async () => {
    expect(await peakInFlight({ MaxConcurrency: 0 }, Array(9).fill(1), 3)).toBe(3);
  });
});

describe('ToleratedFailurePercentage / ToleratedFailureCount', () => {
  const failing = (bad: Set<number>): LocalHandlers => ({
    work: async (event) => {
      const values = Array.isArray((event as { Items?: unknown[] }).Items) ? (event as { Items: number[] }).Items : [event as number];
      if (values.some((v) => bad.has(v))) throw Object.assign(new Error(`item ${values.join(',')} is broken`), { name: 'MediaError' });
      return { ok: values };
    },
  });

  it('fails with States.ExceedToleratedFailureThreshold when any item fails and nothing is tolerated (default)', async () => {
    const error = await failureOf(run(mapMachine({}), [1, 2, 3, 4], failing(new Set([3]))));
    expect(error.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(error.errorCause).toContain('1 of 4 items failed (25%)');
    expect(error.errorCause).toContain('MediaError: item 3 is broken');
  });

  it('tolerates failures up to the percentage (failed / total items), failing only when it is exceeded', async () => {
    const input = { items: [1, 2, 3, 4], pct: 25 };
    const map = { ItemsPath: '$.items', ToleratedFailurePercentagePath: '$.pct' };
    const ok = await run(mapMachine(map), input, failing(new Set([3])));
    expect(ok.mapRuns[0]).toMatchObject({ totalItems: 4, failedItems: 1 });
    const error = await failureOf(run(mapMachine(map), input, failing(new Set([2, 3]))));
    expect(error.error).toBe('States.ExceedToleratedFailureThreshold');
  });

  it('counts every item of a failed batch', async () => {
    const map = { ItemBatcher: { MaxItemsPerBatch: 2 }, ToleratedFailurePercentage: 25 };
    const error = await failureOf(run(mapMachine(map), [1, 2, 3, 4], failing(new Set([1]))));
    expect(error.errorCause).toContain('2 of 4 items failed (50%)');
    const ok = await run(mapMachine({ ...map, ToleratedFailurePercentage: 50 }), [1, 2, 3, 4], failing(new Set([1])));
    expect(ok.mapRuns[0]).toMatchObject({ failedItems: 2, children: 2 });
  });

  it('tolerates up to ToleratedFailureCount items', async () => {
    await expect(run(mapMachine({ ToleratedFailureCount: 1 }), [1, 2, 3], failing(new Set([2])))).resolves.toMatchObject({ status: 'SUCCEEDED' });
    const error = await failureOf(run(mapMachine({ ToleratedFailureCount: 1 }), [1, 2, 3], failing(new Set([1, 2]))));
    expect(error.error).toBe('States.ExceedToleratedFailureThreshold');
  });

  it('rejects a non-integer percentage, as AWS does', async () => {
    const error = await failureOf(run(mapMachine({ ToleratedFailurePercentagePath: '$.pct', ItemsPath: '$.items' }), { items: [1], pct: 12.5 }, failing(new Set())));
    expect(error.error).toBe('States.Runtime');
  });
});

describe('ResultWriter', () => {
  it("writes AWS's layout and returns ResultWriterDetails", async () => {
    const { client, bucket } = s3();
    const map = {
      ItemsPath: '$.items',
      ToleratedFailurePercentage: 50,
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { 'Bucket.$': '$.bucket', Prefix: 'writer/results' } },
    };
    const handlers: LocalHandlers = {
      work: async (event) => {
        if (event === 'bad') throw Object.assign(new Error('cannot decode'), { name: 'MediaError' });
        return { seen: event };
      },
    };
    const result = await run(mapMachine(map), { bucket, items: ['a', 'bad', 'c'] }, handlers);
    const output = result.output as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    const mapRunId = output.MapRunArn.split(':').at(-1)!;
    expect(output.MapRunArn).toMatch(/^arn:aws:states:local:000000000000:mapRun:local\/Map:[0-9a-f-]{36}$/);
    expect(output.ResultWriterDetails).toEqual({ Bucket: bucket, Key: `writer/results/${mapRunId}/manifest.json` });

    const manifest = JSON.parse(await getText(client, bucket, output.ResultWriterDetails.Key)) as JsonObject;
    const succeededKey = `writer/results/${mapRunId}/SUCCEEDED_0.json`;
    const failedKey = `writer/results/${mapRunId}/FAILED_0.json`;
    const succeededText = await getText(client, bucket, succeededKey);
    const failedText = await getText(client, bucket, failedKey);
    expect(manifest).toEqual({
      DestinationBucket: bucket,
      MapRunArn: output.MapRunArn,
      ResultFiles: {
        FAILED: [{ Key: failedKey, Size: Buffer.byteLength(failedText) }],
        PENDING: [],
        SUCCEEDED: [{ Key: succeededKey, Size: Buffer.byteLength(succeededText) }],
      },
    });

    const succeeded = JSON.parse(succeededText) as JsonObject[];
    expect(succeeded).toHaveLength(2);
    const first = succeeded[0]!;
    expect(first).toMatchObject({ Status: 'SUCCEEDED', Input: '"a"', Output: '{"seen":"a"}', InputDetails: { Included: true } });
    expect(first.ExecutionArn).toBe(`arn:aws:states:local:000000000000:execution:local/Map:${first.Name}`);
    expect(first.StateMachineArn).toBe('arn:aws:states:local:000000000000:stateMachine:local/Map');
    expect(Date.parse(first.StartDate as string)).toBeLessThanOrEqual(Date.parse(first.StopDate as string));

    const [failed] = JSON.parse(failedText) as JsonObject[];
    expect(failed).toMatchObject({ Status: 'FAILED', Input: '"bad"', Error: 'MediaError' });
    expect(JSON.parse(failed!.Cause as string)).toMatchObject({ errorType: 'MediaError', errorMessage: 'cannot decode' });
  });

  it('writes each Map Run under its own id, never over an earlier one', async () => {
    const { client, bucket } = s3();
    const definition = mapMachine({ ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: bucket, Prefix: 'writer/twice/' } } });
    const first = await run(definition, [1], recorder().handlers);
    const second = await run(definition, [2], recorder().handlers);
    expect(first.mapRuns[0]!.mapRunArn).not.toBe(second.mapRuns[0]!.mapRunArn);
    const keys = await listKeys(client, bucket, 'writer/twice/');
    expect(keys.filter((key) => key.endsWith('/manifest.json'))).toHaveLength(2);
    expect(keys.every((key) => !key.includes('//'))).toBe(true);
  });

  it('without a ResultWriter, returns the outputs (a tolerated failure as its execution record)', async () => {
    const handlers: LocalHandlers = {
      work: async (event) => {
        if (event === 2) throw new Error('two');
        return event;
      },
    };
    const result = await run(mapMachine({ ToleratedFailureCount: 1 }), [1, 2, 3], handlers);
    const output = result.output as unknown[];
    expect(output[0]).toBe(1);
    expect(output[1]).toMatchObject({ Status: 'FAILED', Error: 'Error' });
    expect(output[2]).toBe(3);
  });
});

describe('Retry inside the item processor', () => {
  it('retries a child that fails with a retriable error, then counts it as succeeded', async () => {
    let calls = 0;
    const handlers: LocalHandlers = {
      work: async () => {
        calls++;
        if (calls === 1) throw Object.assign(new Error('rate exceeded'), { name: 'Lambda.TooManyRequestsException' });
        return { attempt: calls };
      },
    };
    const processor = work({ Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], MaxAttempts: 2 }] });
    const result = await run(mapMachine({}, processor), ['only'], handlers);
    expect(calls).toBe(2);
    expect(result.output).toEqual([{ attempt: 2 }]);
    expect(result.mapRuns[0]).toMatchObject({ failedItems: 0 });
  });
});

describe('progress and stopping', () => {
  it('reports progress in items, ending at the total', async () => {
    const progress: Array<{ done: number; failed: number; total: number }> = [];
    await run(mapMachine({ ItemBatcher: { MaxItemsPerBatch: 2 } }), [1, 2, 3, 4, 5], recorder().handlers, {
      onProgress: ({ done, failed, total }) => progress.push({ done, failed, total }),
    });
    expect(progress[0]).toEqual({ done: 0, failed: 0, total: 5 });
    expect(progress.at(-1)).toEqual({ done: 5, failed: 0, total: 5 });
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
  });

  it('stops on abort: no new children start, handlers see the signal, the run rejects', async () => {
    const controller = new AbortController();
    let started = 0;
    let sawAbort = false;
    const handlers: LocalHandlers = {
      work: async (_event, context) => {
        started++;
        if (started === 2) controller.abort();
        await idle();
        sawAbort ||= context.signal.aborted;
        return {};
      },
    };
    await expect(run(mapMachine({ MaxConcurrency: 2 }), Array(20).fill(1), handlers, { signal: controller.signal })).rejects.toThrow(/stopped before it finished/);
    expect(started).toBeLessThan(20);
    expect(sawAbort).toBe(true);
  });
});

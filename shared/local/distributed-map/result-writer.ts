import type { S3Client } from '@aws-sdk/client-s3';
import { putText } from '../../storage/s3.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../asl.ts';
import { evaluateTemplate } from '../payload-template.ts';
import { StatesError } from '../task-errors.ts';

const PUT_OBJECT = 'arn:aws:states:::s3:putObject';

/** One child workflow execution, as Step Functions records it. */
export interface ChildExecution {
  name: string;
  executionArn: string;
  stateMachineArn: string;
  input: JsonValue;
  startDate: Date;
  stopDate: Date;
  status: 'SUCCEEDED' | 'FAILED';
  output?: JsonValue;
  error?: string;
  cause?: string;
}

/**
 * The record of a child execution in ResultWriter files (Transformation NONE), field for field as
 * AWS writes them: Input/Output are JSON strings.
 */
export function executionRecord(child: ChildExecution): JsonObject {
  const record: JsonObject = {
    ExecutionArn: child.executionArn,
    Input: JSON.stringify(child.input),
    InputDetails: { Included: true },
    Name: child.name,
    RedriveCount: 0,
    RedriveStatus: 'NOT_REDRIVABLE',
    RedriveStatusReason: child.status === 'SUCCEEDED' ? 'Execution is SUCCEEDED and cannot be redriven' : 'The local runner does not redrive executions',
    StartDate: child.startDate.toISOString(),
    StateMachineArn: child.stateMachineArn,
    Status: child.status,
    StopDate: child.stopDate.toISOString(),
  };
  if (child.status === 'SUCCEEDED') {
    record.Output = JSON.stringify(child.output ?? null);
    record.OutputDetails = { Included: true };
  } else {
    record.Error = child.error ?? 'States.TaskFailed';
    record.Cause = child.cause ?? '';
  }
  return record;
}

type Transformation = 'NONE' | 'COMPACT' | 'FLATTEN';

function writerConfig(state: JsonObject, exporting: boolean): { transformation: Transformation; outputType: 'JSON' | 'JSONL' } {
  const writer = isJsonObject(state.ResultWriter) ? state.ResultWriter : {};
  const config = isJsonObject(writer.WriterConfig) ? writer.WriterConfig : {};
  // AWS's defaults: NONE when exporting to S3, COMPACT when results go to the state output.
  const transformation = config.Transformation ?? (exporting ? 'NONE' : 'COMPACT');
  const outputType = config.OutputType ?? 'JSON';
  if (transformation !== 'NONE' && transformation !== 'COMPACT' && transformation !== 'FLATTEN') {
    throw new StatesError('States.Runtime', `ResultWriter WriterConfig.Transformation ${JSON.stringify(transformation)} is not NONE, COMPACT or FLATTEN`);
  }
  if (outputType !== 'JSON' && outputType !== 'JSONL') {
    throw new StatesError('States.Runtime', `ResultWriter WriterConfig.OutputType ${JSON.stringify(outputType)} is not JSON or JSONL`);
  }
  return { transformation, outputType };
}

/** Children in item order, formatted per Transformation; a failed child is always its full record. */
function formatResults(children: ChildExecution[], transformation: Transformation): JsonValue[] {
  const results: JsonValue[] = [];
  for (const child of children) {
    if (child.status === 'FAILED' || transformation === 'NONE') results.push(executionRecord(child));
    else if (transformation === 'FLATTEN' && Array.isArray(child.output)) results.push(...child.output);
    else results.push(child.output ?? null);
  }
  return results;
}

const serialize = (values: JsonValue[], outputType: 'JSON' | 'JSONL'): string =>
  outputType === 'JSONL' ? values.map((value) => JSON.stringify(value)).join('\n') + (values.length ? '\n' : '') : JSON.stringify(values);

export interface MapRunIdentity {
  mapRunArn: string;
  mapRunId: string;
}

/**
 * The Map state's result. With a ResultWriter that exports (Resource + Parameters) it writes AWS's
 * layout — `<Prefix>/<mapRunId>/manifest.json`, `SUCCEEDED_0.json`, `FAILED_0.json` — and returns
 * `{ MapRunArn, ResultWriterDetails: { Bucket, Key } }`; otherwise it returns the results array.
 * Each call writes under a fresh map run id, so nothing already in the bucket is overwritten.
 */
export async function writeResults(state: JsonObject, children: ChildExecution[], run: MapRunIdentity, input: JsonValue, context: JsonObject, s3: S3Client): Promise<JsonValue> {
  const writer = isJsonObject(state.ResultWriter) ? state.ResultWriter : undefined;
  const exporting = writer?.Resource !== undefined;
  const { transformation, outputType } = writerConfig(state, exporting);
  if (!writer || !exporting) return formatResults(children, transformation);

  if (writer.Resource !== PUT_OBJECT) {
    throw new StatesError('States.ResultWriterFailed', `ResultWriter Resource ${JSON.stringify(writer.Resource)} is not ${PUT_OBJECT}`);
  }
  const parameters = await evaluateTemplate(writer.Parameters ?? {}, input, context);
  const bucket = isJsonObject(parameters) ? parameters.Bucket : undefined;
  const prefix = isJsonObject(parameters) ? (parameters.Prefix ?? '') : '';
  if (typeof bucket !== 'string' || bucket === '' || typeof prefix !== 'string') {
    throw new StatesError('States.ResultWriterFailed', 'ResultWriter Parameters must give a Bucket (and optionally a Prefix) as strings');
  }
  const base = `${prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`}${run.mapRunId}/`;
  const extension = outputType === 'JSONL' ? 'jsonl' : 'json';
  const resultFiles: Record<'FAILED' | 'PENDING' | 'SUCCEEDED', JsonObject[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  try {
    for (const status of ['SUCCEEDED', 'FAILED'] as const) {
      const selected = children.filter((child) => child.status === status);
      if (selected.length === 0) continue;
      const key = `${base}${status}_0.${extension}`;
      const size = await putText(s3, bucket, key, serialize(formatResults(selected, transformation), outputType), 'application/json');
      resultFiles[status].push({ Key: key, Size: size });
    }
    const manifestKey = `${base}manifest.json`;
    await putText(s3, bucket, manifestKey, JSON.stringify({ DestinationBucket: bucket, MapRunArn: run.mapRunArn, ResultFiles: resultFiles }), 'application/json');
    return { MapRunArn: run.mapRunArn, ResultWriterDetails: { Bucket: bucket, Key: manifestKey } };
  } catch (error) {
    throw new StatesError('States.ResultWriterFailed', `cannot write the Map Run results: ${(error as Error).message}`);
  }
}

import type { S3Client } from '@aws-sdk/client-s3';
import { getText, s3Url } from '../../storage/s3.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../asl.ts';
import { evaluatePath, evaluateTemplate } from '../payload-template.ts';
import { StatesError } from '../task-errors.ts';

const GET_OBJECT = 'arn:aws:states:::s3:getObject';

async function positiveInteger(value: JsonValue, what: string): Promise<number> {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new StatesError('States.Runtime', `${what} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** ItemReader with `s3:getObject`: a JSON array (InputType JSON) or JSON Lines (JSONL) object. */
async function readFromS3(reader: JsonObject, input: JsonValue, context: JsonObject, s3: S3Client): Promise<JsonValue[]> {
  if (reader.Resource !== GET_OBJECT) {
    throw new StatesError('States.ItemReaderFailed', `ItemReader Resource ${JSON.stringify(reader.Resource)} is not supported locally (only ${GET_OBJECT})`);
  }
  const config = isJsonObject(reader.ReaderConfig) ? reader.ReaderConfig : {};
  const inputType = config.InputType ?? 'JSON';
  if (inputType !== 'JSON' && inputType !== 'JSONL') {
    throw new StatesError('States.ItemReaderFailed', `ItemReader InputType ${JSON.stringify(inputType)} is not supported locally (JSON, JSONL)`);
  }
  const parameters = await evaluateTemplate(reader.Parameters ?? {}, input, context);
  const bucket = isJsonObject(parameters) ? parameters.Bucket : undefined;
  const key = isJsonObject(parameters) ? parameters.Key : undefined;
  if (typeof bucket !== 'string' || typeof key !== 'string') {
    throw new StatesError('States.ItemReaderFailed', 'ItemReader Parameters must give a Bucket and a Key (strings)');
  }
  let text: string;
  try {
    text = await getText(s3, bucket, key);
  } catch (error) {
    throw new StatesError('States.ItemReaderFailed', `cannot read the items: ${(error as Error).message}`);
  }
  try {
    if (inputType === 'JSONL') {
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as JsonValue);
    }
    const items: unknown = JSON.parse(text);
    if (!Array.isArray(items)) throw new Error('the object is not a JSON array');
    return items as JsonValue[];
  } catch (error) {
    throw new StatesError('States.ItemReaderFailed', `${s3Url(bucket, key)} is not a valid ${inputType} item list: ${(error as Error).message}`);
  }
}

/**
 * The Map's items: from the ItemReader (an S3 object), else from ItemsPath of the effective input
 * (default `$`), cut to ReaderConfig.MaxItems[Path] when given.
 */
export async function readItems(state: JsonObject, input: JsonValue, context: JsonObject, s3: S3Client): Promise<JsonValue[]> {
  const reader = isJsonObject(state.ItemReader) ? state.ItemReader : undefined;
  let items: JsonValue[];
  if (reader) {
    items = await readFromS3(reader, input, context, s3);
  } else {
    const selected = typeof state.ItemsPath === 'string' ? await evaluatePath(state.ItemsPath, input, context) : input;
    if (!Array.isArray(selected)) {
      throw new StatesError('States.Runtime', 'the Map state input (or ItemsPath) must be an array when there is no ItemReader');
    }
    items = selected;
  }
  const config = reader && isJsonObject(reader.ReaderConfig) ? reader.ReaderConfig : undefined;
  if (config?.MaxItems !== undefined) items = items.slice(0, await positiveInteger(config.MaxItems, 'ReaderConfig.MaxItems'));
  if (typeof config?.MaxItemsPath === 'string') {
    const max = await positiveInteger(await evaluatePath(config.MaxItemsPath, input, context), 'ReaderConfig.MaxItemsPath');
    items = items.slice(0, max);
  }
  return items;
}

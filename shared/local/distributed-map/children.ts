import { isJsonObject, type JsonObject, type JsonValue } from '../asl.ts';
import { evaluatePath, evaluateTemplate } from '../payload-template.ts';
import { StatesError } from '../task-errors.ts';

/** One child workflow execution to run: its input and how many items it stands for. */
export interface ChildInput {
  input: JsonValue;
  /** Items in this child (1 without ItemBatcher); failures are counted in items, as AWS does. */
  itemCount: number;
  /** Index of its first item in the item list. */
  firstItem: number;
}

async function limitFrom(batcher: JsonObject, field: string, input: JsonValue, context: JsonObject): Promise<number | undefined> {
  const fixed = batcher[field];
  const path = batcher[`${field}Path`];
  const value = typeof path === 'string' ? await evaluatePath(path, input, context) : fixed;
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new StatesError('States.Runtime', `ItemBatcher ${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

const jsonBytes = (value: JsonValue): number => Buffer.byteLength(JSON.stringify(value));

/**
 * Turns the item list into child execution inputs:
 * - ItemSelector (or the legacy Parameters) is evaluated per item against the Map's effective
 *   input, with `$$.Map.Item.Index` / `$$.Map.Item.Value` in the context;
 * - with ItemBatcher, the selected items are grouped (MaxItemsPerBatch[Path],
 *   MaxInputBytesPerBatch[Path]) into `{ "BatchInput": ..., "Items": [...] }`, BatchInput being
 *   evaluated once against the Map's effective input.
 */
export async function childInputs(state: JsonObject, items: JsonValue[], input: JsonValue, context: JsonObject): Promise<ChildInput[]> {
  const selector = state.ItemSelector ?? state.Parameters;
  const selected: JsonValue[] = [];
  for (const [index, value] of items.entries()) {
    selected.push(selector === undefined ? value : await evaluateTemplate(selector, input, { ...context, Map: { Item: { Index: index, Value: value } } }));
  }

  if (!isJsonObject(state.ItemBatcher)) {
    return selected.map((value, index) => ({ input: value, itemCount: 1, firstItem: index }));
  }
  const batcher = state.ItemBatcher;
  const maxItems = await limitFrom(batcher, 'MaxItemsPerBatch', input, context);
  const maxBytes = await limitFrom(batcher, 'MaxInputBytesPerBatch', input, context);
  if (maxItems === undefined && maxBytes === undefined) {
    throw new StatesError('States.Runtime', 'ItemBatcher needs MaxItemsPerBatch[Path] or MaxInputBytesPerBatch[Path]');
  }
  const batchInput = batcher.BatchInput === undefined ? undefined : await evaluateTemplate(batcher.BatchInput, input, context);
  const makeBatch = (batchItems: JsonValue[]): JsonObject => (batchInput === undefined ? { Items: batchItems } : { BatchInput: batchInput, Items: batchItems });

  const children: ChildInput[] = [];
  let current: JsonValue[] = [];
  let first = 0;
  for (const [index, item] of selected.entries()) {
    const fullByCount = maxItems !== undefined && current.length >= maxItems;
    const fullBySize = maxBytes !== undefined && current.length > 0 && jsonBytes(makeBatch([...current, item])) > maxBytes;
    if (fullByCount || fullBySize) {
      children.push({ input: makeBatch(current), itemCount: current.length, firstItem: first });
      current = [];
      first = index;
    }
    current.push(item);
  }
  if (current.length > 0) children.push({ input: makeBatch(current), itemCount: current.length, firstItem: first });
  return children;
}

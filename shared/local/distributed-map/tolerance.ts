import type { JsonObject, JsonValue } from '../asl.ts';
import { evaluatePath } from '../payload-template.ts';
import { StatesError } from '../task-errors.ts';

/** How many failed items a Map Run tolerates (AWS default: none). */
export interface Tolerance {
  count: number | undefined;
  percentage: number | undefined;
}

async function field(state: JsonObject, name: string, input: JsonValue, context: JsonObject, max: number): Promise<number | undefined> {
  const path = state[`${name}Path`];
  const value = typeof path === 'string' ? await evaluatePath(path, input, context) : state[name];
  if (value === undefined) return undefined;
  // AWS requires integers here, also when read through a path; failing locally saves a deploy.
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new StatesError('States.Runtime', `${name} must be an integer from 0 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export async function readTolerance(state: JsonObject, input: JsonValue, context: JsonObject): Promise<Tolerance> {
  return {
    count: await field(state, 'ToleratedFailureCount', input, context, Number.MAX_SAFE_INTEGER),
    percentage: await field(state, 'ToleratedFailurePercentage', input, context, 100),
  };
}

/**
 * Whether `failedItems` of `totalItems` exceeds the threshold: the Map Run fails when the count or
 * the percentage (failed / total items) is *exceeded*; with neither set, any failure fails it.
 */
export function exceedsTolerance(tolerance: Tolerance, failedItems: number, totalItems: number): boolean {
  if (failedItems === 0) return false;
  if (tolerance.count === undefined && tolerance.percentage === undefined) return true;
  if (tolerance.count !== undefined && failedItems > tolerance.count) return true;
  if (tolerance.percentage !== undefined && failedItems * 100 > tolerance.percentage * totalItems) return true;
  return false;
}

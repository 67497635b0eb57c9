import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { workflowError } from '../errors.ts';

/** A JSON value, as state machine data is. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** One state of an Amazon States Language definition; fields are checked where they are used. */
export interface AslState {
  Type: string;
  [field: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  Comment?: string;
  [field: string]: unknown;
}

/** The one definition of the product, shared by AWS (serverless-step-functions) and the local runner. */
export const FACE_SEARCH_DEFINITION_PATH = fileURLToPath(new URL('../../statemachine/face-search.asl.json', import.meta.url));

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDefinition(value: unknown): value is AslDefinition {
  return isJsonObject(value) && typeof value.StartAt === 'string' && isJsonObject(value.States);
}

/** Reads and parses an ASL JSON file (placeholders left as they are). */
export async function loadDefinition(path: string = FACE_SEARCH_DEFINITION_PATH): Promise<AslDefinition> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf-8'));
  } catch (error) {
    throw workflowError(`cannot read the state machine definition ${path}: ${(error as Error).message}`, {
      input: path,
      cause: error,
    });
  }
  if (!isDefinition(parsed)) {
    throw workflowError(`${path} is not a state machine definition (no StartAt/States)`, { input: path });
  }
  return parsed;
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** Every `${Name}` placeholder used anywhere in the definition's strings. */
export function findPlaceholders(definition: AslDefinition): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') for (const match of value.matchAll(PLACEHOLDER)) found.add(match[1]!);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (isJsonObject(value)) Object.values(value).forEach(visit);
  };
  visit(definition);
  return [...found].sort();
}

/**
 * Replaces `${Name}` placeholders in every string of a copy of the definition, as
 * serverless-step-functions' definition substitutions do on AWS. An unknown placeholder is an error
 * rather than left in place, so a typo fails here and not in the middle of a run.
 */
export function substitutePlaceholders(definition: AslDefinition, values: Readonly<Record<string, string>>): AslDefinition {
  const missing = findPlaceholders(definition).filter((name) => !(name in values));
  if (missing.length > 0) {
    throw workflowError(`the state machine definition uses placeholders with no value: ${missing.map((n) => `\${${n}}`).join(', ')}`, {
      input: 'definition',
      hint: 'give a local handler for each function the definition names',
    });
  }
  const replace = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(PLACEHOLDER, (_, name: string) => values[name]!);
    if (Array.isArray(value)) return value.map(replace);
    if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, replace(inner)]));
    return value;
  };
  return replace(definition) as AslDefinition;
}

/** The states machines nested in a state: Parallel branches, and a Map's item processor. */
export function nestedMachines(state: AslState): AslDefinition[] {
  const machines: AslDefinition[] = [];
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
    for (const branch of state.Branches) if (isDefinition(branch)) machines.push(branch);
  }
  if (state.Type === 'Map') {
    const processor = state.ItemProcessor ?? state.Iterator;
    if (isDefinition(processor)) machines.push(processor);
  }
  return machines;
}

/** Calls `visit` for every state, including those inside Parallel branches and Map processors. */
export function forEachState(definition: AslDefinition, visit: (name: string, state: AslState) => void): void {
  for (const [name, state] of Object.entries(definition.States)) {
    visit(name, state);
    for (const machine of nestedMachines(state)) forEachState(machine, visit);
  }
}

/** Whether a Map state runs in DISTRIBUTED mode (child executions, ItemReader, ResultWriter...). */
export function isDistributedMap(state: AslState): boolean {
  if (state.Type !== 'Map') return false;
  const processor = state.ItemProcessor;
  return isJsonObject(processor) && isJsonObject(processor.ProcessorConfig) && processor.ProcessorConfig.Mode === 'DISTRIBUTED';
}

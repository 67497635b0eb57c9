import type { InferenceSession } from 'onnxruntime-node';
import { loadModel, type LoadModelOptions, type ModelName } from './models.ts';

/** The (model, threads) pairs this thread has asked for: models.ts creates a session for each once. */
const requested = new Set<string>();

/**
 * loadModel, counted: how many model sessions this thread has loaded is what a step reports over
 * its call, so "a re-search loads no model" is checked rather than inferred from its speed. (The
 * count lives here, not in models.ts, whose content is part of the converted models' build key.)
 */
export function loadCountedModel(name: ModelName, options: LoadModelOptions = {}): Promise<InferenceSession> {
  requested.add(`${name}\u0000${options.threads ?? 1}`);
  return loadModel(name, options);
}

/** Model sessions this thread has loaded so far. */
export const modelSessionsLoaded = (): number => requested.size;

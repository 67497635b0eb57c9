import { ensureModels } from '../shared/vision/models.ts';

/** Builds the converted ONNX models once before any test file runs (a no-op when they are current). */
export default async function setup(): Promise<void> {
  await ensureModels();
}

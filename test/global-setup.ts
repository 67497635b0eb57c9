import { buildModelsOnDemand } from '../tools/models/on-demand.ts';
import { ensureModels } from '../shared/vision/models.ts';

/**
 * Builds the converted ONNX models once before any test file runs (a no-op when they are current).
 * Test files and the CLI runs they spawn only check for them: vitest.config.ts points
 * LAMBDAFACE_MODEL_DIR at the same directory.
 */
export default async function setup(): Promise<void> {
  buildModelsOnDemand();
  await ensureModels();
}

import { setModelBuilder } from '../../shared/vision/models.ts';

/**
 * Lets runtime code's ensureModels() (re)build the repo's models when they are missing or stale,
 * as `npm run models` would. For entry points (the CLI launcher, benchmarks, the test setup): the
 * converter and onnx-proto are loaded only when a build is actually checked for.
 */
export function buildModelsOnDemand(): void {
  setModelBuilder(async (outDir) => {
    const { buildModels } = await import('./build-models.ts');
    return buildModels({ outDir });
  });
}

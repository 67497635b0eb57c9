import { parseArgs } from 'node:util';
import { describeError } from '../../shared/errors.ts';
import { modelDir } from '../../shared/vision/models.ts';
import { buildModels } from './build-models.ts';

/**
 * `npm run models [-- --force] [-- --out DIR] [-- --layout track|wrap]`: converts the pinned
 * TF.js weights to ONNX (default output: the model directory, normally layers/onnx/models).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      layout: { type: 'string', default: 'track' },
    },
  });
  const layoutMode = values.layout === 'wrap' ? 'wrap' : values.layout === 'track' ? 'track' : undefined;
  if (!layoutMode) throw new Error(`--layout must be track or wrap, got ${values.layout}`);
  const outDir = values.out ?? modelDir();
  const result = await buildModels({ outDir, force: values.force, layoutMode, log: (m) => console.log(`  ${m}`) });
  const verb = result.status === 'up-to-date' ? 'up to date' : 'built';
  console.log(`models ${verb} in ${outDir} (${Math.round(result.ms)} ms)`);
}

main().catch((error: unknown) => {
  console.error(describeError(error));
  process.exitCode = 1;
});

import { parseArgs } from 'node:util';
import { describeError } from '../../shared/errors.ts';
import { buildLayers } from './build-layers.ts';
import { parseArch } from './target.ts';

/** `npm run layers [-- --arch x86_64|arm64]`: builds layers/ffmpeg and layers/onnx from installed packages. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { arch: { type: 'string' } } });
  const arch = parseArch(values.arch ?? process.env['LAMBDAFACE_ARCH']);
  const started = performance.now();
  await buildLayers({ arch, log: (message) => console.log(message) });
  console.log(`layers built for ${arch} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(describeError(error));
  process.exitCode = 1;
});

import { parseArgs } from 'node:util';
import { describeError } from '../../shared/errors.ts';
import { formatSizes, packageSizes } from './package-sizes.ts';

/** `npm run check:size [-- --package DIR]`: fails when a function plus its layers exceeds 250 MB unzipped. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { package: { type: 'string', default: '.serverless' } } });
  const sizes = await packageSizes(values.package);
  console.log(formatSizes(sizes));
  if (sizes.some((size) => !size.fits)) {
    console.error('Lambda allows 250 MB for a function and its layers, unzipped: shrink the layers (docs/deploy.md, "Sizes").');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(describeError(error));
  process.exitCode = 1;
});

import { parseArgs } from 'node:util';
import { describeError } from '../../shared/errors.ts';
import { formatSizes } from './package-sizes.ts';
import { packageService } from './package-service.ts';
import { parseArch } from './target.ts';

/**
 * `npm run package [-- --arch arm64] [--stage prod] [--region eu-west-1] [--package DIR]`:
 * models, layers, `sls package` and the size check, offline and without credentials.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      arch: { type: 'string' },
      stage: { type: 'string' },
      region: { type: 'string' },
      package: { type: 'string' },
    },
  });
  const result = await packageService({
    arch: parseArch(values.arch ?? process.env['LAMBDAFACE_ARCH']),
    ...(values.stage ? { stage: values.stage } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.package ? { packageDir: values.package } : {}),
    log: (message) => console.log(message),
  });
  console.log(formatSizes(result.sizes));
  if (result.sizes.some((size) => !size.fits)) {
    console.error('Lambda allows 250 MB for a function and its layers, unzipped: shrink the layers (docs/deploy.md, "Sizes").');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(describeError(error));
  process.exitCode = 1;
});

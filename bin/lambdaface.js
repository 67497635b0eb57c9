#!/usr/bin/env node
// The CLI is TypeScript. It runs from a build of its sources kept under node_modules/.cache (made
// on the first start after a change, bin/built-cli.js), or, where none can be made, from the
// sources through tsx's loader: either way there is no build step between a checkout and a search.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtCli } from './built-cli.js';

const built = await builtCli();
// A checkout converts its models from the pinned npm weights on first use (and after the converter
// changes); the runtime only checks for them, so the launcher lends it the build tool (which
// remembers finding them current until a file it checks changes).
if (built) {
  // The handler threads start from the same build (shared/local/handler-pool.ts).
  process.env['LAMBDAFACE_BUILT_CLI'] = built;
  const from = (path) => import(pathToFileURL(join(built, path)).href);
  (await from('tools/models-check/on-demand-once.js')).buildModelsOnDemandOnce();
  await from('shared/cli/main.js');
} else {
  // Not a build this process inherited the name of: its handler threads start from the sources too.
  delete process.env['LAMBDAFACE_BUILT_CLI'];
  const { register } = await import('tsx/esm/api');
  register();
  (await import('../tools/models-check/on-demand-once.ts')).buildModelsOnDemandOnce();
  await import('../shared/cli/main.ts');
}

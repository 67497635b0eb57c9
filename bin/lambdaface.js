#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, so there is no build step between a checkout and a search.
import { register } from 'tsx/esm/api';

register();
// A checkout converts its models from the pinned npm weights on first use (and after the converter
// changes); the runtime only checks for them, so the launcher lends it the build tool (which
// remembers finding them current until a file it checks changes).
const { buildModelsOnDemandOnce } = await import('../tools/models-check/on-demand-once.ts');
buildModelsOnDemandOnce();
await import('../shared/cli/main.ts');

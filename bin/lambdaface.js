#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, so there is no build step between a checkout and a search.
import { register } from 'tsx/esm/api';

// Lambda runs Node 22; the SDK's notice about Node 20 support ending is noise for CLI users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../shared/cli/main.ts');

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Built once by the global setup; the test files and the CLI runs they spawn then only check for them. */
const MODEL_DIR = process.env['LAMBDAFACE_MODEL_DIR'] || fileURLToPath(new URL('./layers/onnx/models', import.meta.url));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    // The SDK's notice that Node 20 support ends in 2027 (Lambda runs Node 22) would bury the output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', LAMBDAFACE_MODEL_DIR: MODEL_DIR },
  },
});

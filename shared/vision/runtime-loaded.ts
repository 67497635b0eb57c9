import { createRequire } from 'node:module';
import { sep } from 'node:path';

const require = createRequire(import.meta.url);
const BINDING = `${sep}onnxruntime-node${sep}`;

/**
 * Whether this thread has loaded ONNX Runtime, which vision/models.ts imports on a first model
 * load and nothing else imports: a step that finds it unloaded before and after its work loaded
 * no model, which "a re-search loads no model" can be checked by rather than inferred from its
 * speed. (onnxruntime-node is CommonJS, so even an ESM import of it lands in require.cache.)
 */
export const onnxRuntimeLoaded = (): boolean => Object.keys(require.cache).some((path) => path.includes(BINDING));

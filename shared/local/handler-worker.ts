import { parentPort } from 'node:worker_threads';
import { LambdafaceError } from '../errors.ts';

/**
 * A worker thread of the local runtime: it imports the same handler modules Lambda runs and
 * executes one invocation at a time. ONNX Runtime's node binding runs inference on the calling
 * thread, so parallel chunks need threads of their own, as parallel Lambdas have machines.
 */
export interface Invocation {
  id: number;
  name: string;
  event: unknown;
}

export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string; kind?: string; input?: string; hint?: string; stack?: string } };

const modules = new Map<string, Promise<{ handler: (event: unknown) => Promise<unknown> }>>();

function handlerModule(name: string) {
  let loaded = modules.get(name);
  if (!loaded) {
    loaded = import(new URL(`../../functions/${name}/handler.ts`, import.meta.url).href);
    modules.set(name, loaded);
  }
  return loaded;
}

parentPort!.on('message', async ({ id, name, event }: Invocation) => {
  let reply: Reply;
  try {
    const { handler } = await handlerModule(name);
    reply = { id, ok: true, result: await handler(event) };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply = {
      id,
      ok: false,
      error: {
        name: e.name,
        message: e.message,
        ...(e.stack ? { stack: e.stack } : {}),
        ...(error instanceof LambdafaceError
          ? { kind: error.kind, ...(error.input ? { input: error.input } : {}), ...(error.hint ? { hint: error.hint } : {}) }
          : {}),
      },
    };
  }
  parentPort!.postMessage(reply);
});

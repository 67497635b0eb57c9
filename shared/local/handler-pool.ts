import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LambdafaceError, type ErrorKind } from '../errors.ts';
import type { Invocation, Reply } from './handler-worker.ts';
import type { FaceSearchHandlers, LocalHandler } from './local-functions.ts';

export interface HandlerPoolOptions {
  /** Worker threads: how many handlers run at once. */
  size: number;
  /** Environment of the handlers (what serverless.yml sets on Lambda). */
  env: Record<string, string>;
}

export interface HandlerPool {
  handlers: FaceSearchHandlers;
  close(): Promise<void>;
}

/**
 * The worker's entry: it registers tsx's loader and then imports the TypeScript worker module, so
 * handlers run from source whether the parent was started by tsx, vitest or a bundle.
 */
const BOOTSTRAP = `import(${JSON.stringify(tsxEsmApi())})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./handler-worker.ts', import.meta.url).href)}); });`;

/** tsx's ESM register API, found through its package.json (require.resolve would pick the CJS build). */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf-8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

/**
 * Runs the workflow's handlers in `size` worker threads, each loading the handler modules once
 * and keeping its models warm, like a warm Lambda.
 */
export function createHandlerPool(options: HandlerPoolOptions): HandlerPool {
  const slots: Slot[] = Array.from({ length: options.size }, () => ({
    worker: new Worker(BOOTSTRAP, { eval: true, env: { ...process.env, ...options.env } }),
    busy: false,
  }));
  const waiting: ((slot: Slot) => void)[] = [];
  let nextId = 0;

  const acquire = (): Promise<Slot> => {
    const free = slots.find((slot) => !slot.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (slot: Slot): void => {
    const next = waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  };

  const invoke = (name: string): LocalHandler => async (event) => {
    const slot = await acquire();
    try {
      const id = nextId++;
      const reply = await new Promise<Reply>((resolve, reject) => {
        const onMessage = (message: Reply) => {
          if (message.id !== id) return;
          slot.worker.off('message', onMessage);
          slot.worker.off('error', reject);
          resolve(message);
        };
        slot.worker.on('message', onMessage);
        slot.worker.once('error', reject);
        slot.worker.postMessage({ id, name, event } satisfies Invocation);
      });
      if (reply.ok) return reply.result;
      throw revive(reply.error);
    } finally {
      release(slot);
    }
  };

  return {
    handlers: { train: invoke('train'), shard: invoke('shard'), recognize: invoke('recognize'), montage: invoke('montage') },
    close: async () => {
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}

/** Rebuilds the handler's error on this side so its kind, input and hint reach the user. */
function revive(error: Extract<Reply, { ok: false }>['error']): Error {
  const revived = error.kind
    ? new LambdafaceError(error.kind as ErrorKind, error.message, {
        ...(error.input ? { input: error.input } : {}),
        ...(error.hint ? { hint: error.hint } : {}),
      })
    : Object.assign(new Error(error.message), { name: error.name });
  if (error.stack) revived.stack = error.stack;
  return revived;
}

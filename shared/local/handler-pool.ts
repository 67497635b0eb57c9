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

interface Slot {
  worker: Worker;
  busy: boolean;
}

/**
 * Runs the workflow's handlers in `size` worker threads, each loading the handler modules once
 * and keeping its models warm, like a warm Lambda.
 */
export function createHandlerPool(options: HandlerPoolOptions): HandlerPool {
  const workerUrl = new URL('./handler-worker.ts', import.meta.url);
  const slots: Slot[] = Array.from({ length: options.size }, () => ({
    // TypeScript sources run in the worker through tsx's loader, whatever loaded the parent.
    worker: new Worker(workerUrl, { execArgv: ['--import', 'tsx'], env: { ...process.env, ...options.env } }),
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

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { LambdafaceError, workflowError, type ErrorKind } from '../errors.ts';
import { LONGEST_TIMER_MS, seconds } from '../workflow/deadline.ts';
import type { Reply, ThrownError, ToWorker, WorkerData } from './handler-worker.ts';
import type { FaceSearchHandlers, LocalHandler, LocalLambdaContext } from './local-functions.ts';

export interface HandlerPoolOptions {
  /** Worker threads: how many handlers run at once. */
  size: number;
  /** Environment of the handlers (what serverless.yml sets on Lambda). */
  env: Record<string, string>;
  /** Tests only: a folder of `<name>/handler.ts` modules to run instead of functions/. */
  handlersRoot?: URL;
}

export interface HandlerPool {
  handlers: FaceSearchHandlers;
  /**
   * Starts threads now, up to the pool's size, so their start-up (a thread, the worker module
   * and what it loads) overlaps the caller's own work instead of delaying the first calls.
   */
  prestart(): void;
  close(): Promise<void>;
}

/**
 * How a handler thread starts. From the CLI's build of the worker and handlers when the CLI runs
 * from one (bin/built-cli.js names its folder in LAMBDAFACE_BUILT_CLI); otherwise, and always for
 * test handlers, by registering tsx's loader and importing the TypeScript worker module, so
 * handlers run from source whether the parent was started by tsx or vitest.
 */
function workerStart(handlersRoot: URL | undefined): { entry: string | URL; options: WorkerOptions & { workerData: WorkerData } } {
  const built = process.env['LAMBDAFACE_BUILT_CLI'];
  if (built && handlersRoot === undefined) {
    const root = pathToFileURL(join(built, '/'));
    return { entry: new URL('shared/local/handler-worker.js', root), options: { workerData: { handlers: new URL('functions/', root).href, extension: 'js' } } };
  }
  const bootstrap = `import(${JSON.stringify(tsxEsmApi())})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./handler-worker.ts', import.meta.url).href)}); });`;
  return { entry: bootstrap, options: { eval: true, workerData: handlersRoot ? { handlers: handlersRoot.href } : {} } };
}

/** tsx's ESM register API, found through its package.json (require.resolve would pick the CJS build). */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf-8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
}

/** One worker thread and the call it is running. */
interface Thread {
  worker: Worker;
  call: Call | undefined;
  /** What the thread died of, when it reported it ('error' comes before 'exit'). */
  failure: Error | undefined;
  /** Why this side terminated it, when it did. */
  stopped: 'time limit' | 'closed' | undefined;
  alive: boolean;
}

interface Call {
  id: number;
  name: string;
  limitMs: number;
  settle(outcome: { reply: Reply } | { error: Error }): void;
}

/**
 * Runs the workflow's handlers in up to `size` worker threads, started as calls need them, each
 * loading the handler modules once and keeping its models warm, like a warm Lambda. A thread that
 * dies fails only the call it was running, with the cause, and the next call gets a fresh thread;
 * a call still running at its time limit has its thread terminated, as Lambda kills a function at
 * its timeout. The time limit counts from when the call is posted to a thread, not while it waits
 * for one.
 */
export function createHandlerPool(options: HandlerPoolOptions): HandlerPool {
  const env = { ...process.env, ...options.env };
  const start = workerStart(options.handlersRoot);
  const live = new Set<Thread>();
  const idle: Thread[] = [];
  const waiting: { resolve(thread: Thread): void; reject(error: Error): void }[] = [];
  let closed = false;
  let nextId = 0;

  const spawn = (): Thread => {
    const thread: Thread = { worker: new Worker(start.entry, { ...start.options, env }), call: undefined, failure: undefined, stopped: undefined, alive: true };
    live.add(thread);
    thread.worker.on('message', (reply: Reply) => {
      // A reply that comes after the thread was told to stop is too late: the call dies with it.
      if (thread.stopped === undefined && reply.id === thread.call?.id) thread.call.settle({ reply });
    });
    thread.worker.on('error', (error) => {
      thread.failure = error;
    });
    thread.worker.on('exit', (code) => {
      thread.alive = false;
      live.delete(thread);
      const at = idle.indexOf(thread);
      if (at >= 0) idle.splice(at, 1);
      if (thread.call) thread.call.settle({ error: deathError(thread.call, thread, code) });
      refill();
    });
    return thread;
  };

  /** Gives waiting calls fresh threads in the places dead ones left, so none is left behind. */
  const refill = (): void => {
    while (!closed && waiting.length > 0 && live.size < options.size) waiting.shift()!.resolve(spawn());
  };

  const acquire = (): Promise<Thread> => {
    if (closed) return Promise.reject(closedError());
    const free = idle.pop();
    if (free) return Promise.resolve(free);
    if (live.size < options.size) return Promise.resolve(spawn());
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };
  const release = (thread: Thread): void => {
    if (closed) return;
    // A thread being terminated is never reused: its place goes to a fresh one when it exits.
    if (!thread.alive || thread.stopped !== undefined) {
      refill();
      return;
    }
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(thread);
    else idle.push(thread);
  };

  const run = (thread: Thread, name: string, event: unknown, context: LocalLambdaContext): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      // The thread starts the handler's clock when it takes the call: on a new thread that is after
      // its start-up, so this kill can come that much before the handler's deadline.
      const { timeoutMs } = context;
      const onAbort = (): void => thread.worker.postMessage({ type: 'abort', id } satisfies ToWorker);
      const timer = setTimeout(
        () => {
          thread.stopped = 'time limit';
          void thread.worker.terminate();
        },
        Math.min(timeoutMs, LONGEST_TIMER_MS),
      );
      thread.call = {
        id,
        name,
        limitMs: timeoutMs,
        settle: (outcome) => {
          clearTimeout(timer);
          context.signal.removeEventListener('abort', onAbort);
          thread.call = undefined;
          if ('reply' in outcome) resolve(outcome.reply);
          else reject(outcome.error);
        },
      };
      context.signal.addEventListener('abort', onAbort, { once: true });
      const { getRemainingTimeInMillis: _remaining, timeoutMs: _timeout, signal, ...fields } = context;
      try {
        thread.worker.postMessage({
          type: 'invoke',
          id,
          name,
          event,
          context: fields,
          timeoutMs,
          aborted: signal.aborted,
        } satisfies ToWorker);
      } catch (error) {
        // An event that cannot be copied to the thread (LocalFunctions passes JSON, so a caller's bug).
        thread.call.settle({ error: error as Error });
      }
    });

  const invoke =
    (name: string): LocalHandler =>
    async (event, context) => {
      const thread = await acquire();
      try {
        const reply = await run(thread, name, event, context);
        if (reply.ok) return reply.result;
        throw revive(reply.error);
      } finally {
        release(thread);
      }
    };

  return {
    handlers: { train: invoke('train'), shard: invoke('shard'), recognize: invoke('recognize'), montage: invoke('montage'), cut: invoke('cut'), join: invoke('join') },
    prestart: () => {
      while (!closed && live.size < options.size) idle.push(spawn());
    },
    close: async () => {
      closed = true;
      for (const waiter of waiting.splice(0)) waiter.reject(closedError());
      await Promise.all(
        [...live].map((thread) => {
          thread.stopped = 'closed';
          return thread.worker.terminate();
        }),
      );
    },
  };
}

function closedError(): Error {
  return workflowError('the local runtime is closed: no handler can run', { hint: 'this is a bug in lambdaface; please report it with the command you ran' });
}

const AGAIN = 'run the same job again (finished chunks are kept)';

/** The error of a call whose thread died under it: which handler, and of what. */
function deathError(call: Call, thread: Thread, code: number): Error {
  const what = `the ${call.name} handler's worker thread`;
  if (thread.stopped === 'time limit') {
    return workflowError(`${what} was stopped at the call's ${seconds(call.limitMs)} s time limit, as Lambda stops a function at its timeout`, {
      input: call.name,
      hint: `${AGAIN}; the step should have stopped itself before its time limit: report this as a bug in lambdaface`,
    });
  }
  if (thread.stopped === 'closed') return workflowError(`${what} was stopped because the local runtime closed`, { input: call.name, hint: AGAIN });
  const cause = thread.failure ? `died: ${thread.failure.message}` : `exited with code ${code}`;
  return workflowError(`${what} ${cause}`, {
    input: call.name,
    hint: `${AGAIN}; if it happens again, report it as a bug in lambdaface with the command you ran`,
    ...(thread.failure ? { cause: thread.failure } : {}),
  });
}

/** Rebuilds the handler's error on this side so its kind, input, hint and cause reach the user. */
function revive(error: ThrownError): Error {
  const cause = error.cause && (error.cause.kind ? new LambdafaceError(error.cause.kind as ErrorKind, error.cause.message) : new Error(error.cause.message));
  const revived = error.kind
    ? new LambdafaceError(error.kind as ErrorKind, error.message, {
        ...(error.input ? { input: error.input } : {}),
        ...(error.hint ? { hint: error.hint } : {}),
        ...(cause ? { cause } : {}),
      })
    : Object.assign(new Error(error.message, cause ? { cause } : {}), { name: error.name });
  if (error.stack) revived.stack = error.stack;
  return revived;
}

import { parentPort, workerData } from 'node:worker_threads';
import { LambdafaceError, workflowError } from '../errors.ts';
import type { LocalLambdaContext } from './local-functions.ts';

// A worker thread of the local runtime: it imports the same handler modules Lambda runs and
// executes one invocation at a time, with a Lambda-shaped context. ONNX Runtime's node binding runs
// inference on the calling thread, so parallel chunks need threads of their own, as parallel
// Lambdas have machines.

/** The Lambda context's plain fields, which cross to the worker as they are. */
export type ContextFields = Omit<LocalLambdaContext, 'getRemainingTimeInMillis' | 'timeoutMs' | 'signal'>;

export type ToWorker =
  | {
      type: 'invoke';
      id: number;
      name: string;
      event: unknown;
      context: ContextFields;
      /** The invocation's time limit: the handler's clock starts when the thread takes the call. */
      timeoutMs: number;
      /** Whether the run was already stopped when the call was posted. */
      aborted: boolean;
    }
  /** The run was stopped: the invocation's context.signal fires. */
  | { type: 'abort'; id: number };

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: ThrownError };

/** What crosses back of a handler's error: enough to rebuild it, with its cause's message and kind. */
export interface ThrownError {
  name: string;
  message: string;
  kind?: string;
  input?: string;
  hint?: string;
  stack?: string;
  cause?: { message: string; kind?: string };
}

/** Where the handler modules are, `<name>/handler.ts` each: functions/, unless a test points elsewhere (or `.js`, in the CLI's build). */
export interface WorkerData {
  handlers?: string;
  extension?: 'ts' | 'js';
}

type Handler = (event: unknown, context: LocalLambdaContext) => Promise<unknown>;

const handlersRoot = (workerData as WorkerData | undefined)?.handlers ?? new URL('../../functions/', import.meta.url).href;
const extension = (workerData as WorkerData | undefined)?.extension ?? 'ts';
const modules = new Map<string, Promise<{ handler: Handler }>>();
const running = new Map<number, AbortController>();

function handlerModule(name: string) {
  let loaded = modules.get(name);
  if (!loaded) {
    loaded = import(new URL(`${name}/handler.${extension}`, handlersRoot).href);
    modules.set(name, loaded);
  }
  return loaded;
}

const stopReason = () => workflowError('the local run was stopped');

async function invoke({ id, name, event, context, timeoutMs, aborted }: Extract<ToWorker, { type: 'invoke' }>): Promise<Reply> {
  const deadline = Date.now() + timeoutMs;
  const controller = new AbortController();
  if (aborted) controller.abort(stopReason());
  running.set(id, controller);
  try {
    const { handler } = await handlerModule(name);
    const lambda: LocalLambdaContext = {
      ...context,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      timeoutMs,
      signal: controller.signal,
    };
    return { id, ok: true, result: await handler(event, lambda) };
  } catch (error) {
    return { id, ok: false, error: thrownError(error) };
  } finally {
    running.delete(id);
  }
}

/** A handler's error as plain fields, so its kind, input, hint and cause survive the copy to the pool. */
function thrownError(error: unknown): ThrownError {
  const e = error instanceof Error ? error : new Error(String(error));
  const cause = e.cause;
  return {
    name: e.name,
    message: e.message,
    ...(e.stack ? { stack: e.stack } : {}),
    ...(error instanceof LambdafaceError ? { kind: error.kind, ...(error.input ? { input: error.input } : {}), ...(error.hint ? { hint: error.hint } : {}) } : {}),
    ...(cause === undefined
      ? {}
      : {
          cause: {
            message: cause instanceof Error ? cause.message : String(cause),
            ...(cause instanceof LambdafaceError ? { kind: cause.kind } : {}),
          },
        }),
  };
}

parentPort!.on('message', async (message: ToWorker) => {
  if (message.type === 'abort') running.get(message.id)?.abort(stopReason());
  else parentPort!.postMessage(await invoke(message));
});

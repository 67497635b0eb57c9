import { storageError, workflowError } from '../../../../shared/errors.ts';
import { lambdaHandler } from '../../../../shared/workflow/context.ts';
import type { LambdaContext } from '../../../../shared/workflow/deadline.ts';

/**
 * A stand-in handler for the worker-pool tests, run by the real handler-worker.ts in a real worker
 * thread. The event says how it behaves: die in one of the ways a thread dies, never return, fail
 * with a cause, report the time it was given and the deadline and stop signal lambdaHandler gave
 * the step, or reply in step with the test through shared memory.
 */
type Behaviour =
  | { do: 'exit'; code: number }
  | { do: 'throw'; message: string }
  | { do: 'hang' }
  | { do: 'deadline' }
  | { do: 'fail'; cause: string }
  | { do: 'wait for stop' }
  | { do: 'reply when told'; state: Int32Array };

/** The states of a 'reply when told' call, in its shared Int32Array's first slot. */
export const REPLY = { running: 1, go: 2, replied: 3 } as const;

const step = lambdaHandler(async (raw, context) => {
  const event = raw as Behaviour;
  switch (event.do) {
    case 'exit':
      process.exit(event.code);
      break;
    case 'throw':
      // Thrown outside the handler's promise: nothing catches it, so the thread dies of it.
      setImmediate(() => {
        throw new Error(event.message);
      });
      return new Promise(() => undefined);
    case 'hang':
      return new Promise(() => undefined);
    case 'deadline':
      return { margin: context.deadline!.at - context.deadline!.stopAt };
    case 'fail':
      throw workflowError('the step failed', { input: 'test', cause: storageError(event.cause) });
    case 'wait for stop': {
      const signal = context.deadline!.signal;
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      return { reason: (signal.reason as Error).message, kind: (signal.reason as { kind?: string }).kind ?? null };
    }
    case 'reply when told': {
      const { state } = event;
      Atomics.store(state, 0, REPLY.running);
      Atomics.notify(state, 0);
      Atomics.wait(state, 0, REPLY.running, 10_000);
      // Runs once the reply below has been posted (the worker posts it in a microtask).
      setImmediate(() => {
        Atomics.store(state, 0, REPLY.replied);
        Atomics.notify(state, 0);
      });
      return { replied: true };
    }
  }
  return null;
});

export const handler = async (event: unknown, lambda: LambdaContext) => {
  // The time the handler is given, read before anything else runs.
  const remainingAtEntry = lambda.getRemainingTimeInMillis();
  const result = await step(event, lambda);
  return (event as Behaviour).do === 'deadline' ? { ...(result as object), remainingAtEntry } : result;
};

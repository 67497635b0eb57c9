import { lambdaHandler } from '../../../../shared/workflow/context.ts';

/**
 * A stand-in handler for the worker-pool tests, run by the real handler-worker.ts in a real worker
 * thread. The event says how it behaves: die in one of the ways a thread dies, never return, or
 * report the deadline and stop signal lambdaHandler gave the step.
 */
type Behaviour =
  | { do: 'exit'; code: number }
  | { do: 'throw'; message: string }
  | { do: 'hang' }
  | { do: 'deadline' }
  | { do: 'wait for stop' };

export const handler = lambdaHandler(async (raw, context) => {
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
      return { at: context.deadline?.at ?? null, stopAt: context.deadline?.stopAt ?? null };
    case 'wait for stop': {
      const signal = context.deadline!.signal;
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      return { reason: (signal.reason as Error).message, kind: (signal.reason as { kind?: string }).kind ?? null };
    }
  }
  return null;
});

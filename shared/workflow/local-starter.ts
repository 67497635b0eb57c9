import type { JobInput } from '../schemas/job.ts';
import type { ExecutionStarter, StartedExecution } from './execution-starter.ts';
import { LOCAL_STATES_ARN } from '../config/local-account.ts';

export interface LocalExecution {
  name: string;
  input: JobInput;
  executionArn: string;
}

/**
 * An ExecutionStarter for `lambdaface serve`: runs each execution in this process (through `run`,
 * e.g. the local workflow runner) without waiting for it, and, like Step Functions, starts a name
 * only once, so the embedded server's duplicate notifications start nothing new.
 */
export function localStarter(
  run: (execution: LocalExecution) => Promise<unknown>,
  onSettled?: (execution: LocalExecution, outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) => void,
  stateMachineName = 'face-search',
): ExecutionStarter & { readonly running: ReadonlyMap<string, Promise<unknown>> } {
  const running = new Map<string, Promise<unknown>>();
  const started = new Set<string>();
  return {
    running,
    async start({ name, input }): Promise<StartedExecution> {
      const executionArn = `${LOCAL_STATES_ARN}:execution:${stateMachineName}:${name}`;
      if (started.has(name)) return { executionArn, alreadyStarted: true };
      started.add(name);
      const execution: LocalExecution = { name, input, executionArn };
      const promise = run(execution).then(
        (value) => onSettled?.(execution, { ok: true, value }),
        (error: unknown) => onSettled?.(execution, { ok: false, error }),
      );
      running.set(name, promise);
      void promise.finally(() => running.delete(name));
      return { executionArn, alreadyStarted: false };
    },
  };
}

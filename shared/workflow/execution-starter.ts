import type { JobInput } from '../schemas/job.ts';

export interface StartedExecution {
  executionArn: string;
  /** True when an execution of that name existed already: nothing new was started. */
  alreadyStarted: boolean;
}

/**
 * Starts one execution of the face search with a given name; how start and the remote CLI both
 * start runs. Step Functions (shared/remote/start-execution.ts) and `lambdaface serve`
 * (local-starter.ts) implement it.
 */
export interface ExecutionStarter {
  start(request: { name: string; input: JobInput }): Promise<StartedExecution>;
}

import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { awsErrorName, inputError } from '../errors.ts';
import type { ExecutionStarter, StartedExecution } from '../workflow/execution-starter.ts';
import { fromAwsError } from './aws-errors.ts';

const STATE_MACHINE_ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;

export interface StateMachineArnParts {
  partition: string;
  region: string;
  account: string;
  name: string;
}

export function parseStateMachineArn(arn: string, input = 'state machine ARN'): StateMachineArnParts {
  const match = STATE_MACHINE_ARN.exec(arn);
  if (!match) {
    throw inputError(`${JSON.stringify(arn)} is not a state machine ARN`, {
      input,
      hint: 'it looks like arn:aws:states:<region>:<account>:stateMachine:<name> (the stack output FaceSearchStateMachineArn)',
    });
  }
  return { partition: match[1]!, region: match[2]!, account: match[3]!, name: match[4]! };
}

/** The ARN an execution named `name` has: what StartExecution would have returned for it. */
export function executionArnFor(stateMachineArn: string, name: string): string {
  const { partition, region, account, name: machine } = parseStateMachineArn(stateMachineArn);
  return `arn:${partition}:states:${region}:${account}:execution:${machine}:${name}`;
}

/** Execution names: 1-80 of letters, digits, `-` and `_` (the safe subset of what AWS allows). */
export const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * StartExecution, idempotent by name. For 90 days a name belongs to one execution: started again
 * with the same input while it runs, Step Functions answers with that execution (success here too);
 * once it has ended, or with another input, it refuses with ExecutionAlreadyExists, which here
 * means "already started": the caller attaches to that execution or reports it, nothing new runs.
 */
export async function startNamedExecution(sfn: SFNClient, stateMachineArn: string, name: string, input: unknown): Promise<StartedExecution> {
  if (!EXECUTION_NAME.test(name)) {
    throw inputError(`execution name ${JSON.stringify(name)} is not 1-80 letters, digits, - or _`, { input: 'execution name' });
  }
  try {
    const response = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    return { executionArn: response.executionArn ?? executionArnFor(stateMachineArn, name), alreadyStarted: false };
  } catch (error) {
    if (awsErrorName(error) === 'ExecutionAlreadyExists') return { executionArn: executionArnFor(stateMachineArn, name), alreadyStarted: true };
    throw fromAwsError(error, { action: `start execution ${name}`, resource: stateMachineArn, kind: 'WorkflowError' });
  }
}

/** An ExecutionStarter for a deployed state machine. */
export function sfnStarter(sfn: SFNClient, stateMachineArn: string): ExecutionStarter {
  parseStateMachineArn(stateMachineArn);
  return { start: ({ name, input }) => startNamedExecution(sfn, stateMachineArn, name, input) };
}

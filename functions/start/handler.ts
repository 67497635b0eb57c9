import { SFNClient } from '@aws-sdk/client-sfn';
import { inputError } from '../../shared/errors.ts';
import { sfnStarter } from '../../shared/remote/start-execution.ts';
import type { ExecutionStarter } from '../../shared/workflow/execution-starter.ts';
import { lambdaHandler } from '../../shared/workflow/context.ts';
import { startJobsFromUploads } from '../../shared/workflow/start.ts';

let starter: ExecutionStarter | undefined;

/** Built on first use and kept by a warm Lambda; serverless.yml sets the ARN. */
function starterFor(arn: string | undefined): ExecutionStarter {
  if (starter === undefined) {
    if (!arn) throw inputError('LAMBDAFACE_STATE_MACHINE_ARN is not set', { input: 'LAMBDAFACE_STATE_MACHINE_ARN', hint: 'deploy with serverless.yml, which sets it' });
    starter = sfnStarter(new SFNClient({}), arn);
  }
  return starter;
}

/** Start: S3 upload of uploads/<job>/job.json -> validate -> StartExecution (idempotent per object version). */
export const handler = lambdaHandler((event, context) =>
  startJobsFromUploads(event, { s3: context.s3, starter: starterFor(context.config.stateMachineArn), models: context.config.deployedModels }),
);

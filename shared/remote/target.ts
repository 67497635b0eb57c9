import { ListStateMachinesCommand, ListTagsForResourceCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { inputError, parseInput } from '../errors.ts';
import { ModelsFingerprint } from '../workflow/execution-name.ts';
import { fromAwsError } from './aws-errors.ts';
import { parseStateMachineArn } from './start-execution.ts';

/** Where a remote search runs: the deployed state machine and the stack's bucket. */
export interface RemoteTarget {
  stateMachineArn: string;
  bucket: string;
  region: string;
}

/** `--stack <name>` or `--state-machine <arn> --bucket <name>`. */
export type RemoteTargetInput = { stack: string } | { stateMachineArn: string; bucket: string };

/** serverless.yml names the state machine `<stack>-face-search`... */
export const stateMachineNameForStack = (stack: string): string => `${stack}-face-search`;

/** ...and the bucket `<stack>-<account>-<region>` (custom.bucketName). */
export const bucketNameForStack = (stack: string, account: string, region: string): string => `${stack}-${account}-${region}`;

/**
 * Finds the state machine and bucket of a deployed stack from the names serverless.yml gives them,
 * with Step Functions' ListStateMachines only (no CloudFormation permission needed).
 */
export async function resolveRemoteTarget(target: RemoteTargetInput, sfn: SFNClient): Promise<RemoteTarget> {
  if ('stateMachineArn' in target) {
    const { region } = parseStateMachineArn(target.stateMachineArn, '--state-machine');
    if (!target.bucket) throw inputError('--state-machine needs --bucket', { input: '--bucket', hint: 'or pass --stack <name> to find both' });
    return { stateMachineArn: target.stateMachineArn, bucket: target.bucket, region };
  }
  const wanted = stateMachineNameForStack(target.stack);
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await sfn.send(new ListStateMachinesCommand({ nextToken, maxResults: 1000 }));
    } catch (error) {
      throw fromAwsError(error, { action: `list state machines to find stack ${target.stack}`, resource: `stack ${target.stack}` });
    }
    const found = page.stateMachines?.find((machine) => machine.name === wanted);
    if (found?.stateMachineArn) {
      const { account, region } = parseStateMachineArn(found.stateMachineArn);
      return { stateMachineArn: found.stateMachineArn, bucket: bucketNameForStack(target.stack, account, region), region };
    }
    nextToken = page.nextToken;
  } while (nextToken);
  const region = await sfn.config.region();
  throw inputError(`no state machine named ${wanted} in ${region}: is stack ${target.stack} deployed there?`, {
    input: '--stack',
    hint: 'deploy with `npx sls deploy --stage <stage>` (the stack is lambdaface-<stage>), or pass --region, or --state-machine <arn> --bucket <name>',
  });
}

/** The state machine's tag naming the models its functions run (serverless.yml, from the onnx layer's manifest). */
export const MODELS_TAG = 'lambdaface:models';

/**
 * The fingerprint of the models the deployed stack runs, from its state machine's tag; undefined
 * for a stack deployed before lambdaface tagged it, whose executions are named as it names them.
 */
export async function deployedModels(sfn: SFNClient, stateMachineArn: string): Promise<string | undefined> {
  let tags;
  try {
    tags = (await sfn.send(new ListTagsForResourceCommand({ resourceArn: stateMachineArn }))).tags;
  } catch (error) {
    throw fromAwsError(error, { action: 'read the tags of the state machine (states:ListTagsForResource), which say which models it runs', resource: stateMachineArn });
  }
  const tag = tags?.find((candidate) => candidate.key === MODELS_TAG);
  if (tag === undefined) return undefined;
  return parseInput(
    ModelsFingerprint,
    tag.value,
    `the state machine's tag ${MODELS_TAG}`,
    'deploy the stack again with `npm run package` and `npx sls deploy --package .serverless`',
  );
}

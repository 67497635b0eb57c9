import { lambdaHandler } from '../../shared/workflow/context.ts';
import { shardJob } from '../../shared/workflow/shard.ts';

/** Shard: video -> chunk manifest (intermediate/<id>/chunks.json). Input: the job input. */
export const handler = lambdaHandler(shardJob);

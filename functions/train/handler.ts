import { lambdaHandler } from '../../shared/workflow/context.ts';
import { trainJob } from '../../shared/workflow/train.ts';

/** Train: reference photos -> gallery (intermediate/<id>/gallery.json). Input: the job input. */
export const handler = lambdaHandler(trainJob);

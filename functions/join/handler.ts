import { lambdaHandler } from '../../shared/workflow/context.ts';
import { joinMontageJob } from '../../shared/workflow/join-montage.ts';

/** Join: the cut pieces -> montage.mp4 by stream copy, report.html with the montage's player. */
export const handler = lambdaHandler(joinMontageJob);

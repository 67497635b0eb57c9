import { lambdaHandler } from '../../shared/workflow/context.ts';
import { finishJob } from '../../shared/workflow/finish.ts';

/** Montage: chunk results -> timeline (json/csv/vtt), thumbnails, montage.mp4, report.html. */
export const handler = lambdaHandler(finishJob);

import { lambdaHandler } from '../../shared/workflow/context.ts';
import { montageJob } from '../../shared/workflow/montage.ts';

/** Montage: chunk results -> timeline (json/csv/vtt), thumbnails, montage.mp4, report.html. */
export const handler = lambdaHandler(montageJob);

import { lambdaHandler } from '../../shared/workflow/context.ts';
import { montageJob } from '../../shared/workflow/montage.ts';

/** Montage: chunk results -> timeline (json/csv/vtt), thumbnails, report.html, and the montage's pieces to cut. */
export const handler = lambdaHandler(montageJob);

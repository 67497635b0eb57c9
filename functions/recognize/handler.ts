import { lambdaHandler } from '../../shared/workflow/context.ts';
import { recognizeBatch } from '../../shared/workflow/recognize.ts';

/** Recognize: one Distributed Map child, a batch of chunks -> intermediate/<id>/chunks/<index>.json each, and its summary for Montage. */
export const handler = lambdaHandler(recognizeBatch);

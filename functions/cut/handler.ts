import { lambdaHandler } from '../../shared/workflow/context.ts';
import { cutPieceJob } from '../../shared/workflow/cut-piece.ts';

/** Cut: one CutPieces child, one montage piece -> intermediate/<id>/clips/<hash>.mp4. */
export const handler = lambdaHandler(cutPieceJob);

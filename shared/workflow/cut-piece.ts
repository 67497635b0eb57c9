import { parseInput } from '../errors.ts';
import { CutPieceEvent, type CutPieceResult } from '../schemas/montage-pieces.ts';
import { presignGet } from '../storage/s3.ts';
import type { HandlerContext } from './context.ts';
import { cutStoredPiece } from './montage-pieces.ts';

/**
 * Cut: one CutPieces child, one piece of the montage (at most 30 s, at most 480p high) cut from the
 * video over a presigned URL, or found already cut, and stored under intermediate/<id>/clips/<hash>.mp4.
 * Every piece is an invocation of its own, so the montage takes about as long as its longest piece.
 */
export async function cutPieceJob(raw: unknown, context: HandlerContext): Promise<CutPieceResult> {
  const { piece, cut } = parseInput(CutPieceEvent, raw, 'montage piece input');
  const url = await presignGet(context.s3, cut.bucket, cut.video.key, 3600);
  return cutStoredPiece(context.s3, cut, piece, { url, tmpDir: context.config.tmpDir, signal: context.deadline?.signal });
}

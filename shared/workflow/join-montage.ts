import { z } from 'zod';
import { parseInput, workflowError } from '../errors.ts';
import { roundTo } from '../numbers/round.ts';
import { renderReport, type MontagePlayer } from '../report/html.ts';
import { CutPieceResult, JoinEvent, PlannedPiece, ReportModel } from '../schemas/montage-pieces.ts';
import type { MontageResult } from '../schemas/montage-result.ts';
import { jobKeys } from '../storage/keys.ts';
import { getJson, putText } from '../storage/s3.ts';
import type { HandlerContext } from './context.ts';
import { readMapRunResults } from './map-results.ts';
import { montageFailure } from './montage-failure.ts';
import { joinStoredPieces } from './montage-pieces.ts';
import { reportInput } from './report-model.ts';

/** Shortened or left-out spans listed in the result (all of them are in the report). */
const MAX_OMISSIONS_LISTED = 50;

/**
 * Join: the pieces the CutPieces map cut, joined in order by stream copy into
 * jobs/<id>/montage.mp4, and the report written again with the montage's player. A piece that
 * could not be cut, or a join that fails, is a warning in the result and the report: the timeline,
 * thumbnails and report Montage wrote stand. Returns the search's result, the execution's output.
 */
export async function joinMontageJob(raw: unknown, context: HandlerContext): Promise<MontageResult> {
  const { result, montage, cut } = parseInput(JoinEvent, raw, 'join input');
  const { s3 } = context;
  const keys = jobKeys(montage.jobId);
  const model = await getJson(s3, montage.bucket, montage.report, ReportModel);
  const warnings: string[] = [];
  let player: MontagePlayer | null = null;
  let made: MontageResult['montage'];
  try {
    const pieces = await getJson(s3, montage.bucket, montage.pieces, z.array(PlannedPiece));
    const children = await readMapRunResults(s3, cut.ResultWriterDetails.Bucket, cut.ResultWriterDetails.Key, CutPieceResult);
    if (children.failed > 0) {
      throw workflowError(`${children.failed} of the ${pieces.length} montage pieces could not be cut (${children.firstFailure ?? 'no cause recorded'})`, {
        input: cut.MapRunArn,
        hint: 'run the search again: the pieces already cut are kept and only the others are cut',
      });
    }
    // Each Cut measured its piece: the join only copies (a piece whose result is not at hand is measured here).
    const durations = new Map(children.outputs.filter((piece) => piece.hash === pieces[piece.index]?.hash).map((piece) => [piece.index, piece.seconds]));
    const joined = await joinStoredPieces(s3, montage, pieces, { montageKey: keys.montage, tmpDir: context.config.tmpDir, signal: context.deadline?.signal, durations });
    player = { src: 'montage.mp4', placed: joined.placed, plan: model.plan };
    made = montageSummary(model.plan, { seconds: joined.seconds, pieces: pieces.length, reusedPieces: children.outputs.filter((piece) => piece.reused).length });
  } catch (error) {
    warnings.push(montageFailure(error));
  }
  await putText(s3, montage.bucket, keys.report, renderReport(reportInput({ ...model, warnings: [...model.warnings, ...warnings] }, player)), 'text/html');
  return {
    ...result,
    outputs: { ...result.outputs, montage: player === null ? null : keys.montage },
    ...(made === undefined ? {} : { montage: made }),
    warnings: [...result.warnings, ...warnings],
  };
}

/** What the result says about a montage made: how long, and what of the on-screen time it shortened or left out. */
function montageSummary(plan: ReportModel['plan'], made: { seconds: number; pieces: number; reusedPieces: number }): NonNullable<MontageResult['montage']> {
  return {
    seconds: roundTo(made.seconds, 3),
    onScreenSeconds: roundTo(plan.onScreenSeconds, 3),
    shownSeconds: roundTo(plan.shownSeconds, 3),
    capSeconds: plan.capSeconds,
    shortened: plan.omitted.filter((span) => span.shown > 0).length,
    leftOut: plan.omitted.filter((span) => span.shown === 0).length,
    omitted: plan.omitted
      .slice(0, MAX_OMISSIONS_LISTED)
      .map(({ start, end, names, shown }) => ({ start: roundTo(start, 3), end: roundTo(end, 3), names, shown: roundTo(shown, 3) })),
    pieces: made.pieces,
    reusedPieces: made.reusedPieces,
  };
}

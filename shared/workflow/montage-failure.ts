import { LambdafaceError } from '../errors.ts';

/**
 * The warning for a montage that could not be made: what went wrong and what to do. Only failures
 * of the work itself are turned into a warning (ffmpeg, storage, the time limit, the scratch disk);
 * anything else is a bug and fails the step.
 */
export function montageFailure(error: unknown): string {
  const systemError = error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
  if (!(error instanceof LambdafaceError) && !systemError) throw error;
  const hint = error instanceof LambdafaceError && error.hint ? ` (what to do: ${error.hint})` : '';
  return `no montage: ${(error as Error).message}${hint}; the timeline, thumbnails and report are complete`;
}

import { factKey, fileStamp, isProven, recordProven } from '../local/proven-cache.ts';
import { checkTools, ffmpegPath, ffprobePath } from '../video/ffmpeg.ts';

/**
 * checkTools, once per pair of executables on this machine: the very files (by their stamps) that
 * ran and said they are ffmpeg and ffprobe are not run again at every search; another file, or
 * the same one changed, is checked again.
 */
export async function checkToolsOnce(): Promise<void> {
  const key = factKey(fileStamp(ffmpegPath()), fileStamp(ffprobePath()));
  if (isProven('tools', key)) return;
  await checkTools();
  recordProven('tools', key);
}

import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { workflowError } from '../errors.ts';
import { jobKeys, keyPathProblem } from '../storage/keys.ts';
import { getToFile } from '../storage/s3.ts';
import type { MontageResult } from '../schemas/montage-result.ts';

/** The folder, inside `out`, that a download fills before anything in `out` is replaced. */
const STAGING_PREFIX = '.lambdaface-download-';

/**
 * What a search writes into its output folder, relative to it (the job's key layout without the
 * job prefix): replaced as a whole by the next search, so no old montage or thumbnail is ever
 * shown as this run's.
 */
function outputNames(): { files: string[]; thumbnails: string } {
  const keys = jobKeys('layout');
  const relative = (key: string): string => key.slice(keys.prefix.length);
  return {
    files: [keys.timelineJson, keys.timelineCsv, keys.timelineVtt, keys.timelineEdl, keys.chaptersVtt, keys.chaptersFfmetadata, keys.montage, keys.report].map(relative),
    thumbnails: relative(keys.thumbnailsPrefix).replace(/\/$/, ''),
  };
}

/**
 * The names Montage gives thumbnails: `<name made safe>-<8 hex digits of its hash>-<segment>.jpg`
 * for a person found (montage.ts thumbnailName), `unknown-u<n>-<face>.jpg` for an unknown person
 * (unknown-people.ts unknownThumbnailName). Only a file named so is an earlier search's thumbnail;
 * any other file in thumbnails/ (a photo of the user's own, say) is not lambdaface's to delete.
 */
const THUMBNAIL_NAME = /^(?:[A-Za-z0-9_-]+-[0-9a-f]{8}-\d+|unknown-u\d+-\d+)\.jpg$/;

/** Whether `file`, in an output folder's thumbnails/, is named as lambdaface names thumbnails. */
export const isThumbnailName = (file: string): boolean => THUMBNAIL_NAME.test(file);

/**
 * Removes the outputs an earlier search left in `out`: its files, the thumbnails it made (in
 * thumbnails/, named as it names them; the folder once empty) and the staging folders of a
 * download that was killed (all but `staging`, the current one).
 * Anything else the user keeps there stays.
 */
async function removePreviousOutputs(out: string, staging: string): Promise<void> {
  const { files, thumbnails } = outputNames();
  await Promise.all(files.map((file) => rm(join(out, file), { force: true })));
  const thumbnailDir = join(out, thumbnails);
  const old = await readdir(thumbnailDir).catch(() => []);
  await Promise.all(old.filter(isThumbnailName).map((file) => rm(join(thumbnailDir, file), { force: true })));
  await rmdir(thumbnailDir).catch(() => undefined);
  const stale = (await readdir(out)).filter((entry) => entry.startsWith(STAGING_PREFIX) && join(out, entry) !== staging);
  await Promise.all(stale.map((entry) => rm(join(out, entry), { recursive: true, force: true })));
}

/** Removes the staging folders of downloads into `out` (an interrupted search calls it on its way out). */
export function removeStagingFolders(out: string): void {
  const entries = existsSync(out) ? readdirSync(out) : [];
  for (const entry of entries) if (entry.startsWith(STAGING_PREFIX)) rmSync(join(out, entry), { recursive: true, force: true });
}

/**
 * Copies the outputs the Montage step reported (timeline, report, montage, thumbnails) into `out`,
 * keeping their layout under the job's prefix. Everything is downloaded into a staging folder in
 * `out` first; only when all of it is there are the previous search's outputs removed and the new
 * ones moved in (renames within one folder), so `out` never holds a partial or mixed set. Used by
 * local and remote searches alike.
 */
export async function downloadJobOutputs(s3: S3Client, result: Pick<MontageResult, 'jobId' | 'bucket' | 'outputs'>, out: string): Promise<string[]> {
  const { prefix } = jobKeys(result.jobId);
  const { timelineJson, timelineCsv, timelineVtt, exports, report, montage, thumbnails } = result.outputs;
  const keys = [timelineJson, timelineCsv, timelineVtt, ...exports, report, ...(montage ? [montage] : []), ...thumbnails];
  for (const key of keys) {
    // Keys come from the execution's output (on AWS, another system): none may lead outside `out`.
    if (!key.startsWith(prefix) || keyPathProblem(key) !== undefined) {
      throw workflowError(`the execution reported an output outside its job (${key})`, { input: key, hint: 'this is a bug in lambdaface; please report it' });
    }
  }
  const names = keys.map((key) => key.slice(prefix.length));
  await mkdir(out, { recursive: true });
  const staging = await mkdtemp(join(out, STAGING_PREFIX));
  try {
    for (const name of names) {
      const path = join(staging, name);
      await mkdir(dirname(path), { recursive: true });
      await getToFile(s3, result.bucket, prefix + name, path);
    }
    await removePreviousOutputs(out, staging);
    for (const name of names) {
      await mkdir(dirname(join(out, name)), { recursive: true });
      await rename(join(staging, name), join(out, name));
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return names.map((name) => join(out, name));
}

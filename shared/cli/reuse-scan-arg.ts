import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../errors.ts';
import { parseJsonBytes } from '../storage/s3.ts';
import { StorageJobId } from '../schemas/job.ts';
import { Timeline } from '../schemas/timeline.ts';

const FLAG = '--reuse-scan';

/**
 * The job whose scan `--reuse-scan` names: a job id as printed by an earlier search, or the
 * `--out` folder of that search (its timeline.json names the job).
 */
export async function resolveReuseScan(value: string): Promise<string> {
  const isFolder = await stat(value).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder) {
    const id = StorageJobId.safeParse(value);
    if (id.success) return id.data;
    throw inputError(`${FLAG} ${value} is neither a job id nor a folder`, {
      input: FLAG,
      hint: 'give the job id an earlier search printed ("job j-…"), or the --out folder it wrote',
    });
  }
  const path = join(value, 'timeline.json');
  const bytes = await readFile(path).catch(() => undefined);
  if (bytes === undefined) {
    throw inputError(`${FLAG} ${value} has no timeline.json`, { input: FLAG, hint: 'give the --out folder of an earlier search, or its job id' });
  }
  const parsed = parseJsonBytes(bytes, Timeline);
  const jobId = 'value' in parsed ? parsed.value.jobId : undefined;
  if (jobId === undefined) {
    throw inputError(`${path} does not name the job that wrote it (${'problem' in parsed ? parsed.problem : 'written by an earlier lambdaface'})`, {
      input: FLAG,
      hint: 'give the job id the search printed, or search the video once more to write a timeline that names it',
    });
  }
  return jobId;
}

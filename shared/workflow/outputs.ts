import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { workflowError } from '../errors.ts';
import { jobKeys } from '../storage/keys.ts';
import { getToFile } from '../storage/s3.ts';
import type { FinishResult } from './finish.ts';

/**
 * Copies the outputs the Montage step reported (timeline, report, montage, thumbnails) into `out`,
 * keeping their layout under the job's prefix. Used by local and remote searches alike.
 */
export async function downloadJobOutputs(s3: S3Client, result: Pick<FinishResult, 'jobId' | 'bucket' | 'outputs'>, out: string): Promise<string[]> {
  const { prefix } = jobKeys(result.jobId);
  const { timelineJson, timelineCsv, timelineVtt, report, montage, thumbnails } = result.outputs;
  const keys = [timelineJson, timelineCsv, timelineVtt, report, ...(montage ? [montage] : []), ...thumbnails];
  const files: string[] = [];
  for (const key of keys) {
    if (!key.startsWith(prefix)) {
      throw workflowError(`the execution reported an output outside its job (${key})`, { input: key, hint: 'this is a bug in lambdaface; please report it' });
    }
    const path = join(out, key.slice(prefix.length));
    await mkdir(dirname(path), { recursive: true });
    await getToFile(s3, result.bucket, key, path);
    files.push(path);
  }
  return files;
}

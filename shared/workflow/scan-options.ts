import type { S3Client } from '@aws-sdk/client-s3';
import type { SearchOptionsInput } from '../config/options.ts';
import { JobRecord, SCAN_OPTION_NAMES } from '../schemas/job.ts';
import { jobKeys } from '../storage/keys.ts';
import { readStoredJson } from '../storage/s3.ts';

/**
 * The options an earlier job scanned with, which a job reusing its scan must share (the CLI fills
 * them in for the user). Nothing when its record is absent or unreadable: Shard then refuses the
 * job and says why.
 */
export async function scanOptionsOf(s3: S3Client, bucket: string, jobId: string): Promise<Partial<SearchOptionsInput>> {
  const stored = await readStoredJson(s3, bucket, jobKeys(jobId).record, JobRecord);
  if (!('value' in stored)) return {};
  return Object.fromEntries(SCAN_OPTION_NAMES.map((name) => [name, stored.value.options[name]]));
}

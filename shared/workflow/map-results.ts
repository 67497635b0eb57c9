import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { getJson } from '../storage/s3.ts';
import { parseErrorCause } from './error-cause.ts';

/** A Map Run's ResultWriter manifest (Step Functions' layout: manifest.json beside SUCCEEDED_n/FAILED_n files). */
const Manifest = z.object({
  ResultFiles: z.object({
    SUCCEEDED: z.array(z.object({ Key: z.string() })).default([]),
    FAILED: z.array(z.object({ Key: z.string() })).default([]),
  }),
});

/** One child execution's record in a result file (Transformation NONE): Output and Cause are JSON text. */
const ChildRecord = z.object({ Output: z.string().optional(), Error: z.string().optional(), Cause: z.string().optional() });

export interface MapRunResults<T> {
  /** What each child that succeeded returned, as `schema` reads it (a record it cannot read is counted as failed). */
  outputs: T[];
  failed: number;
  /** The first failure's error and message, to say why. */
  firstFailure: string | undefined;
}

/** The children's results of a Map Run whose ResultWriter wrote `manifestKey`. */
export async function readMapRunResults<T>(s3: S3Client, bucket: string, manifestKey: string, schema: z.ZodType<T>): Promise<MapRunResults<T>> {
  const manifest = await getJson(s3, bucket, manifestKey, Manifest);
  const outputs: T[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  for (const file of manifest.ResultFiles.SUCCEEDED) {
    for (const record of await getJson(s3, bucket, file.Key, z.array(ChildRecord))) {
      const output = schema.safeParse(record.Output === undefined ? undefined : JSON.parse(record.Output));
      if (output.success) outputs.push(output.data);
      else failed++;
    }
  }
  for (const file of manifest.ResultFiles.FAILED) {
    const records = await getJson(s3, bucket, file.Key, z.array(ChildRecord));
    failed += records.length;
    const first = records[0];
    firstFailure ??= first === undefined ? undefined : `${first.Error ?? 'States.TaskFailed'}: ${parseErrorCause(first.Cause ?? '').errorMessage}`;
  }
  return { outputs, failed, firstFailure };
}

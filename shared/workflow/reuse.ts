import type { S3Client } from '@aws-sdk/client-s3';
import type { ZodType } from 'zod';
import type { ChunkRange, ChunkResult } from '../schemas/faces.ts';
import { jobKeys, type JobKeys } from '../storage/keys.ts';
import { readStoredJson, s3Url } from '../storage/s3.ts';

/** What a step found where its result may already be: reuse it, or compute it (and why, if an object was there). */
export type Reusable<T> = { reuse: true; value: T } | { reuse: false; rejected?: string };

/**
 * Reads a stored result a step would otherwise compute, and hands it back only when it parses and
 * `ownerProblem` finds nothing wrong (same job, same models, same chunk...). A cut-short, foreign or
 * stale object is not an error that fails every re-run: the step recomputes and overwrites it (or,
 * where it cannot, says what happens instead), and the reason, naming the object, is logged and
 * returned for the step's result.
 */
export async function readReusable<T>(
  s3: S3Client,
  bucket: string,
  key: string,
  schema: ZodType<T>,
  ownerProblem: (value: T) => string | undefined,
  instead = 'computing it again',
): Promise<Reusable<T>> {
  const stored = await readStoredJson(s3, bucket, key, schema);
  if (!stored.found) return { reuse: false };
  const problem = 'problem' in stored ? stored.problem : ownerProblem(stored.value);
  if (problem === undefined && 'value' in stored) return { reuse: true, value: stored.value };
  const rejected = `${s3Url(bucket, key)} ${problem}; ${instead}`;
  console.warn(`lambdaface: ${rejected}`);
  return { reuse: false, rejected };
}

/**
 * Where an intermediate named by its content (a thumbnail, a montage piece) may be stored already:
 * under this job's key first, then under the earlier job's whose scan this one reuses. The same
 * name is the same bytes, so one found under the earlier job's is copied to this job's and used.
 */
export const storedPlaces = (jobId: string, scannedBy: string | undefined, keyOf: (keys: JobKeys) => string): [own: string, ...earlier: string[]] => [
  keyOf(jobKeys(jobId)),
  ...(scannedBy === undefined ? [] : [keyOf(jobKeys(scannedBy))]),
];

/** The ownership checks shared by stored galleries and chunk results: the problem, or undefined. */
export function ownerMismatch(stored: { jobId: string; models: string }, expected: { jobId: string; models: string }): string | undefined {
  if (stored.jobId !== expected.jobId) return `belongs to job ${stored.jobId}, not ${expected.jobId}`;
  if (stored.models !== expected.models) return `was computed by models ${stored.models}, not the installed ${expected.models}`;
  return undefined;
}

/** What proves a stored chunk result (or its summary) is this chunk's for this job. */
export interface ChunkExpectation {
  jobId: string;
  models: string;
  chunk: ChunkRange;
  sampleFps: number;
}

/** Why a stored chunk result is not this chunk's result for this job, or undefined if it is. */
export function chunkMismatch(stored: Pick<ChunkResult, 'jobId' | 'models' | 'chunk' | 'sampleFps'>, expected: ChunkExpectation): string | undefined {
  const owner = ownerMismatch(stored, expected);
  if (owner) return owner;
  const { index, start, end } = expected.chunk;
  if (stored.chunk.index !== index || stored.chunk.start !== start || stored.chunk.end !== end) {
    return `covers chunk ${stored.chunk.index} [${stored.chunk.start}, ${stored.chunk.end}), not ${index} [${start}, ${end})`;
  }
  if (stored.sampleFps !== expected.sampleFps) return `was sampled at ${stored.sampleFps} fps, not ${expected.sampleFps}`;
  return undefined;
}

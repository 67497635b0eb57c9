import { posix } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { describeError, inputError, LambdafaceError, parseInput } from '../errors.ts';
import { JobInput } from '../schemas/job.ts';
import { keyPathProblem, UPLOADS_PREFIX } from '../storage/keys.ts';
import { getBytesUpTo, s3Url } from '../storage/s3.ts';
import type { ExecutionStarter } from './execution-starter.ts';
import { executionNameForJob } from './execution-name.ts';
import { resolveJob } from './job.ts';

/**
 * The upload trigger: a `job.json` put under `uploads/` starts a search. It holds a job input
 * (shared/schemas/job.ts) with two conveniences for a file that sits beside its inputs:
 * `bucket` may be left out (the upload's bucket), and a key starting with `./` is relative to
 * the job file's folder:
 *
 * ```json
 * { "video": { "key": "./talk.mp4" }, "faces": [{ "name": "ada", "prefix": "./ada/" }] }
 * ```
 */
export const JOB_FILE = 'job.json';

/** One uploaded object, from an S3 event notification record. */
export interface UploadedObject {
  bucket: string;
  /** Decoded (S3 sends keys form-encoded: `my+talk.mp4`). */
  key: string;
  eTag: string | undefined;
  sequencer: string | undefined;
}

const S3EventRecord = z.object({
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      eTag: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

const S3Event = z.object({ Records: z.array(z.unknown()) });

/** S3 encodes keys in notifications like a form field: `+` for a space, %XX for the rest. */
export function decodeEventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

export const isJobFileKey = (key: string): boolean => key.startsWith(UPLOADS_PREFIX) && posix.basename(key) === JOB_FILE;

/**
 * The job files among an S3 event's records: created objects named job.json under uploads/.
 * Other records (a test event, an object the notification filter should not have sent) are
 * ignored, since S3 cannot be told to stop sending them.
 */
export function jobUploads(event: unknown): UploadedObject[] {
  const { Records } = parseInput(S3Event, event, 'S3 event', 'the start function is triggered by S3 ObjectCreated notifications');
  const uploads: UploadedObject[] = [];
  for (const raw of Records) {
    const record = S3EventRecord.safeParse(raw);
    if (!record.success || !record.data.eventName.startsWith('ObjectCreated:')) continue;
    const key = decodeEventKey(record.data.s3.object.key);
    if (!isJobFileKey(key)) continue;
    uploads.push({ bucket: record.data.s3.bucket.name, key, eTag: record.data.s3.object.eTag, sequencer: record.data.s3.object.sequencer });
  }
  return uploads;
}

const JobFile = z.object({ bucket: z.string().optional() }).passthrough();

/**
 * `./x` → `<folder>/x`. The rest of the key is joined, not normalised: a `.` or `..` segment is
 * refused, since normalising would let `./../../other/` read outside the job's folder (and hide
 * the `..` from the schema's key check).
 */
function resolveKey(key: unknown, folder: string, field: string, where: string): unknown {
  if (typeof key !== 'string' || !key.startsWith('./')) return key;
  const relative = key.slice(2);
  if (keyPathProblem(relative)) {
    throw inputError(
      `${where}: ${field} ${JSON.stringify(key)} would leave the job file's folder (${folder}/): a "./" key may not contain "." or ".." segments, backslashes or NUL`,
      {
        input: where,
        hint: `name the object inside ${folder}/ (e.g. "./talk.mp4"), or give its full key without "./"`,
      },
    );
  }
  return `${folder}/${relative}`;
}

/** Fills `bucket` and resolves `./` keys against the job file's folder; everything else is left for the schema. */
export function completeJobFile(raw: unknown, upload: UploadedObject): unknown {
  const where = s3Url(upload.bucket, upload.key);
  const file = parseInput(JobFile, raw, where, 'a job file is a JSON object: see docs/deploy.md, "Upload trigger"');
  const folder = posix.dirname(upload.key);
  const video = file['video'];
  const faces = file['faces'];
  return {
    ...file,
    bucket: file.bucket ?? upload.bucket,
    ...(typeof video === 'object' && video !== null ? { video: { ...video, key: resolveKey((video as { key?: unknown }).key, folder, 'video.key', where) } } : {}),
    ...(Array.isArray(faces)
      ? {
          faces: faces.map((face: unknown, index) => {
            if (typeof face !== 'object' || face === null) return face;
            const { keys, prefix } = face as { keys?: unknown; prefix?: unknown };
            return {
              ...face,
              ...(Array.isArray(keys) ? { keys: keys.map((key: unknown, k) => resolveKey(key, folder, `faces.${index}.keys.${k}`, where)) } : {}),
              ...(prefix === undefined ? {} : { prefix: resolveKey(prefix, folder, `faces.${index}.prefix`, where) }),
            };
          }),
        }
      : {}),
  };
}

/**
 * The largest job file read: Step Functions refuses an execution input over 256 KB, so a larger
 * job could never start, and reading and validating a file of any size (a 12 MB list of people)
 * would hold the start function's memory for nothing.
 */
export const JOB_FILE_MAX_BYTES = 256 * 1024;

/** Reads and validates one uploaded job file: an InputError naming the object and each bad field. */
export async function readJobFile(s3: S3Client, upload: UploadedObject): Promise<JobInput> {
  const where = s3Url(upload.bucket, upload.key);
  const tooLarge = (size: number) =>
    inputError(
      `${where} is ${size.toLocaleString('en-US')} bytes; a job file may be at most ${JOB_FILE_MAX_BYTES.toLocaleString('en-US')} bytes (256 KB, Step Functions' cap on a job's input)`,
      {
        input: where,
        hint: 'list fewer people or photos: give each person a "prefix" of photos rather than many "keys"',
      },
    );
  const text = new TextDecoder('utf-8').decode(await getBytesUpTo(s3, upload.bucket, upload.key, JOB_FILE_MAX_BYTES, tooLarge));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw inputError(`${where} is not valid JSON: ${(error as Error).message}`, { input: where, hint: 'fix the file and upload it again', cause: error });
  }
  return parseInput(JobInput, completeJobFile(raw, upload), where, 'fix the file and upload it again; see docs/deploy.md, "Upload trigger"');
}

export interface StartOutcome {
  started: { key: string; executionName: string; executionArn: string; alreadyStarted: boolean }[];
  /** Job files that are not valid: reported, not retried (a retry would read the same bytes). */
  rejected: { key: string; error: string }[];
}

export interface StartDependencies {
  s3: S3Client;
  starter: ExecutionStarter;
  /** The deployment's models fingerprint (serverless.yml sets LAMBDAFACE_MODELS): part of every execution's name. */
  models?: string | undefined;
  log?: (message: string) => void;
}

/**
 * The start function: for each job.json in an S3 event, validate it and start the state machine
 * under the job's id (one job runs once). An invalid job file is logged and skipped; anything else
 * (S3 or Step Functions failing, throttling) is thrown so the event is delivered again — which
 * is safe, since names make every start idempotent. A job that already ran or runs is not an error:
 * it is logged as already started, with its execution.
 */
export async function startJobsFromUploads(event: unknown, deps: StartDependencies): Promise<StartOutcome> {
  const log = deps.log ?? ((message: string) => console.log(message));
  const outcome: StartOutcome = { started: [], rejected: [] };
  const failures: unknown[] = [];
  for (const upload of jobUploads(event)) {
    let input: JobInput;
    let executionName: string;
    try {
      input = await readJobFile(deps.s3, upload);
      // The job's id names the execution: the same search uploaded twice (or S3 delivering the
      // event twice, or a retry) runs once; a missing video or photo is an invalid job here.
      executionName = executionNameForJob((await resolveJob(input, deps.s3)).job.jobId, deps.models);
    } catch (error) {
      if (error instanceof LambdafaceError && error.kind === 'InputError') {
        outcome.rejected.push({ key: upload.key, error: describeError(error) });
        log(`rejected ${s3Url(upload.bucket, upload.key)}: ${describeError(error)}`);
      } else {
        failures.push(error);
      }
      continue;
    }
    try {
      const started = await deps.starter.start({ name: executionName, input });
      outcome.started.push({ key: upload.key, executionName, ...started });
      log(`${started.alreadyStarted ? 'already started' : 'started'} ${started.executionArn} for ${s3Url(upload.bucket, upload.key)}`);
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
  return outcome;
}

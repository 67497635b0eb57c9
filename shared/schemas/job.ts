import { z } from 'zod';
import { SearchOptions } from '../config/options.ts';
import { keyPathProblem } from '../storage/keys.ts';
import type { VideoInfo } from '../video/types.ts';

const S3Key = z
  .string()
  .min(1)
  .max(1024)
  .refine((key) => !key.startsWith('/'), 'an S3 key must not start with "/"')
  .superRefine((key, ctx) => {
    const problem = keyPathProblem(key);
    if (problem) ctx.addIssue({ code: 'custom', message: `the key ${JSON.stringify(key)} ${problem}; name the object without them` });
  });

/**
 * The most people one job may enrol. A job's gallery is built and matched as a whole, so a list
 * of hundreds of thousands of names (a few MB of JSON) would exhaust memory long before it found
 * anyone; a thousand is far beyond any real search.
 */
export const MAX_PEOPLE = 1000;

export const IdentityName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.'-]{0,63}$/, "a name is 1-64 ASCII letters (a-z, A-Z), digits, spaces, _ . ' or -");

/** The id an unknown person has in the job that found them: `u1`, `u2`, … in order of first appearance (shared/timeline/unknown-people.ts). */
export const UnknownPersonId = z.string().regex(/^u[1-9][0-9]{0,5}$/, "an unknown person's id is u followed by a number, e.g. u3");

/**
 * One person to enrol: reference photos (explicit keys and/or every image under a prefix), or an
 * unknown person an earlier job found (`cluster`, that job being `video.scannedBy`), enrolled from
 * that job's own faces of them.
 */
export const FaceInput = z
  .object({
    name: IdentityName,
    keys: z.array(S3Key).default([]),
    prefix: S3Key.optional(),
    cluster: UnknownPersonId.optional(),
  })
  .strict()
  .refine((face) => (face.cluster === undefined) === (face.keys.length > 0 || face.prefix !== undefined), {
    message: 'give the photos as "keys" or a "prefix", or an unknown person of the scanned job as "cluster" (not both)',
  });

/** A job's storage id (shared/workflow/job.ts): its label, if any, and a fingerprint of its content. */
export const StorageJobId = z.string().regex(/^[a-z0-9][a-z0-9-]{2,127}$/, 'a storage job id is 3-128 lowercase letters, digits or -');

const VideoInput = z
  .object({
    key: S3Key,
    /**
     * The storage id of an earlier job on the same video: its stored scan (every face with its
     * descriptors and track) is named again with this job's gallery, and the video is not decoded.
     * Shard proves the earlier job scanned this very video with the same sampling.
     */
    scannedBy: StorageJobId.optional(),
  })
  .strict();

const JobFields = z
  .object({
    /** A label for the job: its storage id is the label plus a fingerprint of the job's content. */
    jobId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'a job id is 3-64 lowercase letters, digits or -')
      .optional(),
    bucket: z.string().min(3).max(63),
    video: VideoInput,
    /** Nobody enrolled (none, or an empty list) asks only who is in the video: the unknown people. */
    faces: z.array(FaceInput).max(MAX_PEOPLE, `a job may enrol at most ${MAX_PEOPLE} people; split the search into several jobs`).default([]),
    options: SearchOptions.default(SearchOptions.parse({})),
  })
  .strict();

function eachNameOnce(job: { faces: readonly { name: string; cluster?: string | undefined }[]; video: { scannedBy?: string | undefined } }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  const clusterNames = new Map<string, string>();
  for (const [index, face] of job.faces.entries()) {
    if (seen.has(face.name)) {
      ctx.addIssue({ code: 'custom', path: ['faces', index, 'name'], message: `"${face.name}" is enrolled twice` });
    }
    seen.add(face.name);
    // One person under two names would be named twice on every face of theirs.
    const other = face.cluster === undefined ? undefined : clusterNames.get(face.cluster);
    if (other !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['faces', index, 'cluster'],
        message: `unknown person ${face.cluster} is enrolled twice, as "${other}" and as "${face.name}": give them one name`,
      });
    }
    if (face.cluster !== undefined) clusterNames.set(face.cluster, face.name);
    // An unknown person's id means something only in the job that found them.
    if (face.cluster !== undefined && job.video.scannedBy === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['faces', index, 'cluster'],
        message: `"${face.name}" is unknown person ${face.cluster} of an earlier job: name that job as video.scannedBy`,
      });
    }
  }
}

/**
 * The job input: what a user pastes into the Step Functions console, what the upload trigger
 * starts, and what the local runner hands the same state machine.
 */
export const JobInput = JobFields.superRefine(eachNameOnce);

export type JobInput = z.infer<typeof JobInput>;
export type JobInputDraft = z.input<typeof JobInput>;

/**
 * A job input after the first step (shared/workflow/job.ts): `jobId` is the storage id, always
 * derived from the job's content, and `label` is the id the user gave, if any.
 */
export const Job = JobFields.extend({
  jobId: StorageJobId,
  label: z.string().optional(),
}).superRefine(eachNameOnce);
export type Job = z.infer<typeof Job>;

/** The options that decide what a scan finds: a stored scan serves a later job only if they agree. */
export const SCAN_OPTION_NAMES = ['sampleFps', 'chunkSeconds', 'smallFaces'] as const;

/** shared/video/types.ts VideoInfo as stored in a job record. */
export const StoredVideoInfo = z.object({
  durationSeconds: z.number().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  fps: z.number().positive(),
  frameCount: z.number().int().positive().optional(),
  startTime: z.number(),
  fileStartTime: z.number(),
  rotation: z.number().int(),
  codec: z.string(),
  hasAudio: z.boolean(),
}) satisfies z.ZodType<VideoInfo>;

/** What a job scanned (intermediate/<id>/job.json, written by Shard): read back when a later job reuses the scan. */
export const JobRecord = z.object({
  version: z.literal(1),
  jobId: StorageJobId,
  video: z.object({ key: z.string().min(1), etag: z.string().min(1) }),
  options: SearchOptions,
  /** A hash of the recognizer's own settings (shared/recognize/fingerprint.ts) when the job ran. */
  recognizer: z.string().min(1),
  /**
   * Shard's probe of the video, which Recognize decodes with instead of probing again: the
   * recognize function ships without ffprobe. Absent in records written before it was kept.
   */
  probe: StoredVideoInfo.optional(),
});
export type JobRecord = z.infer<typeof JobRecord>;

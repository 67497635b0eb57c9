import { createHash } from 'node:crypto';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsErrorShape, inputError, parseInput } from '../errors.ts';
import { RECOGNITION_FINGERPRINT } from '../recognize/fingerprint.ts';
import { JobInput, type Job } from '../schemas/job.ts';
import { listKeys, s3Url } from '../storage/s3.ts';
import { isPhotoPath, PHOTO_EXTENSIONS } from '../config/photos.ts';
import { readUnknownPerson, unknownPersonDigest } from './cluster-enrolment.ts';

export interface ResolvedJob {
  job: Job;
  /** The video's ETag: a later job that reuses this one's scan checks it is the same video. */
  videoTag: string;
  /** Every reference photo per person, keys expanded from prefixes, with their ETags (same order); no keys for an unknown person of the scanned job (`cluster`). */
  photos: { name: string; keys: string[]; tags: string[]; cluster?: string }[];
}

const JOB_HINT = 'see "Job input" in the README for the format and a sample';

async function etagOf(s3: S3Client, bucket: string, key: string, what: string): Promise<string> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ETag ?? `${head.ContentLength}-${head.LastModified?.toISOString()}`;
  } catch (error) {
    const { status } = awsErrorShape(error);
    if (status === 404 || status === 403) {
      throw inputError(`${what} ${s3Url(bucket, key)} does not exist or cannot be read`, {
        input: what,
        hint: 'upload it first, or correct the key in the job input',
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Validates a raw job input and fixes its storage identity: a fingerprint of the content of the
 * video and photos (their ETags), the options and the recognizer's own settings. Re-running the
 * same search resumes it; a search that differs in anything never reads another's objects. A
 * `jobId` the user gives is only a label in front of the fingerprint, so reusing a label for
 * another search starts a new job instead of returning the old one's results. (The models are
 * not part of the id, since Shard runs without them; every stored gallery and chunk result
 * names its models, and Train and Recognize recompute what other models made.) Train and Shard
 * both call this on the same input and so agree on the id without talking to each other.
 */
export async function resolveJob(raw: unknown, s3: S3Client): Promise<ResolvedJob> {
  const input = parseInput(JobInput, raw, 'job input', JOB_HINT);
  const videoTag = await etagOf(s3, input.bucket, input.video.key, 'video');
  const photos: ResolvedJob['photos'] = [];
  const identity: unknown[] = [];
  for (const face of input.faces) {
    if (face.cluster !== undefined) {
      // The schema requires video.scannedBy with a cluster; the person's tracks are part of the job's content.
      const { person } = await readUnknownPerson(s3, input.bucket, input.video.scannedBy!, { name: face.name, cluster: face.cluster });
      photos.push({ name: face.name, keys: [], tags: [], cluster: face.cluster });
      identity.push({ name: face.name, cluster: face.cluster, tracks: unknownPersonDigest(person) });
      continue;
    }
    const listed = face.prefix === undefined ? [] : (await listKeys(s3, input.bucket, face.prefix)).filter(isPhotoPath);
    const keys = [...new Set([...face.keys, ...listed])].sort();
    if (keys.length === 0) {
      throw inputError(`no photos for ${face.name}: nothing with a photo extension under ${s3Url(input.bucket, face.prefix ?? '')}`, {
        input: `faces.${face.name}`,
        hint: `upload ${PHOTO_EXTENSIONS.join('/')} files there or list them in "keys"`,
      });
    }
    const tags = await Promise.all(keys.map((key) => etagOf(s3, input.bucket, key, `photo of ${face.name}`)));
    photos.push({ name: face.name, keys, tags });
    identity.push({ name: face.name, photos: keys.map((key, i) => [key, tags[i]]) });
  }
  const { jobId: label, ...content } = input;
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify({ video: [content.video.key, videoTag, content.video.scannedBy ?? null], faces: identity, options: content.options, recognizer: RECOGNITION_FINGERPRINT }),
    )
    .digest('hex');
  const jobId = label === undefined ? `j-${fingerprint.slice(0, 20)}` : `${label}-${fingerprint.slice(0, 16)}`;
  return { job: { ...content, jobId, ...(label === undefined ? {} : { label }) }, videoTag, photos };
}

import { createHash } from 'node:crypto';
import { inputError } from '../errors.ts';

/**
 * The one place that knows where a job's objects live in the bucket. A job's results are under
 * `jobs/<jobId>/` and its intermediate objects under `intermediate/<jobId>/`, so two jobs never
 * touch each other's objects, a finished chunk is found at a known key (resuming checks it is this
 * job's and skips it), and each kind can expire on its own: a lifecycle rule matches a key's
 * beginning, so the kind comes first (the bucket's rules in tools/deploy/resources.yml).
 *
 * ```
 * uploads/...                                  inputs copied in by the CLI (videos, photos)
 * intermediate/enrolments/<hash>.json         Train: one person's enrolment, reused by any job with the same name, photos, models
 * intermediate/<jobId>/job.json               Shard: what the job scanned (video and its ETag, options)
 * intermediate/<jobId>/gallery.json            Train: embeddings per identity
 * intermediate/<jobId>/chunks.json             Shard: chunk manifest, the Distributed Map's ItemReader
 * intermediate/<jobId>/chunks/<index>.json     Recognize: every face of one chunk
 * intermediate/<jobId>/chunks/<index>.summary.json  Recognize: what Montage reads of it (no descriptors)
 * intermediate/<jobId>/results/<mapRunId>/...  the Distributed Maps' ResultWriter (manifest + SUCCEEDED_n/FAILED_n)
 * intermediate/<jobId>/unknown-people.json     Montage: the unknown people's track descriptors (read by a job enrolling one)
 * intermediate/<jobId>/montage/pieces.json     Montage: the montage's pieces, the CutPieces map's ItemReader
 * intermediate/<jobId>/montage/report.json     Montage: what the report shows, for Join to add the montage's player
 * intermediate/<jobId>/clips/<hash>.mp4        Cut: one piece of the montage, named by a hash of all it is made of
 * intermediate/<jobId>/thumbs/<hash>.jpg       Montage: one thumbnail, named by a hash of all it is made of
 * jobs/<jobId>/timeline.{json,csv,vtt}         Montage
 * jobs/<jobId>/timeline.edl                    Montage: an edit list of every segment
 * jobs/<jobId>/chapters.{vtt,ffmetadata}       Montage: chapter markers
 * jobs/<jobId>/montage.mp4                     Join: the pieces joined by stream copy
 * jobs/<jobId>/report.html                     Montage, written again by Join with the montage's player
 * jobs/<jobId>/thumbnails/<name>               Montage
 * ```
 */

/** Where intermediate objects live: descriptors and plans a finished job no longer needs. */
export const INTERMEDIATE_PREFIX = 'intermediate/';
/** Where results live. */
export const RESULTS_PREFIX = 'jobs/';

/** Letters, digits, `-`, `_` and `.`; no `/`, no leading dot, so it is exactly one key segment. */
const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** Returns `jobId` if it is one safe key segment, else throws an InputError naming it. */
export function checkJobId(jobId: string): string {
  if (!SAFE_SEGMENT.test(jobId)) {
    throw inputError(`job id ${JSON.stringify(jobId)} is not a safe S3 key segment`, {
      input: 'jobId',
      hint: 'use 1-128 letters, digits, "-", "_" or "." (not starting with ".")',
    });
  }
  return jobId;
}

/**
 * The name of an intermediate made of `content` (a thumbnail, a montage piece): the SHA-256 of
 * content's JSON, 40 hex digits. The same name means the same bytes, so a stored one is reused.
 */
export const contentName = (content: unknown): string => createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 40);

function checkSegment(segment: string, what: string): string {
  if (!SAFE_SEGMENT.test(segment)) {
    throw inputError(`${what} ${JSON.stringify(segment)} is not a safe S3 key segment`, {
      input: what,
      hint: 'use 1-128 letters, digits, "-", "_" or "." (not starting with ".")',
    });
  }
  return segment;
}

/** `jobs/<jobId>/`: every result of one job is under this prefix. */
export function jobPrefix(jobId: string): string {
  return `${RESULTS_PREFIX}${checkJobId(jobId)}/`;
}

/** `intermediate/<jobId>/`: every intermediate object of one job is under this prefix. */
export function intermediatePrefix(jobId: string): string {
  return `${INTERMEDIATE_PREFIX}${checkJobId(jobId)}/`;
}

/**
 * `intermediate/enrolments/<hash>.json`: one person's enrolment, shared by every job whose photos,
 * name, models and recognizer hash to it (shared/workflow/enrolments.ts). No job id is
 * `enrolments` (ids are `j-<hex>` or `<label>-<hex>`), so this never lands in a job's folder.
 */
export const enrolmentKey = (hash: string): string => `${INTERMEDIATE_PREFIX}enrolments/${checkSegment(hash, 'enrolment hash')}.json`;

/** The key layout of one job, computed once the job id is known. */
export interface JobKeys {
  /** The results' prefix. */
  readonly prefix: string;
  /** The intermediate objects' prefix. */
  readonly intermediatePrefix: string;
  /** What the job scanned, so a later search can prove an earlier scan is of its video. */
  readonly record: string;
  readonly gallery: string;
  /** The chunk manifest: a JSON array of `{ index, start, end }`, read by the Distributed Map. */
  readonly chunks: string;
  /** Where Recognize writes the faces of chunk `index`. */
  chunkFaces(index: number): string;
  /** Where Recognize writes what Montage reads of chunk `index`'s result (shared/schemas/chunk-summary.ts). */
  chunkSummary(index: number): string;
  /** A montage piece, by the hash of what it is cut from and how (shared/workflow/montage-pieces.ts). */
  clip(hash: string): string;
  /** The montage's pieces, a JSON array the CutPieces map reads (shared/schemas/montage-pieces.ts PlannedPiece). */
  readonly montagePieces: string;
  /** What the report needs, for Join to render it again with the montage's player. */
  readonly montageReport: string;
  /** A thumbnail, by the hash of what it is cut from and how (shared/workflow/stored-thumbnails.ts). */
  thumb(hash: string): string;
  /** The Distributed Map's ResultWriter Prefix (no trailing slash: Step Functions adds `/<mapRunId>/`). */
  readonly results: string;
  /** The unknown people Montage found, with their tracks' descriptors: a later job enrols one from here. */
  readonly unknownPeople: string;
  readonly timelineJson: string;
  readonly timelineCsv: string;
  readonly timelineVtt: string;
  /** CMX3600 edit list of every segment. */
  readonly timelineEdl: string;
  /** Chapter markers, as WebVTT chapters and as an ffmetadata file. */
  readonly chaptersVtt: string;
  readonly chaptersFfmetadata: string;
  readonly montage: string;
  readonly report: string;
  readonly thumbnailsPrefix: string;
  thumbnail(name: string): string;
}

function checkIndex(index: number): number {
  if (!Number.isSafeInteger(index) || index < 0) throw inputError(`chunk index ${index} is not a non-negative integer`, { input: 'chunk.index' });
  return index;
}

export function jobKeys(jobId: string): JobKeys {
  const prefix = jobPrefix(jobId);
  const work = intermediatePrefix(jobId);
  return {
    prefix,
    intermediatePrefix: work,
    record: `${work}job.json`,
    gallery: `${work}gallery.json`,
    chunks: `${work}chunks.json`,
    chunkFaces: (index: number): string => `${work}chunks/${checkIndex(index)}.json`,
    chunkSummary: (index: number): string => `${work}chunks/${checkIndex(index)}.summary.json`,
    clip: (hash: string): string => `${work}clips/${checkSegment(hash, 'clip hash')}.mp4`,
    montagePieces: `${work}montage/pieces.json`,
    montageReport: `${work}montage/report.json`,
    thumb: (hash: string): string => `${work}thumbs/${checkSegment(hash, 'thumbnail hash')}.jpg`,
    results: `${work}results`,
    unknownPeople: `${work}unknown-people.json`,
    timelineJson: `${prefix}timeline.json`,
    timelineCsv: `${prefix}timeline.csv`,
    timelineVtt: `${prefix}timeline.vtt`,
    timelineEdl: `${prefix}timeline.edl`,
    chaptersVtt: `${prefix}chapters.vtt`,
    chaptersFfmetadata: `${prefix}chapters.ffmetadata`,
    montage: `${prefix}montage.mp4`,
    report: `${prefix}report.html`,
    thumbnailsPrefix: `${prefix}thumbnails/`,
    thumbnail: (name: string): string => `${prefix}thumbnails/${checkSegment(name, 'thumbnail name')}`,
  };
}

/**
 * Why `key` may not be used as an object key here, or undefined when it may: a `.` or `..`
 * segment, a backslash or a NUL. S3 itself allows them, but a file-backed store (the embedded
 * server joins keys onto its folder) and any later path join would climb out with them, and
 * "a/../b" names a different object than the one a reader would expect.
 */
export function keyPathProblem(key: string): string | undefined {
  if (key.includes('\0')) return 'contains a NUL character';
  if (key.includes('\\')) return 'contains a backslash';
  if (key.split('/').some((segment) => segment === '.' || segment === '..')) return 'has a "." or ".." segment';
  return undefined;
}

/** A key's last segment: for an upload (uploads/<hash>/<name>), the user's file name. */
export const lastSegment = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/** `uploads/`: where the CLI puts local inputs (videos, photos) before a job reads them. */
export const UPLOADS_PREFIX = 'uploads/';

/** `uploads/<segment>/<segment>...`, each segment checked, e.g. `uploadKey(sha256, 'talk.mp4')`. */
export function uploadKey(...segments: string[]): string {
  if (segments.length === 0) throw inputError('an upload key needs at least one segment', { input: 'upload key' });
  return UPLOADS_PREFIX + segments.map((segment) => checkSegment(segment, 'upload key segment')).join('/');
}

import type { S3Client } from '@aws-sdk/client-s3';
import type { ChunkRange } from '../schemas/faces.ts';
import type { MontageResult } from '../schemas/montage-result.ts';
import type { UnknownPeople } from '../schemas/timeline.ts';
import type { StoredUnknownPeople } from '../schemas/unknown-people.ts';
import { jobKeys } from '../storage/keys.ts';
import { putJson } from '../storage/s3.ts';
import type { ShortlistedTracks } from '../timeline/track-shortlist.ts';
import type { UnnamedTrack } from '../schemas/chunk-summary.ts';
import { findUnknownPeople } from '../timeline/unknown-people.ts';
import type { VideoInfo } from '../video/types.ts';
import { storeThumbnails, type ThumbnailSource, type VideoRead } from './stored-thumbnails.ts';

/** Unknown people shown with faces: the longest on screen (a crowd can hold hundreds; each face is one ffmpeg read). */
export const MAX_UNKNOWN_WITH_FACES = 100;

export interface UnknownPeopleFound {
  section: UnknownPeople;
  tracks: UnnamedTrack[];
}

/**
 * The unknown people among a job's shortlisted unnamed tracks (shared/timeline/track-shortlist.ts):
 * the timeline's `unknown` section, whose ignored tracks count those left off the shortlist.
 */
export function unknownPeopleOf(
  { tracks, leftOut }: ShortlistedTracks,
  options: { video: VideoInfo; sampleFps: number; gapTolerance: number; missingChunks: readonly ChunkRange[] },
): UnknownPeopleFound {
  const section = findUnknownPeople(tracks, {
    sampleFps: options.sampleFps,
    videoDuration: options.video.durationSeconds,
    gapTolerance: options.gapTolerance,
    missingChunks: options.missingChunks,
  });
  return { section: { ...section, ignoredTracks: section.ignoredTracks + leftOut }, tracks };
}

/** A thumbnail's file name for an unknown person's k-th face. */
export const unknownThumbnailName = (id: string, k: number): string => `unknown-${id}-${k}.jpg`;

/**
 * Cuts the unknown people's faces from the video (their thumbnails, for the report; or finds them
 * cut already, stored-thumbnails.ts) and stores their heaviest tracks' descriptors with their clearest face
 * (intermediate/<id>/unknown-people.json), from which a later job enrols one of them. Returns each
 * thumbnail's path by `${id}/${k}`, and how many were found cut.
 */
export async function storeUnknownPeople(
  s3: S3Client,
  source: ThumbnailSource & { models: string },
  found: UnknownPeopleFound,
  read: VideoRead,
): Promise<{ thumbnails: Map<string, string>; reused: number }> {
  const { bucket, jobId, models } = source;
  const keys = jobKeys(jobId);
  const shown = new Set(
    [...found.section.people]
      .sort((p, q) => q.totalSeconds - p.totalSeconds || p.firstSeen - q.firstSeen)
      .slice(0, MAX_UNKNOWN_WITH_FACES)
      .map((person) => person.id),
  );
  const wanted = found.section.people
    .filter((person) => shown.has(person.id))
    .flatMap((person) => person.bestFaces.map((face, k) => ({ id: person.id, k, name: unknownThumbnailName(person.id, k), face })));
  const jpegs = new Map<string, Buffer>();
  const reused = await storeThumbnails(s3, source, wanted, read, ({ id, k }, jpeg) => {
    if (k === 0) jpegs.set(id, jpeg);
  });
  const thumbnails = new Map(wanted.map(({ id, k, name }) => [`${id}/${k}`, `thumbnails/${name}`]));
  const stored = unknownPeopleRecord(found, { jobId, models, faces: jpegs });
  await putJson(s3, bucket, keys.unknownPeople, stored);
  return { thumbnails, reused };
}

/**
 * Tracks kept per unknown person, the heaviest first: enough to enrol them from (one gallery row
 * each), and the record stays bounded when one person fills hours of video in thousands of shots.
 */
export const MAX_STORED_TRACKS = 32;

/** What intermediate/<id>/unknown-people.json holds: each person's heaviest tracks' descriptors, and their clearest face when one was cut. */
export function unknownPeopleRecord(
  found: UnknownPeopleFound,
  { jobId, models, faces }: { jobId: string; models: string; faces: ReadonlyMap<string, Buffer> },
): StoredUnknownPeople {
  const byTrack = new Map(found.tracks.map((track) => [track.track, track]));
  return {
    version: 1,
    jobId,
    models,
    people: found.section.people.map((person) => {
      const jpeg = faces.get(person.id);
      return {
        id: person.id,
        ...(jpeg === undefined ? {} : { face: `data:image/jpeg;base64,${jpeg.toString('base64')}` }),
        tracks: person.tracks.slice(0, MAX_STORED_TRACKS).map((id) => {
          const track = byTrack.get(id)!;
          // Grouped tracks all have FaceRes descriptors (track-shortlist.ts); both are stored as they were compared.
          return { track: id, dlib: Array.from(track.dlib), faceres: Array.from(track.faceres!) };
        }),
      };
    }),
  };
}

/**
 * Unknown people listed in the step's result: the result is the execution's output, held to
 * Step Functions' 256 KB, and a long crowded video can hold thousands (timeline.json and the
 * report list them all).
 */
export const MAX_LISTED_UNKNOWN = 50;

/** The unknown people as the step's result (and the CLI summary) lists them: the longest on screen, in order of first appearance. */
export const unknownSummary = (section: UnknownPeople): MontageResult['unknown'] =>
  [...section.people]
    .sort((p, q) => q.totalSeconds - p.totalSeconds || p.firstSeen - q.firstSeen)
    .slice(0, MAX_LISTED_UNKNOWN)
    .sort((p, q) => p.firstSeen - q.firstSeen)
    .map(({ id, firstSeen, lastSeen, totalSeconds, segments, tracks }) => ({
      id,
      firstSeen,
      lastSeen,
      totalSeconds,
      segments: segments.length,
      tracks: tracks.length,
    }));

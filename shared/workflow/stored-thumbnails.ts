import type { S3Client } from '@aws-sdk/client-s3';
import { mapLimit } from '../async/map-limit.ts';
import { contentName, jobKeys } from '../storage/keys.ts';
import { getBytesIfAny, putBytes } from '../storage/s3.ts';
import { ffmpegVersion } from '../video/ffmpeg.ts';
import { extractThumbnail } from '../video/thumbnail.ts';
import { concurrentReaders } from '../video/readers.ts';
import type { Box, VideoInfo } from '../video/types.ts';
import { storedPlaces } from './reuse.ts';

/** Bumped whenever a thumbnail's cut changes in a way its inputs below do not show. */
const THUMBNAIL_FORMAT = 1;
/** The longer side of every thumbnail lambdaface shows, in pixels. */
export const THUMBNAIL_SIZE = 160;

/** The job a thumbnail is for: the video as stored (key and ETag), and the earlier job whose scan it reuses, if any. */
export interface ThumbnailSource {
  bucket: string;
  jobId: string;
  video: { key: string; etag: string };
  scannedBy: string | undefined;
}

/**
 * The hash naming a thumbnail: of the source object (key and ETag), the face's time and box, the
 * size and the ffmpeg build. Two thumbnails with the same hash are the same bytes, so one stored
 * under it, by this job or by the earlier job whose scan of the same video this one reuses, is
 * used instead of running ffmpeg again (a re-search shows mostly the faces the first search cut).
 */
export function thumbnailHash(video: ThumbnailSource['video'], face: { time: number; box: Box }, ffmpeg: string): string {
  return contentName({ format: THUMBNAIL_FORMAT, video, time: face.time, box: face.box, size: THUMBNAIL_SIZE, ffmpeg });
}

/** A whole JPEG: its start and end markers. A cut-short object is cut again rather than shown broken. */
const isWholeJpeg = (bytes: Uint8Array): boolean =>
  bytes.length > 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9;

/** The video a thumbnail is cut from: where to read it, its probe, and what stops the read. */
export interface VideoRead {
  url: string;
  video: VideoInfo;
  signal?: AbortSignal | undefined;
}

export interface ThumbnailMade {
  jpeg: Buffer;
  /** Found already cut (this job's, or the earlier scan's) rather than cut by this call. */
  reused: boolean;
}

/**
 * The thumbnail of `face` in the video at `url`: found under its hash in this job's
 * intermediate/<id>/thumbs/ or the earlier scan's, or cut now and stored there for the next run.
 */
export async function thumbnailOf(s3: S3Client, source: ThumbnailSource, face: { time: number; box: Box }, { url, video, signal }: VideoRead): Promise<ThumbnailMade> {
  const hash = thumbnailHash(source.video, face, await ffmpegVersion());
  const places = storedPlaces(source.jobId, source.scannedBy, (keys) => keys.thumb(hash));
  const [own] = places;
  for (const key of places) {
    const stored = await getBytesIfAny(s3, source.bucket, key);
    if (stored === undefined || !isWholeJpeg(stored)) continue;
    if (key !== own) await putBytes(s3, source.bucket, own, stored, 'image/jpeg');
    return { jpeg: Buffer.from(stored), reused: true };
  }
  const jpeg = await extractThumbnail(url, face.time, { box: face.box, maxSize: THUMBNAIL_SIZE, video, ...(signal ? { signal } : {}) });
  await putBytes(s3, source.bucket, own, jpeg, 'image/jpeg');
  return { jpeg, reused: false };
}

/**
 * Stores the thumbnail of each `wanted` face as jobs/<id>/thumbnails/<name>, found already cut or
 * cut now (thumbnailOf). Each cut is one short ffmpeg run that mostly waits on ranged reads, so
 * several run at once, fewer for a long video (shared/video/readers.ts). `stored` is told each
 * one's bytes. Returns how many were found already cut.
 */
export async function storeThumbnails<T extends { name: string; face: { time: number; box: Box } }>(
  s3: S3Client,
  source: ThumbnailSource,
  wanted: readonly T[],
  read: VideoRead,
  stored?: (item: T, jpeg: Buffer) => void,
): Promise<number> {
  const keys = jobKeys(source.jobId);
  let reused = 0;
  await mapLimit(wanted, concurrentReaders(read.video), async (item) => {
    const made = await thumbnailOf(s3, source, item.face, read);
    if (made.reused) reused++;
    await putBytes(s3, source.bucket, keys.thumbnail(item.name), made.jpeg, 'image/jpeg');
    stored?.(item, made.jpeg);
  });
  return reused;
}

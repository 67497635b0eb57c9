import type { S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { z } from 'zod';
import { mapLimit } from '../async/map-limit.ts';
import { PhotoReport } from '../schemas/gallery.ts';
import { getBytes, getJson, s3Url } from '../storage/s3.ts';
import { thumbnailRegion } from '../video/thumbnail.ts';

/** Longer side of a reference face in the report: a JPEG of a few kilobytes. */
const CROP_SIZE = 96;
const PHOTO_READ_PARALLELISM = 8;

/** What the report needs of the stored gallery: each person's enrolled photos and face boxes. */
const GalleryPhotos = z.object({ identities: z.array(z.object({ name: z.string(), photos: z.array(PhotoReport) })) });

/**
 * A small JPEG of the face enrolment used from `photo`, as a data: URI. The box is in the pixels of
 * the photo as shown (EXIF orientation applied), which is how enrolment decoded it.
 */
export async function faceCrop(bytes: Uint8Array, box: PhotoReport['box']): Promise<string> {
  const upright = await sharp(bytes, { failOn: 'error' }).rotate().toBuffer({ resolveWithObject: true });
  const region = thumbnailRegion(box, upright.info.width, upright.info.height, 0.25);
  const jpeg = await sharp(upright.data)
    .extract({ left: region.x, top: region.y, width: region.width, height: region.height })
    .resize(CROP_SIZE, CROP_SIZE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 75 })
    .toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}

export interface ReferenceFaces {
  /** Per person, a data: URI of their enrolled face. */
  faces: Map<string, string>;
  /** One sentence per person whose face could not be shown, for the report's warnings. */
  problems: string[];
}

/**
 * Per person, the face from their largest enrolled photo, embedded in the page as a data: URI:
 * the photos are the user's inputs, not outputs, so the report cannot link to them on disk or in
 * the bucket (a presigned link would expire). A photo that cannot be read again (uploads expire,
 * and Montage may run again later) costs only its picture: the page shows the person's initial
 * and says why, since the search itself does not depend on it.
 */
export async function referenceFaces(s3: S3Client, bucket: string, galleryKey: string): Promise<ReferenceFaces> {
  const gallery = await getJson(s3, bucket, galleryKey, GalleryPhotos);
  const bucketPrefix = s3Url(bucket, '');
  type Found = { name: string; face: string } | { name: string; problem: string };
  const found = await mapLimit(gallery.identities, PHOTO_READ_PARALLELISM, async (identity): Promise<Found> => {
    const photo = [...identity.photos].sort((p, q) => q.box.width * q.box.height - p.box.width * p.box.height)[0];
    if (photo === undefined || !photo.source.startsWith(bucketPrefix)) return { name: identity.name, problem: 'its photo is not in the job\'s bucket' };
    try {
      const bytes = await getBytes(s3, bucket, photo.source.slice(bucketPrefix.length));
      return { name: identity.name, face: await faceCrop(bytes, photo.box) };
    } catch (error) {
      return { name: identity.name, problem: error instanceof Error ? error.message : String(error) };
    }
  });
  const faces = new Map<string, string>();
  const problems: string[] = [];
  for (const result of found) {
    if ('face' in result) faces.set(result.name, result.face);
    else problems.push(`the reference photo of ${result.name} is not shown: ${result.problem}`);
  }
  return { faces, problems };
}

import sharp from 'sharp';
import type { Box } from '../schemas/faces.ts';
import { thumbnailRegion } from '../video/thumbnail.ts';

/** Longer side of a reference face in the report: a JPEG of a few kilobytes. */
const CROP_SIZE = 96;

/**
 * A small JPEG of the face enrolment used from a photo, as a data: URI, for the report. The box is
 * in the pixels of the photo as shown (EXIF orientation applied), which is how enrolment decoded
 * it. Made at enrolment, where the photo is at hand and sharp is loaded: Montage, which shows it,
 * then needs neither the photo (uploads expire) nor sharp (its Lambda has only the ffmpeg layer).
 */
export async function faceCrop(bytes: Uint8Array, box: Box): Promise<string> {
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

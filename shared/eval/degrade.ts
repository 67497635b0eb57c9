import sharp from 'sharp';
import type { FoundFace } from '../match/gallery.ts';
import type { FivePoints } from '../vision/align.ts';
import { embedFaces } from '../vision/embed.ts';
import type { RgbImage } from '../vision/image.ts';

/**
 * Face width (px) and JPEG quality that make a reference photo look like a face in a video frame:
 * the faces of the sample footage are 30-110 px wide and heavily compressed.
 */
export const VIDEO_LIKE = { faceWidth: 64, jpegQuality: 60 } as const;

const scalePoints = (points: FivePoints, sx: number, sy: number): FivePoints => {
  const scale = (p: { x: number; y: number }) => ({ x: p.x * sx, y: p.y * sy });
  return {
    leftEye: scale(points.leftEye),
    rightEye: scale(points.rightEye),
    nose: scale(points.nose),
    leftMouth: scale(points.leftMouth),
    rightMouth: scale(points.rightMouth),
  };
};

/**
 * The descriptor of a reference face as a video would show it: shrunk to VIDEO_LIKE.faceWidth and
 * JPEG-compressed. Matching thresholds are calibrated on such video-like copies against clean
 * photos, because photo-to-photo distances understate video-to-photo distances.
 */
export async function videoLikeEmbedding({ image, face }: FoundFace): Promise<Float32Array> {
  const scale = Math.min(1, VIDEO_LIKE.faceWidth / face.box.width);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height)
    .jpeg({ quality: VIDEO_LIKE.jpegQuality })
    .toBuffer();
  const { data } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const small: RgbImage = { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  const [embedding] = await embedFaces(small, [{ points: scalePoints(face.points, width / image.width, height / image.height) }]);
  return embedding!;
}

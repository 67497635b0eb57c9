import { extname } from 'node:path';

/**
 * File extensions accepted as reference photos (what sharp decodes). Kept apart from the image
 * code so steps that only list photos (Shard, the CLI) do not load sharp or ONNX Runtime.
 */
export const PHOTO_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif', '.avif'] as const;

/** Whether a file name or S3 key has a photo's extension (case-insensitive). */
export function isPhotoPath(path: string): boolean {
  return (PHOTO_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

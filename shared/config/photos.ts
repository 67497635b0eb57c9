/**
 * File extensions accepted as reference photos (what sharp decodes). Kept apart from the image
 * code so steps that only list photos (Shard, the CLI) do not load sharp or ONNX Runtime.
 */
export const PHOTO_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif', '.avif'] as const;

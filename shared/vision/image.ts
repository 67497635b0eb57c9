import sharp from 'sharp';
import { PHOTO_EXTENSIONS } from '../config/photos.ts';
import { inputError } from '../errors.ts';

/** Packed 8-bit RGB pixels, row-major: the one in-memory image type of the vision code. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Decodes a photo (path or bytes) to RGB, honouring EXIF orientation; grey and alpha images
 * become plain RGB so every later stage sees one format.
 */
export async function loadImage(source: string | Uint8Array, label = typeof source === 'string' ? source : 'image'): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(source, { failOn: 'error' })
      .rotate()
      .flatten({ background: { r: 0, g: 0, b: 0 } })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw inputError(`cannot read ${label} as an image (${reason})`, {
      input: label,
      hint: `give a JPEG, PNG or WebP photo (${PHOTO_EXTENSIONS.join(' ')})`,
      cause: error,
    });
  }
}

/** Shrinks an image so its longer side is at most `maxSide` (never enlarges). */
export async function limitSize(image: RgbImage, maxSide: number): Promise<RgbImage> {
  const scale = maxSide / Math.max(image.width, image.height);
  if (scale >= 1) return image;
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Adds a black border of `fraction` of the longer side on every edge. */
export function padImage(image: RgbImage, fraction: number): { image: RgbImage; offset: number } {
  const offset = Math.round(Math.max(image.width, image.height) * fraction);
  const width = image.width + 2 * offset;
  const height = image.height + 2 * offset;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < image.height; y++) {
    const from = y * image.width * 3;
    data.set(image.data.subarray(from, from + image.width * 3), ((y + offset) * width + offset) * 3);
  }
  return { image: { width, height, data }, offset };
}

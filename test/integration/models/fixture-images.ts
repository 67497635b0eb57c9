import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

/** Real photos from fixtures/, decoded with sharp into the models' NHWC float [0, 255] input. */

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

/** Every face photo (fixtures/faces/<person>/*) and scene (fixtures/scenes/*), sorted. */
export function fixturePhotos(): string[] {
  const faces = readdirSync(join(FIXTURES, 'faces'))
    .sort()
    .flatMap((person) =>
      readdirSync(join(FIXTURES, 'faces', person))
        .sort()
        .map((f) => join(FIXTURES, 'faces', person, f)),
    );
  const scenes = readdirSync(join(FIXTURES, 'scenes'))
    .sort()
    .map((f) => join(FIXTURES, 'scenes', f));
  return [...faces, ...scenes];
}

export const shortName = (path: string): string => path.slice(FIXTURES.length);

const toFloat = (raw: Buffer): Float32Array => Float32Array.from(raw);

/** The whole photo scaled to fit `size` x `size`, centred, padded with black (the detector's letterbox). */
export async function letterbox(path: string, size: number): Promise<Float32Array> {
  const raw = await sharp(path)
    .removeAlpha()
    .resize(size, size, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer();
  return toFloat(raw);
}

/** The whole photo resized to `width` x `height`, aspect ratio not kept. */
export async function stretch(path: string, width: number, height: number): Promise<Float32Array> {
  return toFloat(await sharp(path).removeAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer());
}

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

export async function imageSize(path: string): Promise<{ width: number; height: number }> {
  const meta = await sharp(path).metadata();
  if (!meta.width || !meta.height) throw new Error(`cannot read the size of ${path}`);
  return { width: meta.width, height: meta.height };
}

/** A square region of the photo (clamped to it), resized to `size` x `size`. */
export async function cropSquare(path: string, region: Region, size: number): Promise<Float32Array> {
  const { width, height } = await imageSize(path);
  const side = Math.max(1, Math.min(Math.round(Math.max(region.width, region.height)), width, height));
  const left = Math.min(Math.max(0, Math.round(region.left + region.width / 2 - side / 2)), width - side);
  const top = Math.min(Math.max(0, Math.round(region.top + region.height / 2 - side / 2)), height - side);
  const raw = await sharp(path).removeAlpha().extract({ left, top, width: side, height: side }).resize(size, size).raw().toBuffer();
  return toFloat(raw);
}

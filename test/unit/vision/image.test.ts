import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { LambdafaceError } from '../../../shared/errors.ts';
import { limitSize, loadImage, padImage, type RgbImage } from '../../../shared/vision/image.ts';

const solid = (width: number, height: number, value: (x: number, y: number, ch: number) => number): RgbImage => {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let ch = 0; ch < 3; ch++) data[(y * width + x) * 3 + ch] = value(x, y, ch);
  return { width, height, data };
};

describe('padImage', () => {
  it('adds a black border of fraction x the longer side and keeps the pixels in place', () => {
    const image = solid(10, 4, (x, y, ch) => 1 + x + 10 * y + ch);
    const { image: padded, offset } = padImage(image, 0.5);
    expect(offset).toBe(5);
    expect([padded.width, padded.height]).toEqual([20, 14]);
    for (let y = 0; y < padded.height; y++) {
      for (let x = 0; x < padded.width; x++) {
        const i = (y * padded.width + x) * 3;
        const inside = x >= 5 && x < 15 && y >= 5 && y < 9;
        expect(padded.data[i + 2]).toBe(inside ? 1 + (x - 5) + 10 * (y - 5) + 2 : 0);
      }
    }
  });
});

describe('limitSize', () => {
  it('shrinks the longer side to maxSide and keeps the aspect ratio', async () => {
    const small = await limitSize(
      solid(400, 100, () => 128),
      200,
    );
    expect([small.width, small.height]).toEqual([200, 50]);
    expect(small.data.length).toBe(200 * 50 * 3);
    expect(small.data[0]).toBe(128);
  });

  it('never enlarges', async () => {
    const image = solid(30, 20, () => 9);
    expect(await limitSize(image, 1600)).toBe(image);
  });
});

describe('loadImage', () => {
  it('decodes a grey PNG to three equal RGB channels', async () => {
    const png = await sharp(Buffer.alloc(8 * 6, 77), { raw: { width: 8, height: 6, channels: 1 } })
      .png()
      .toBuffer();
    const image = await loadImage(png, 'grey.png');
    expect([image.width, image.height, image.data.length]).toEqual([8, 6, 8 * 6 * 3]);
    expect(new Set(image.data)).toEqual(new Set([77]));
  });

  it('turns bytes that are not an image into an InputError naming the label', async () => {
    const error = await loadImage(new TextEncoder().encode('not a picture'), 'people/ann/notes.txt').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdafaceError);
    expect((error as LambdafaceError).kind).toBe('InputError');
    expect((error as LambdafaceError).input).toBe('people/ann/notes.txt');
    expect((error as LambdafaceError).message).toContain('people/ann/notes.txt');
  });
});

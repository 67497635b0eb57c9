import type { RgbImage } from './image.ts';

/**
 * A 2-D affine map from output pixel (u, v) to source pixel (x, y):
 *   x = a*u + b*v + c,  y = d*u + e*v + f
 */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

export interface Point {
  x: number;
  y: number;
}

export const applyAffine = (m: Affine, p: Point): Point => ({ x: m.a * p.x + m.b * p.y + m.c, y: m.d * p.x + m.e * p.y + m.f });

export function invertAffine(m: Affine): Affine {
  const det = m.a * m.e - m.b * m.d;
  if (Math.abs(det) < 1e-12) throw new RangeError('affine map is not invertible');
  const a = m.e / det;
  const b = -m.b / det;
  const d = -m.d / det;
  const e = m.a / det;
  return { a, b, c: -(a * m.c + b * m.f), d, e, f: -(d * m.c + e * m.f) };
}

/**
 * Converts a map between continuous coordinates (pixel k spans [k, k+1)) into the map between
 * pixel indexes that `sampleInto` takes. Boxes and landmarks are continuous; sampling is by index.
 */
export function continuousToIndex(m: Affine): Affine {
  return { ...m, c: m.c + 0.5 * (m.a + m.b) - 0.5, f: m.f + 0.5 * (m.d + m.e) - 0.5 };
}

/**
 * The map that sends output pixel centres to the source when the source, from (left, top) on, is
 * resized by `scale` output pixels per source pixel (a crop, a letterbox or a pyramid level).
 */
export function scaleAffine(left: number, top: number, scale: number): Affine {
  const s = 1 / scale;
  return { a: s, b: 0, c: left + 0.5 * s - 0.5, d: 0, e: s, f: top + 0.5 * s - 0.5 };
}

/**
 * Least-squares similarity transform (rotation, uniform scale, translation) taking `from` points
 * onto `to` points (Umeyama without reflection).
 */
export function similarityTransform(from: readonly Point[], to: readonly Point[]): Affine {
  const n = from.length;
  if (n < 2 || n !== to.length) throw new RangeError('need at least two point pairs');
  let fx = 0,
    fy = 0,
    tx = 0,
    ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]!.x;
    fy += from[i]!.y;
    tx += to[i]!.x;
    ty += to[i]!.y;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let sxx = 0,
    sxy = 0,
    variance = 0;
  for (let i = 0; i < n; i++) {
    const px = from[i]!.x - fx,
      py = from[i]!.y - fy;
    const qx = to[i]!.x - tx,
      qy = to[i]!.y - ty;
    sxx += px * qx + py * qy;
    sxy += px * qy - py * qx;
    variance += px * px + py * py;
  }
  const a = sxx / variance;
  const b = sxy / variance;
  return { a, b: -b, c: tx - (a * fx - b * fy), d: b, e: a, f: ty - (b * fx + a * fy) };
}

export type Layout = 'nhwc' | 'nchw';

/**
 * Resamples `image` through `outputToSource` into `out` (one image of a batch, starting at `offset`)
 * with bilinear interpolation, writing `pixel * scale + bias`; pixels outside the source read as 0.
 * This single sampler serves the detector pyramid, rotated landmark crops and face alignment, so
 * every model input is made without intermediate images.
 */
export function sampleInto(
  image: RgbImage,
  outputToSource: Affine,
  width: number,
  height: number,
  out: Float32Array,
  options: { offset?: number; layout?: Layout; scale?: number; bias?: number } = {},
): void {
  const { offset = 0, layout = 'nhwc', scale = 1, bias = 0 } = options;
  const { a, b, c, d, e, f } = outputToSource;
  const src = image.data;
  const sw = image.width;
  const sh = image.height;
  const stride = sw * 3;
  // Where pixel p's three values go: interleaved (nhwc) or one plane per channel (nchw).
  const pixelStep = layout === 'nhwc' ? 3 : 1;
  const channelStep = layout === 'nhwc' ? 1 : width * height;
  for (let v = 0; v < height; v++) {
    let x = b * v + c;
    let y = e * v + f;
    for (let u = 0, p = v * width; u < width; u++, p++, x += a, y += d) {
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const o = offset + p * pixelStep;
      let r: number, g: number, bl: number;
      if (x0 >= 0 && y0 >= 0 && x0 < sw - 1 && y0 < sh - 1) {
        // All four neighbours in the image (nearly every pixel): no per-neighbour checks.
        const wx = x - x0;
        const wy = y - y0;
        const w00 = (1 - wy) * (1 - wx);
        const w10 = (1 - wy) * wx;
        const w01 = wy * (1 - wx);
        const w11 = wy * wx;
        const i = (y0 * sw + x0) * 3;
        const j = i + stride;
        r = (w00 * src[i]! + w10 * src[i + 3]! + w01 * src[j]! + w11 * src[j + 3]!) * scale + bias;
        g = (w00 * src[i + 1]! + w10 * src[i + 4]! + w01 * src[j + 1]! + w11 * src[j + 4]!) * scale + bias;
        bl = (w00 * src[i + 2]! + w10 * src[i + 5]! + w01 * src[j + 2]! + w11 * src[j + 5]!) * scale + bias;
      } else if (x0 >= -1 && y0 >= -1 && x0 < sw && y0 < sh) {
        // On the border: the neighbours outside read as 0.
        const wx = x - x0;
        const wy = y - y0;
        r = 0;
        g = 0;
        bl = 0;
        for (let dy = 0; dy < 2; dy++) {
          const yy = y0 + dy;
          if (yy < 0 || yy >= sh) continue;
          const wyy = dy === 0 ? 1 - wy : wy;
          for (let dx = 0; dx < 2; dx++) {
            const xx = x0 + dx;
            if (xx < 0 || xx >= sw) continue;
            const w = wyy * (dx === 0 ? 1 - wx : wx);
            const k = (yy * sw + xx) * 3;
            r += w * src[k]!;
            g += w * src[k + 1]!;
            bl += w * src[k + 2]!;
          }
        }
        r = r * scale + bias;
        g = g * scale + bias;
        bl = bl * scale + bias;
      } else {
        r = bias;
        g = bias;
        bl = bias;
      }
      out[o] = r;
      out[o + channelStep] = g;
      out[o + 2 * channelStep] = bl;
    }
  }
}

/** Resamples into a new RGB image (thumbnails, augmentation, debugging). */
export function warpImage(image: RgbImage, outputToSource: Affine, width: number, height: number): RgbImage {
  const floats = new Float32Array(width * height * 3);
  sampleInto(image, outputToSource, width, height, floats);
  const data = new Uint8Array(floats.length);
  for (let i = 0; i < floats.length; i++) data[i] = Math.round(floats[i]!);
  return { width, height, data };
}

import { describe, expect, it } from 'vitest';
import { applyAffine, continuousToIndex, invertAffine, sampleInto, similarityTransform, scaleAffine, warpImage, type Affine, type Point } from '../../../shared/vision/affine.ts';
import type { RgbImage } from '../../../shared/vision/image.ts';

/** A synthetic image whose every channel value says where it is: R = x, G = y, B = (x * 7 + y * 3) % 256. */
function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = x;
      data[i + 1] = y;
      data[i + 2] = (x * 7 + y * 3) % 256;
    }
  }
  return { width, height, data };
}

const pixel = (image: RgbImage, x: number, y: number): [number, number, number] => {
  const i = (y * image.width + x) * 3;
  return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
};

/** A rotation by `angle`, uniform scale and shift: x' = s R x + t. */
function similarity(angle: number, scale: number, tx: number, ty: number): Affine {
  const cos = Math.cos(angle) * scale;
  const sin = Math.sin(angle) * scale;
  return { a: cos, b: -sin, c: tx, d: sin, e: cos, f: ty };
}

const expectPoint = (actual: Point, expected: Point, digits = 9) => {
  expect(actual.x).toBeCloseTo(expected.x, digits);
  expect(actual.y).toBeCloseTo(expected.y, digits);
};

const expectAffine = (actual: Affine, expected: Affine, digits = 9) => {
  for (const key of ['a', 'b', 'c', 'd', 'e', 'f'] as const) expect(actual[key], key).toBeCloseTo(expected[key], digits);
};

describe('invertAffine', () => {
  const maps: Affine[] = [
    { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 },
    similarity(0.7, 2.5, -30, 11),
    { a: 0.3, b: 1.9, c: 4, d: -2.2, e: 0.1, f: 100 }, // general (shear, anisotropic)
    { a: -1, b: 0, c: 149, d: 0, e: 1, f: 0 }, // a mirror
  ];
  const points: Point[] = [
    { x: 0, y: 0 },
    { x: 12.5, y: -3 },
    { x: 640, y: 360 },
  ];

  it.each(maps.map((m, i) => [i, m] as const))('invert then apply is the identity (map %i)', (_, m) => {
    const inverse = invertAffine(m);
    for (const p of points) {
      expectPoint(applyAffine(inverse, applyAffine(m, p)), p, 8);
      expectPoint(applyAffine(m, applyAffine(inverse, p)), p, 8);
    }
  });

  it('the inverse of the inverse is the map itself', () => {
    const m = maps[2]!;
    expectAffine(invertAffine(invertAffine(m)), m);
  });

  it('refuses a singular map', () => {
    expect(() => invertAffine({ a: 1, b: 2, c: 0, d: 2, e: 4, f: 0 })).toThrow(RangeError);
  });
});

describe('similarityTransform', () => {
  const five: Point[] = [
    { x: 51.2, y: 36.2 },
    { x: 103.6, y: 36.2 },
    { x: 77.4, y: 66.6 },
    { x: 51.5, y: 93 },
    { x: 100, y: 93 },
  ];

  it('recovers a known rotation, scale and shift from five points', () => {
    const truth = similarity(0.3, 1.7, 12, -5);
    const moved = five.map((p) => applyAffine(truth, p));
    expectAffine(similarityTransform(five, moved), truth);
  });

  it('recovers the inverse map when from and to are swapped', () => {
    const truth = similarity(-1.1, 0.4, 200, 80);
    const moved = five.map((p) => applyAffine(truth, p));
    expectAffine(similarityTransform(moved, five), invertAffine(truth));
  });

  it('is a least-squares fit: on noisy targets it leaves no more residual than the true map', () => {
    const truth = similarity(0.2, 3, 40, 50);
    const noise = [0.4, -0.3, 0.1, 0.25, -0.45, 0.3, -0.2, 0.05, 0.35, -0.15];
    const moved = five.map((p, i) => {
      const q = applyAffine(truth, p);
      return { x: q.x + noise[2 * i]!, y: q.y + noise[2 * i + 1]! };
    });
    const residual = (m: Affine) =>
      five.reduce((sum, p, i) => {
        const q = applyAffine(m, p);
        return sum + (q.x - moved[i]!.x) ** 2 + (q.y - moved[i]!.y) ** 2;
      }, 0);
    const fit = similarityTransform(five, moved);
    expect(residual(fit)).toBeLessThanOrEqual(residual(truth));
    // ...and any nudge of the fit's parameters only makes it worse.
    for (const key of ['a', 'c', 'f'] as const) {
      expect(residual({ ...fit, [key]: fit[key] + 0.01, ...(key === 'a' ? { e: fit.e + 0.01 } : {}) })).toBeGreaterThan(residual(fit));
    }
    expect(residual({ ...fit, b: fit.b - 0.01, d: fit.d + 0.01 })).toBeGreaterThan(residual(fit));
    // The fit is still close to the truth.
    expect(Math.hypot(fit.a - truth.a, fit.d - truth.d)).toBeLessThan(0.02);
  });

  it('never reflects, even when the target points are mirrored', () => {
    const mirrored = five.map((p) => ({ x: -p.x, y: p.y }));
    const fit = similarityTransform(five, mirrored);
    expect(fit.a * fit.e - fit.b * fit.d).toBeGreaterThan(0);
    // A similarity without reflection has a = e and b = -d.
    expect(fit.a).toBeCloseTo(fit.e, 12);
    expect(fit.b).toBeCloseTo(-fit.d, 12);
  });

  it('needs at least two pairs of equal count', () => {
    expect(() => similarityTransform([{ x: 0, y: 0 }], [{ x: 1, y: 1 }])).toThrow(RangeError);
    expect(() => similarityTransform(five, five.slice(0, 4))).toThrow(RangeError);
  });
});

describe('continuousToIndex', () => {
  it('maps pixel centres (k + 0.5) to indexes (k) for a scale-and-shift map', () => {
    // Continuous: X = 2U + 10. Output pixel 0 covers [0, 1), centre 0.5 -> X = 11 -> source index 10.5.
    const m = continuousToIndex({ a: 2, b: 0, c: 10, d: 0, e: 2, f: 20 });
    expectPoint(applyAffine(m, { x: 0, y: 0 }), { x: 10.5, y: 20.5 });
    expectPoint(applyAffine(m, { x: 3, y: 1 }), { x: 16.5, y: 22.5 });
  });

  it('is the identity on the identity map', () => {
    expectAffine(continuousToIndex({ a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 }), { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 });
  });

  it('agrees with converting the points themselves for a rotated map', () => {
    const m = similarity(0.9, 1.3, 7, -2);
    const indexed = continuousToIndex(m);
    for (const p of [
      { x: 0, y: 0 },
      { x: 5, y: 9 },
    ]) {
      const continuous = applyAffine(m, { x: p.x + 0.5, y: p.y + 0.5 });
      expectPoint(applyAffine(indexed, p), { x: continuous.x - 0.5, y: continuous.y - 0.5 });
    }
  });

  it('is what scaleAffine builds for an axis-aligned crop', () => {
    const side = 96;
    const size = 192;
    expectAffine(scaleAffine(-40, 13, size / side), continuousToIndex({ a: side / size, b: 0, c: -40, d: 0, e: side / size, f: 13 }));
  });
});

describe('sampleInto', () => {
  const image = gradient(40, 30);

  it('reproduces a crop exactly at scale 1 (NHWC)', () => {
    const out = new Float32Array(8 * 8 * 3);
    sampleInto(image, scaleAffine(5, 7, 1), 8, 8, out);
    for (let v = 0; v < 8; v++) {
      for (let u = 0; u < 8; u++) {
        const [r, g, b] = pixel(image, 5 + u, 7 + v);
        const o = (v * 8 + u) * 3;
        expect([out[o], out[o + 1], out[o + 2]]).toEqual([r, g, b]);
      }
    }
  });

  it('writes planes in NCHW and pixels in NHWC, at the given batch offset', () => {
    const plane = 6 * 4;
    const nhwc = new Float32Array(2 * plane * 3).fill(-7);
    const nchw = new Float32Array(2 * plane * 3).fill(-7);
    const crop = scaleAffine(10, 3, 1);
    sampleInto(image, crop, 6, 4, nhwc, { offset: plane * 3, layout: 'nhwc' });
    sampleInto(image, crop, 6, 4, nchw, { offset: plane * 3, layout: 'nchw' });
    // The first image of the batch is untouched.
    expect(nhwc.subarray(0, plane * 3).every((x) => x === -7)).toBe(true);
    expect(nchw.subarray(0, plane * 3).every((x) => x === -7)).toBe(true);
    for (let v = 0; v < 4; v++) {
      for (let u = 0; u < 6; u++) {
        const p = v * 6 + u;
        const expected = pixel(image, 10 + u, 3 + v);
        for (let ch = 0; ch < 3; ch++) {
          expect(nhwc[plane * 3 + p * 3 + ch]).toBe(expected[ch]);
          expect(nchw[plane * 3 + ch * plane + p]).toBe(expected[ch]);
        }
      }
    }
  });

  it('interpolates bilinearly between pixel centres', () => {
    // Half a pixel right and down: every output is the mean of a 2x2 block.
    const out = new Float32Array(3);
    sampleInto(image, { a: 1, b: 0, c: 20.5, d: 0, e: 1, f: 10.5 }, 1, 1, out);
    const block = [pixel(image, 20, 10), pixel(image, 21, 10), pixel(image, 20, 11), pixel(image, 21, 11)];
    for (let ch = 0; ch < 3; ch++) {
      expect(out[ch]).toBeCloseTo(block.reduce((sum, p) => sum + p[ch]!, 0) / 4, 5);
    }
  });

  it('applies scale and bias inside and writes the bias where the source has no pixels', () => {
    const out = new Float32Array(4 * 4 * 3);
    // Output pixel u falls at source x = u - 2: u = 0 is off the frame, u = 2, 3 are pixels 0, 1.
    sampleInto(image, { a: 1, b: 0, c: -2, d: 0, e: 1, f: 0 }, 4, 4, out, { scale: 2 / 255, bias: -1 });
    for (let v = 0; v < 4; v++) {
      const outside = (v * 4 + 0) * 3;
      expect([out[outside], out[outside + 1], out[outside + 2]]).toEqual([-1, -1, -1]);
      for (const u of [2, 3]) {
        const o = (v * 4 + u) * 3;
        const p = pixel(image, u - 2, v);
        for (let ch = 0; ch < 3; ch++) expect(out[o + ch]).toBeCloseTo(p[ch]! * (2 / 255) - 1, 6);
      }
    }
  });

  it('fills a crop entirely outside the image with the bias, in both layouts', () => {
    for (const layout of ['nhwc', 'nchw'] as const) {
      const out = new Float32Array(5 * 5 * 3).fill(123);
      sampleInto(image, scaleAffine(1000, 1000, 1), 5, 5, out, { layout, bias: 0.25, scale: 3 });
      expect(out.every((x) => x === 0.25)).toBe(true);
    }
  });

  it('fades to black across the last half pixel at the border (outside reads as 0)', () => {
    const white: RgbImage = { width: 4, height: 4, data: new Uint8Array(4 * 4 * 3).fill(200) };
    const out = new Float32Array(3);
    // Source x = -0.5: halfway between the virtual black pixel -1 and pixel 0.
    sampleInto(white, { a: 1, b: 0, c: -0.5, d: 0, e: 1, f: 1 }, 1, 1, out);
    expect(out[0]).toBeCloseTo(100, 5);
  });
});

describe('warpImage', () => {
  it('mirrors an image exactly with an integer map', () => {
    const image = gradient(9, 5);
    const mirrored = warpImage(image, { a: -1, b: 0, c: 8, d: 0, e: 1, f: 0 }, 9, 5);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 9; x++) expect(pixel(mirrored, x, y)).toEqual(pixel(image, 8 - x, y));
  });
});

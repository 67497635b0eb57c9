import { describe, expect, it } from 'vitest';
import { applyAffine, invertAffine, sampleInto, type Affine, type Point } from '../../../shared/vision/affine.ts';
import {
  ALIGNED_SIZE,
  alignmentTransform,
  ARCFACE_CHIP_224,
  ARCFACE_TEMPLATE_112,
  arcfaceChip,
  compose,
  DLIB_CHIP,
  DLIB_TEMPLATE,
  fivePointsToArray,
  NO_JITTER,
  type FivePoints,
  type Jitter,
} from '../../../shared/vision/align.ts';
import type { RgbImage } from '../../../shared/vision/image.ts';

/** The template moved by a rotation, scale and shift: where a face's five points would be in a photo. */
function placeTemplate(angle: number, scale: number, tx: number, ty: number, template: FivePoints = DLIB_TEMPLATE): FivePoints {
  const move = (p: Point): Point => ({
    x: scale * (Math.cos(angle) * p.x - Math.sin(angle) * p.y) + tx,
    y: scale * (Math.sin(angle) * p.x + Math.cos(angle) * p.y) + ty,
  });
  return {
    leftEye: move(template.leftEye),
    rightEye: move(template.rightEye),
    nose: move(template.nose),
    leftMouth: move(template.leftMouth),
    rightMouth: move(template.rightMouth),
  };
}

/** Applies an index-to-index map to a continuous point (pixel k spans [k, k + 1)). */
const applyContinuous = (m: Affine, p: Point): Point => {
  const q = applyAffine(m, { x: p.x - 0.5, y: p.y - 0.5 });
  return { x: q.x + 0.5, y: q.y + 0.5 };
};

const expectPoint = (actual: Point, expected: Point, digits = 8) => {
  expect(actual.x).toBeCloseTo(expected.x, digits);
  expect(actual.y).toBeCloseTo(expected.y, digits);
};

const points = placeTemplate(0.25, 2.4, 310, 95);
const jitter = (change: Partial<Jitter>): Jitter => ({ ...NO_JITTER, ...change });

describe('alignmentTransform', () => {
  it('maps the template positions of the chip onto the given five points', () => {
    const chipToImage = alignmentTransform(points);
    const template = fivePointsToArray(DLIB_TEMPLATE);
    fivePointsToArray(points).forEach((p, i) => expectPoint(applyContinuous(chipToImage, template[i]!), p));
  });

  it('its inverse sends the five points onto DLIB_TEMPLATE', () => {
    const imageToChip = invertAffine(alignmentTransform(points));
    const template = fivePointsToArray(DLIB_TEMPLATE);
    fivePointsToArray(points).forEach((p, i) => expectPoint(applyContinuous(imageToChip, p), template[i]!));
  });

  it('is the identity (in index space) when the face already sits on the template', () => {
    const m = alignmentTransform(DLIB_TEMPLATE);
    for (const [key, value] of Object.entries({ a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 })) {
      expect(m[key as keyof Affine]).toBeCloseTo(value, 10);
    }
  });

  it('a jitter equal to NO_JITTER (but not the same object) gives the same map', () => {
    const plain = alignmentTransform(points);
    const copy = alignmentTransform(points, { ...NO_JITTER });
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f'] as const) expect(copy[key]).toBeCloseTo(plain[key], 9);
  });

  it('flip mirrors around the chip centre: chip pixel u reads what pixel 149 - u reads unflipped', () => {
    const plain = alignmentTransform(points);
    const flipped = alignmentTransform(points, jitter({ flip: true }));
    for (const [u, v] of [
      [0, 0],
      [10, 40],
      [74, 74],
      [149, 149],
    ] as const) {
      expectPoint(applyAffine(flipped, { x: u, y: v }), applyAffine(plain, { x: ALIGNED_SIZE - 1 - u, y: v }));
    }
  });

  it('a flipped chip of a synthetic image is the exact mirror image of the plain chip', () => {
    const width = 600;
    const height = 400;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) % 251;
    const image: RgbImage = { width, height, data };
    const per = ALIGNED_SIZE * ALIGNED_SIZE * 3;
    const plain = new Float32Array(per);
    const flipped = new Float32Array(per);
    sampleInto(image, alignmentTransform(points), ALIGNED_SIZE, ALIGNED_SIZE, plain);
    sampleInto(image, alignmentTransform(points, jitter({ flip: true })), ALIGNED_SIZE, ALIGNED_SIZE, flipped);
    let worst = 0;
    for (let v = 0; v < ALIGNED_SIZE; v++) {
      for (let u = 0; u < ALIGNED_SIZE; u++) {
        for (let ch = 0; ch < 3; ch++) {
          const a = plain[(v * ALIGNED_SIZE + u) * 3 + ch]!;
          const b = flipped[(v * ALIGNED_SIZE + (ALIGNED_SIZE - 1 - u)) * 3 + ch]!;
          worst = Math.max(worst, Math.abs(a - b));
        }
      }
    }
    expect(worst).toBeLessThan(1e-3);
  });

  it('rotation and scale keep the chip centre in place', () => {
    const plain = alignmentTransform(points);
    const centre = { x: ALIGNED_SIZE / 2 - 0.5, y: ALIGNED_SIZE / 2 - 0.5 };
    for (const change of [{ rotation: 0.1 }, { scale: 1.07 }, { rotation: -0.08, scale: 0.93 }]) {
      expectPoint(applyAffine(alignmentTransform(points, jitter(change)), centre), applyAffine(plain, centre));
    }
  });

  it('scale > 1 zooms in: chip pixels then span less of the image', () => {
    const plain = alignmentTransform(points);
    const zoomed = alignmentTransform(points, jitter({ scale: 1.25 }));
    const span = (m: Affine) => Math.hypot(m.a, m.d);
    expect(span(zoomed)).toBeCloseTo(span(plain) / 1.25, 9);
  });

  it('a shift moves what the chip shows by that many chip pixels', () => {
    const plain = alignmentTransform(points);
    const shifted = alignmentTransform(points, jitter({ shiftX: 3, shiftY: -2 }));
    expectPoint(applyAffine(shifted, { x: 40, y: 60 }), applyAffine(plain, { x: 43, y: 58 }));
  });
});

describe('compose', () => {
  it('applies inner first, then outer', () => {
    const outer: Affine = { a: 2, b: 0.5, c: 1, d: -0.3, e: 1.5, f: -4 };
    const inner: Affine = { a: 0.8, b: -0.6, c: 10, d: 0.6, e: 0.8, f: 3 };
    const p = { x: 7, y: -2 };
    expectPoint(applyAffine(compose(outer, inner), p), applyAffine(outer, applyAffine(inner, p)));
  });
});

describe('ArcFace chip (HSE FaceRes)', () => {
  it('is the 112-px ArcFace template in continuous coordinates, scaled to 224', () => {
    expect(ARCFACE_CHIP_224.size).toBe(224);
    expectPoint(ARCFACE_CHIP_224.template.leftEye, { x: 77.5892, y: 104.3926 });
    expectPoint(ARCFACE_CHIP_224.template.rightEye, { x: 148.0636, y: 104.0028 });
    expectPoint(ARCFACE_CHIP_224.template.nose, { x: 113.0504, y: 144.4732 });
    expectPoint(ARCFACE_CHIP_224.template.leftMouth, { x: 84.0986, y: 185.731 });
    expectPoint(ARCFACE_CHIP_224.template.rightMouth, { x: 142.4598, y: 185.4082 });
    // At 112 it is the template itself, half a pixel on (index -> continuous).
    expectPoint(arcfaceChip(112).template.nose, { x: ARCFACE_TEMPLATE_112.nose.x + 0.5, y: ARCFACE_TEMPLATE_112.nose.y + 0.5 });
  });

  it('keeps the dlib chip the default', () => {
    expect(alignmentTransform(points)).toEqual(alignmentTransform(points, NO_JITTER, DLIB_CHIP));
  });

  const face = placeTemplate(-0.3, 1.7, 140, 60, ARCFACE_CHIP_224.template);

  it('maps the ArcFace template positions of the 224 chip onto a rotated, scaled, shifted face', () => {
    const chipToImage = alignmentTransform(face, NO_JITTER, ARCFACE_CHIP_224);
    const template = fivePointsToArray(ARCFACE_CHIP_224.template);
    fivePointsToArray(face).forEach((p, i) => expectPoint(applyContinuous(chipToImage, template[i]!), p, 6));
  });

  it('samples a synthetic face so its five marks land on the template (within a quarter pixel)', () => {
    // A black image with a bright 3x3 square on the pixel under each of the face's five points.
    const width = 600;
    const height = 560;
    const image: RgbImage = { width, height, data: new Uint8Array(width * height * 3) };
    const marks = fivePointsToArray(face).map((p) => ({ x: Math.floor(p.x), y: Math.floor(p.y) }));
    for (const m of marks) {
      for (let y = m.y - 1; y <= m.y + 1; y++) for (let x = m.x - 1; x <= m.x + 1; x++) image.data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
    const size = ARCFACE_CHIP_224.size;
    const chipToImage = alignmentTransform(face, NO_JITTER, ARCFACE_CHIP_224);
    const chip = new Float32Array(size * size * 3);
    sampleInto(image, chipToImage, size, size, chip);
    const imageToChip = invertAffine(chipToImage);
    marks.forEach((m, i) => {
      // Where the mark's centre (a pixel centre) belongs in the chip: within half a pixel of the template point.
      const expected = applyAffine(imageToChip, m);
      const target = fivePointsToArray(ARCFACE_CHIP_224.template)[i]!;
      expect(Math.hypot(expected.x + 0.5 - target.x, expected.y + 0.5 - target.y)).toBeLessThan(0.5 * 1.7 + 0.01);
      // The brightness-weighted centroid of the sampled mark, in chip pixel indexes.
      let sum = 0;
      let sx = 0;
      let sy = 0;
      for (let v = Math.round(expected.y) - 8; v <= Math.round(expected.y) + 8; v++) {
        for (let u = Math.round(expected.x) - 8; u <= Math.round(expected.x) + 8; u++) {
          const w = chip[(v * size + u) * 3]!;
          sum += w;
          sx += w * u;
          sy += w * v;
        }
      }
      expect(sum).toBeGreaterThan(0);
      expect(Math.hypot(sx / sum - expected.x, sy / sum - expected.y)).toBeLessThan(0.25);
    });
  });

  it('jitters around the 224 chip centre', () => {
    const plain = alignmentTransform(face, NO_JITTER, ARCFACE_CHIP_224);
    const centre = { x: 111.5, y: 111.5 };
    expectPoint(applyAffine(alignmentTransform(face, jitter({ rotation: 0.2, scale: 1.1 }), ARCFACE_CHIP_224), centre), applyAffine(plain, centre));
  });
});

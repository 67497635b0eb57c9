import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdafaceError } from '../../../shared/errors.ts';
import { FACERES_VIEWS } from '../../../shared/match/augment.ts';
import { euclidean } from '../../../shared/match/distance.ts';
import { buildGallery, DEFAULT_ENROL_OPTIONS, enrolIdentity, findReferenceFace } from '../../../shared/match/gallery.ts';
import { DEFAULT_RULE, indexGallery, matchDescriptor } from '../../../shared/match/matcher.ts';
import { Gallery } from '../../../shared/schemas/gallery.ts';
import { ENROLLED, fixture, PHOTOS, photoSource } from '../vision/fixtures.ts';

const ANALYZE = DEFAULT_ENROL_OPTIONS.analyze;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lambdaface-gallery-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<LambdafaceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LambdafaceError);
  return error as LambdafaceError;
}

describe('findReferenceFace', () => {
  it('pads a tight crop (jim_parsons) and reports the box in the photo’s own pixels', async () => {
    const { report, face, image } = await findReferenceFace(photoSource(PHOTOS.jim), 'jim_parsons', ANALYZE);
    expect(report.padded).toBe(true);
    expect(report.facesFound).toBe(1);
    expect(report.note).toBeUndefined();
    expect(report.source).toBe(fixture(PHOTOS.jim));
    const { width, height } = await sharp(fixture(PHOTOS.jim)).metadata();
    // The image handed back is the padded one, and the face is found in it...
    expect(image.width).toBeGreaterThan(width!);
    expect(face.box.x).toBeGreaterThan(0);
    // ...but the report's box is in the original crop: centred on it and about its size.
    const cx = report.box.x + report.box.width / 2;
    const cy = report.box.y + report.box.height / 2;
    expect(cx).toBeGreaterThan(0.3 * width!);
    expect(cx).toBeLessThan(0.7 * width!);
    expect(cy).toBeGreaterThan(0.3 * height!);
    expect(cy).toBeLessThan(0.7 * height!);
    expect(report.box.width).toBeGreaterThan(0.6 * width!);
    expect(report.box.width).toBeLessThan(1.3 * width!);
  });

  it('finds the face of a 144x144 headshot that the face fills edge to edge, and it is the same person', async () => {
    const whole = await findReferenceFace(photoSource(PHOTOS.lin), 'lin_manuel_miranda', ANALYZE);
    const { x, y, width } = whole.report.box;
    const headshot = await sharp(fixture(PHOTOS.lin))
      .extract({ left: Math.round(x), top: Math.round(y), width: Math.round(width), height: Math.round(width) })
      .resize(144, 144)
      .png()
      .toBuffer();
    const found = await findReferenceFace({ source: 'headshot.png', bytes: headshot }, 'lin_manuel_miranda', ANALYZE);
    expect(found.report.box.width).toBeGreaterThan(110);
    expect(euclidean(found.face.embedding, whole.face.embedding)).toBeLessThan(0.4);
  });

  it('does not pad a photo where the face is found as it is', async () => {
    const { report } = await findReferenceFace(photoSource(PHOTOS.obama1), 'barack_obama', ANALYZE);
    expect(report.padded).toBe(false);
    expect(report.facesFound).toBe(1);
  });

  it('throws an InputError naming the file for a photo with no face', async () => {
    const path = join(scratch, 'plain-grey.png');
    await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 128, g: 128, b: 128 } } })
      .png()
      .toFile(path);
    const error = await rejection(findReferenceFace({ source: path, bytes: readFileSync(path) }, 'nobody_here', ANALYZE));
    expect(error.kind).toBe('InputError');
    expect(error.input).toBe(path);
    expect(error.message).toContain(path);
    expect(error.message).toContain('nobody_here');
    expect(error.hint).toBeTruthy();
  });

  it('throws an InputError naming the file for bytes that are not an image', async () => {
    const error = await rejection(findReferenceFace({ source: 's3://bucket/people/ann/notes.txt', bytes: new TextEncoder().encode('hello') }, 'ann', ANALYZE));
    expect(error.kind).toBe('InputError');
    expect(error.message).toContain('s3://bucket/people/ann/notes.txt');
  });

  it('enrols the largest of two faces and says so in a note', async () => {
    const { report, face } = await findReferenceFace(photoSource(PHOTOS.twoPeople), 'joe_biden', ANALYZE);
    expect(report.facesFound).toBe(2);
    expect(report.padded).toBe(false);
    expect(report.note).toBeDefined();
    expect(report.note).toMatch(/2 faces/);
    expect(report.note).toMatch(/largest/);
    expect(report.note).toContain('joe_biden');
    expect(report.note).toContain(`${report.box.width}x${report.box.height}`);
    // Biden (right) is the larger face in this photo.
    const { width } = await sharp(fixture(PHOTOS.twoPeople)).metadata();
    expect(report.box.x).toBeGreaterThan(width! / 2);
    expect(face.box.width).toBeCloseTo(report.box.width, 0);
  });
});

describe('enrolIdentity / buildGallery', () => {
  let first: Gallery;

  beforeAll(async () => {
    first = await buildGallery(ENROLLED);
  });

  it('builds a valid gallery: every photo, every augmentation', () => {
    expect(Gallery.safeParse(first).success).toBe(true);
    expect(first.identities.map((identity) => identity.name)).toEqual(ENROLLED.map((person) => person.name));
    first.identities.forEach((identity, i) => {
      const photos = ENROLLED[i]!.photos.length;
      expect(identity.photos).toHaveLength(photos);
      expect(identity.embeddings).toHaveLength(photos * DEFAULT_ENROL_OPTIONS.augmentations.length);
      expect(identity.faceres).toHaveLength(photos * FACERES_VIEWS.length);
      // The report's picture of the person: a small JPEG of the face from their largest photo.
      expect(identity.face).toMatch(/^data:image\/jpeg;base64,/);
      // FaceRes rows are unit vectors (shared/vision/embed-faceres.ts).
      for (const row of identity.faceres) expect(Math.hypot(...row)).toBeCloseTo(1, 4);
    });
    const jim = first.identities.find((identity) => identity.name === 'jim_parsons')!;
    expect(jim.photos[0]!.padded).toBe(true);
  });

  it('is deterministic: the same photos give the same gallery, byte for byte', async () => {
    const second = await buildGallery(ENROLLED);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('does not depend on the order of an identity’s photos', async () => {
    const [alex1, alex2] = ENROLLED.find((person) => person.name === 'alex_lacamoire')!.photos;
    const forward = await enrolIdentity('alex_lacamoire', [alex1!, alex2!]);
    const backward = await enrolIdentity('alex_lacamoire', [alex2!, alex1!]);
    const sorted = (rows: number[][]) => rows.map((row) => JSON.stringify(row)).sort();
    expect(sorted(backward.embeddings)).toEqual(sorted(forward.embeddings));
    expect(sorted(backward.faceres)).toEqual(sorted(forward.faceres));
  });

  it('the first descriptor of each photo is its plain face; the augmented ones stay near it', () => {
    const per = DEFAULT_ENROL_OPTIONS.augmentations.length;
    for (const identity of first.identities) {
      for (let photo = 0; photo < identity.photos.length; photo++) {
        const rows = identity.embeddings.slice(photo * per, (photo + 1) * per);
        for (const row of rows.slice(1)) {
          expect(euclidean(row, rows[0]!), identity.name).toBeGreaterThan(1e-4);
          expect(euclidean(row, rows[0]!), identity.name).toBeLessThan(0.45);
        }
      }
    }
  });

  it('enrolled people are told apart: each plain descriptor matches only its own identity', () => {
    const index = indexGallery(first);
    for (const identity of first.identities) {
      const others = indexGallery({ version: 2, identities: first.identities.filter((other) => other.name !== identity.name) });
      const plain = { dlib: identity.embeddings[0]!, faceres: identity.faceres[0]! };
      expect(matchDescriptor(index, plain, DEFAULT_RULE).identity).toBe(identity.name);
      // Nobody else is within the default threshold of it, even with no margin asked.
      expect(matchDescriptor(others, plain, { ...DEFAULT_RULE, margin: 0 }).identity, identity.name).toBeNull();
    }
  });

  it('refuses a person without photos, naming them', async () => {
    const error = await rejection(enrolIdentity('ann', []));
    expect(error.kind).toBe('InputError');
    expect(error.message).toContain('ann');
  });

  it('skips a photo without a face, listing it with the reason, and enrols the person from the others', async () => {
    const path = join(scratch, 'grey-for-build.png');
    await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .png()
      .toFile(path);
    const gallery = await buildGallery([{ name: 'john_salley', photos: [photoSource(PHOTOS.john), { source: path, bytes: readFileSync(path) }] }]);
    const [john] = gallery.identities;
    expect(john!.photos).toHaveLength(1);
    expect(john!.skipped).toEqual([{ source: path, reason: expect.stringContaining(`no face found in ${path}`) }]);
  });

  it('fails only for people left without a usable photo, naming every one of them and each photo', async () => {
    const grey = join(scratch, 'grey-only.png');
    await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 60, g: 60, b: 60 } } })
      .png()
      .toFile(grey);
    const notImage = { source: 's3://bucket/ann/notes.jpg', bytes: new TextEncoder().encode('hello') };
    const error = await rejection(buildGallery([ENROLLED[0]!, { name: 'ghost', photos: [{ source: grey, bytes: readFileSync(grey) }] }, { name: 'ann', photos: [notImage] }]));
    expect(error.kind).toBe('InputError');
    expect(error.message).toMatch(/no usable reference photo for ghost \(no face found in .*grey-only\.png.*\), ann \(cannot read s3:\/\/bucket\/ann\/notes\.jpg/);
    expect(error.hint).toBeTruthy();
  });
});

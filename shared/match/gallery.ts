import { inputError, LambdafaceError } from '../errors.ts';
import type { Gallery, GalleryIdentity, PhotoReport, SkippedPhoto } from '../schemas/gallery.ts';
import { analyzeImage, type AnalyzedFace } from '../vision/analyze.ts';
import { DEFAULT_ANALYZE_OPTIONS, type AnalyzeOptions } from '../vision/options.ts';
import { embedFaces } from '../vision/embed.ts';
import { embedFacesFaceRes } from '../vision/embed-faceres.ts';
import { faceCrop } from '../vision/face-crop.ts';
import { limitSize, loadImage, padImage, type RgbImage } from '../vision/image.ts';
import { AUGMENTATIONS, FACERES_VIEWS, type Augmentation } from './augment.ts';
import { roundTo } from '../numbers/round.ts';

export interface PhotoSource {
  /** Where the photo came from, for messages (a path or s3:// URL). */
  source: string;
  bytes: Uint8Array;
}

export interface EnrolOptions {
  analyze: AnalyzeOptions;
  augmentations: readonly Augmentation[];
}

export const DEFAULT_ENROL_OPTIONS: EnrolOptions = { analyze: DEFAULT_ANALYZE_OPTIONS, augmentations: AUGMENTATIONS };

/** Photos larger than this are shrunk first: detail beyond it does not help a 150-px chip. */
const MAX_PHOTO_SIDE = 1600;
/** Border added around tight crops, which scene-trained detectors do not see as faces. */
const PADDING = 0.5;

export interface FoundFace {
  image: RgbImage;
  face: AnalyzedFace;
  report: PhotoReport;
}

/**
 * Finds the face to enrol in one photo: padded and retried when the photo is a tight crop; the
 * largest face when there are several (and the report says so); an InputError when there is none,
 * which enrolment turns into a skipped photo that the summary, timeline and report list: a photo
 * dropped silently would skew the whole gallery.
 */
export async function findReferenceFace(photo: PhotoSource, name: string, options: AnalyzeOptions): Promise<FoundFace> {
  const original = await loadImage(photo.bytes, photo.source);
  let image = await limitSize(original, MAX_PHOTO_SIDE);
  const shrink = original.width / image.width;
  let faces = await analyzeImage(image, options);
  let padded = false;
  let offset = 0;
  if (faces.length === 0) {
    const result = padImage(image, PADDING);
    image = result.image;
    faces = await analyzeImage(image, options);
    padded = true;
    offset = result.offset;
  }
  if (faces.length === 0) {
    throw inputError(`no face found in ${photo.source} (reference photo of ${name})`, {
      input: photo.source,
      hint: 'use a photo where the face is unobstructed, roughly frontal and at least 40 px wide, or remove this photo',
    });
  }
  const ranked = [...faces].sort((p, q) => q.box.width * q.box.height - p.box.width * p.box.height);
  const face = ranked[0]!;
  // The report gives the box in the photo's own pixels; `face` stays in the analysed image's.
  const box = {
    x: roundTo((face.box.x - offset) * shrink, 1),
    y: roundTo((face.box.y - offset) * shrink, 1),
    width: roundTo(face.box.width * shrink, 1),
    height: roundTo(face.box.height * shrink, 1),
  };
  const report: PhotoReport = { source: photo.source, facesFound: faces.length, box, padded };
  if (faces.length > 1) {
    report.note = `${faces.length} faces in this photo; enrolled the largest (${box.width}x${box.height} px at ${box.x},${box.y}) as ${name}`;
  }
  return { image, face, report };
}

const rounded = (vector: Float32Array, digits: number): number[] => Array.from(vector, (v) => roundTo(v, digits));

/** What enrolment made of one person's photos: their descriptors, or nothing when no photo was usable. */
interface Enrolment {
  identity: GalleryIdentity | undefined;
  skipped: SkippedPhoto[];
}

/** A photo a user can fix (no face, not an image) is left out and reported; anything else fails the build (it is rethrown). */
export function skippedPhoto(photo: PhotoSource, error: unknown): SkippedPhoto {
  if (!(error instanceof LambdafaceError) || error.kind !== 'InputError') throw error;
  return { source: photo.source, reason: error.hint ? `${error.message}; ${error.hint}` : error.message };
}

async function enrolPhotos(name: string, photos: readonly PhotoSource[], options: EnrolOptions): Promise<Enrolment> {
  const reports: PhotoReport[] = [];
  const embeddings: number[][] = [];
  const faceres: number[][] = [];
  const skipped: SkippedPhoto[] = [];
  let largest: { area: number; photo: PhotoSource; box: PhotoReport['box'] } | undefined;
  for (const photo of photos) {
    let found: FoundFace;
    try {
      found = await findReferenceFace(photo, name, options.analyze);
    } catch (error) {
      skipped.push(skippedPhoto(photo, error));
      continue;
    }
    const vectors = await embedFaces(
      found.image,
      options.augmentations.map((variant) => ({ points: found.face.points, jitter: variant.jitter, gain: variant.gain })),
      options.analyze.detect.threads,
    );
    const faceresOutputs = await embedFacesFaceRes(
      found.image,
      FACERES_VIEWS.map((view) => ({ points: found.face.points, jitter: view.jitter, gain: view.gain })),
      options.analyze.detect.threads,
    );
    reports.push(found.report);
    const area = found.report.box.width * found.report.box.height;
    if (largest === undefined || area > largest.area) largest = { area, photo, box: found.report.box };
    embeddings.push(...vectors.map((vector) => rounded(vector, 6)));
    faceres.push(...faceresOutputs.map((output) => rounded(output.descriptor, 6)));
  }
  if (largest === undefined) return { identity: undefined, skipped };
  const face = await faceCrop(largest.photo.bytes, largest.box);
  return { identity: { name, photos: reports, face, embeddings, faceres, skipped }, skipped };
}

function requirePhotos(name: string, photos: readonly PhotoSource[]): void {
  if (photos.length === 0) throw inputError(`no reference photos for ${name}`, { input: name, hint: 'give at least one photo per person' });
}

function noUsablePhotos(failed: readonly { name: string; skipped: readonly SkippedPhoto[] }[]): LambdafaceError {
  const people = failed.map(({ name, skipped }) => `${name} (${skipped.map((photo) => photo.reason).join('; ')})`);
  return inputError(`no usable reference photo for ${people.join(', ')}`, {
    input: failed.map(({ name }) => name).join(', '),
    hint: 'give each person at least one clear photo: the face unobstructed, roughly frontal and at least 40 px wide',
  });
}

/**
 * Trains one identity: every usable photo's chosen face, embedded by both descriptors (dlib as is
 * and with augmentations, FaceRes as is and mirrored).
 * Photos without a usable face are skipped and listed; a person left with none is an InputError
 * naming every photo and what was wrong with it.
 */
export async function enrolIdentity(name: string, photos: readonly PhotoSource[], options: EnrolOptions = DEFAULT_ENROL_OPTIONS): Promise<GalleryIdentity> {
  requirePhotos(name, photos);
  const { identity, skipped } = await enrolPhotos(name, photos, options);
  if (!identity) throw noUsablePhotos([{ name, skipped }]);
  return identity;
}

/** Trains every person; the error for people without a usable photo names all of them at once. */
export async function buildGallery(people: readonly { name: string; photos: readonly PhotoSource[] }[], options: EnrolOptions = DEFAULT_ENROL_OPTIONS): Promise<Gallery> {
  const identities: GalleryIdentity[] = [];
  const failed: { name: string; skipped: SkippedPhoto[] }[] = [];
  for (const person of people) {
    requirePhotos(person.name, person.photos);
    const { identity, skipped } = await enrolPhotos(person.name, person.photos, options);
    if (identity) identities.push(identity);
    else failed.push({ name: person.name, skipped });
  }
  if (failed.length > 0) throw noUsablePhotos(failed);
  return { version: 2, identities };
}

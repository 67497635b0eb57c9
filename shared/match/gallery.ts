import { inputError } from '../errors.ts';
import type { Gallery, GalleryIdentity, PhotoReport } from '../schemas/gallery.ts';
import { analyzeImage, type AnalyzedFace } from '../vision/analyze.ts';
import { DEFAULT_ANALYZE_OPTIONS, type AnalyzeOptions } from '../vision/options.ts';
import { embedFaces } from '../vision/embed.ts';
import { limitSize, loadImage, padImage, type RgbImage } from '../vision/image.ts';
import { AUGMENTATIONS, type Augmentation } from './augment.ts';

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
 * since silently dropping a photo skews the whole gallery.
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
    x: round((face.box.x - offset) * shrink),
    y: round((face.box.y - offset) * shrink),
    width: round(face.box.width * shrink),
    height: round(face.box.height * shrink),
  };
  const report: PhotoReport = { source: photo.source, facesFound: faces.length, box, padded };
  if (faces.length > 1) {
    report.note = `${faces.length} faces in this photo; enrolled the largest (${box.width}x${box.height} px at ${box.x},${box.y}) as ${name}`;
  }
  return { image, face, report };
}

const round = (value: number): number => Math.round(value * 10) / 10;

/** Trains one identity: every photo's chosen face, embedded as is and with augmentations. */
export async function enrolIdentity(name: string, photos: readonly PhotoSource[], options: EnrolOptions = DEFAULT_ENROL_OPTIONS): Promise<GalleryIdentity> {
  if (photos.length === 0) {
    throw inputError(`no reference photos for ${name}`, { input: name, hint: 'give at least one photo per person' });
  }
  const reports: PhotoReport[] = [];
  const embeddings: number[][] = [];
  for (const photo of photos) {
    const { image, face, report } = await findReferenceFace(photo, name, options.analyze);
    const vectors = await embedFaces(
      image,
      options.augmentations.map((variant) => ({ points: face.points, jitter: variant.jitter, gain: variant.gain })),
      options.analyze.detect.threads,
    );
    reports.push(report);
    embeddings.push(...vectors.map((vector) => Array.from(vector, (v) => Math.round(v * 1e6) / 1e6)));
  }
  return { name, photos: reports, embeddings };
}

export async function buildGallery(
  people: readonly { name: string; photos: readonly PhotoSource[] }[],
  options: EnrolOptions = DEFAULT_ENROL_OPTIONS,
): Promise<Gallery> {
  const identities: GalleryIdentity[] = [];
  for (const person of people) identities.push(await enrolIdentity(person.name, person.photos, options));
  return { version: 1, identities };
}

import { readFileSync } from 'node:fs';
import { buildGallery } from '../shared/match/gallery.ts';
import { indexGallery, type GalleryIndex } from '../shared/match/matcher.ts';

/** lambdaface's gallery of people given as photo files, built as Train builds it from S3 objects. */
export async function galleryOfFiles(people: readonly { name: string; photos: readonly string[] }[]): Promise<GalleryIndex> {
  return indexGallery(await buildGallery(people.map((p) => ({ name: p.name, photos: p.photos.map((photo) => ({ source: photo, bytes: readFileSync(photo) })) }))));
}

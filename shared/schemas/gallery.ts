import { z } from 'zod';
import { IdentityName } from './job.ts';

export const EMBEDDING_SIZE = 128;

export const Embedding = z.array(z.number()).length(EMBEDDING_SIZE);

/** What enrolment decided about one reference photo, kept so users can see why a photo counted. */
export const PhotoReport = z.object({
  source: z.string(),
  facesFound: z.number().int().min(1),
  /** Set when the photo had several faces and one was chosen. */
  note: z.string().optional(),
  box: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }),
  padded: z.boolean(),
});

/** A reference photo enrolment could not use: `reason` is a full sentence that names the photo and what to do. */
export const SkippedPhoto = z.object({ source: z.string(), reason: z.string() });

export const GalleryIdentity = z.object({
  name: IdentityName,
  photos: z.array(PhotoReport).min(1),
  /** Photos of this person that were left out (no face, not an image); the person still has others. */
  skipped: z.array(SkippedPhoto).default([]),
  /** One row per photo and augmentation. */
  embeddings: z.array(Embedding).min(1),
});

/** The trained gallery: jobs/<id>/gallery.json. */
export const Gallery = z.object({
  version: z.literal(1),
  identities: z.array(GalleryIdentity).min(1),
});

/**
 * The gallery as Train stores it (jobs/<id>/gallery.json): it names the job it was trained for and
 * the models that computed it, so a stored gallery is reused only by its own job and models.
 */
export const StoredGallery = Gallery.extend({
  jobId: z.string().min(1),
  models: z.string().min(1),
});

export type PhotoReport = z.infer<typeof PhotoReport>;
export type SkippedPhoto = z.infer<typeof SkippedPhoto>;
export type GalleryIdentity = z.infer<typeof GalleryIdentity>;
export type Gallery = z.infer<typeof Gallery>;
export type StoredGallery = z.infer<typeof StoredGallery>;

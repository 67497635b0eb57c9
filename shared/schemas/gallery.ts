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

export const GalleryIdentity = z.object({
  name: IdentityName,
  photos: z.array(PhotoReport).min(1),
  /** One row per photo and augmentation. */
  embeddings: z.array(Embedding).min(1),
});

/** The trained gallery: jobs/<id>/gallery.json. */
export const Gallery = z.object({
  version: z.literal(1),
  identities: z.array(GalleryIdentity).min(1),
});

export type PhotoReport = z.infer<typeof PhotoReport>;
export type GalleryIdentity = z.infer<typeof GalleryIdentity>;
export type Gallery = z.infer<typeof Gallery>;

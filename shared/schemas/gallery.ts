import { z } from 'zod';
import { IdentityName } from './job.ts';

export const EMBEDDING_SIZE = 128;

export const Embedding = z.array(z.number()).length(EMBEDDING_SIZE);

/** HSE FaceRes's descriptor length (shared/vision/embed-faceres.ts), L2-normalized. */
export const FACERES_SIZE = 1024;

export const FaceResDescriptor = z.array(z.number()).length(FACERES_SIZE);

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
  /** The reference photos enrolled; none for a person enrolled from an earlier job's unknown person (`cluster`). */
  photos: z.array(PhotoReport),
  /** For a person enrolled from an earlier job's own faces: that job, the unknown person's id and how many of its tracks. */
  cluster: z.object({ jobId: z.string().min(1), id: z.string().min(1), tracks: z.number().int().min(1) }).optional(),
  /** Photos of this person that were left out (no face, not an image); the person still has others. */
  skipped: z.array(SkippedPhoto).default([]),
  /** dlib descriptors: one row per photo and augmentation. */
  embeddings: z.array(Embedding).min(1),
  /** A small JPEG (data: URI) of the face from the largest photo, for the report (shared/vision/face-crop.ts). */
  face: z.string().startsWith('data:image/jpeg;base64,').optional(),
  /** FaceRes descriptors: one row per photo, as is and mirrored (shared/match/fusion.ts). */
  faceres: z.array(FaceResDescriptor).min(1),
});

/** The trained gallery: intermediate/<id>/gallery.json. */
export const Gallery = z.object({
  version: z.literal(2),
  /** Empty when nobody is enrolled: the search then only groups the people it finds. */
  identities: z.array(GalleryIdentity),
});

/**
 * The gallery as Train stores it (intermediate/<id>/gallery.json): it names the job it was trained for and
 * the models that computed it, so a stored gallery is reused only by its own job and models.
 */
export const StoredGallery = Gallery.extend({
  jobId: z.string().min(1),
  models: z.string().min(1),
});

/** What Train hands the state machine (shared/workflow/train.ts): small, the embeddings stay in S3. */
export const GallerySummary = z.object({
  bucket: z.string(),
  key: z.string(),
  /** The models that computed the gallery: every chunk result merged with it must name the same. */
  models: z.string(),
  identities: z.array(
    z.object({
      name: z.string(),
      photos: z.number().int(),
      descriptors: z.number().int(),
      /** One line per enrolled photo that needs a word (several faces, the largest taken). */
      notes: z.array(z.string()),
      skipped: z.array(SkippedPhoto),
    }),
  ),
  /** A stored gallery that could not be reused (damaged, another job's, other models), named. */
  recomputed: z.array(z.string()),
  /** People whose stored enrolment (same name, photos, models, recognizer) was used instead of enrolling them again. */
  reusedEnrolments: z.array(z.string()).default([]),
  /** Model sessions Train loaded: none when every person's enrolment was reused. */
  modelsLoaded: z.number().int().min(0).default(0),
});
export type GallerySummary = z.infer<typeof GallerySummary>;

export type PhotoReport = z.infer<typeof PhotoReport>;
export type SkippedPhoto = z.infer<typeof SkippedPhoto>;
export type GalleryIdentity = z.infer<typeof GalleryIdentity>;
export type Gallery = z.infer<typeof Gallery>;
export type StoredGallery = z.infer<typeof StoredGallery>;

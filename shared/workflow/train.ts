import { z } from 'zod';
import { buildGallery, DEFAULT_ENROL_OPTIONS } from '../match/gallery.ts';
import { Gallery } from '../schemas/gallery.ts';
import { jobKeys } from '../storage/keys.ts';
import { exists, getBytes, getJson, putJson, s3Url } from '../storage/s3.ts';
import { DEFAULT_DETECT_OPTIONS } from '../vision/options.ts';
import type { HandlerContext } from './context.ts';
import { resolveJob } from './job.ts';

/** A reference photo enrolment could not use, and why: shown in the CLI summary, timeline.json and the report. */
export const SkippedPhoto = z.object({ source: z.string(), reason: z.string() });
export type SkippedPhoto = z.infer<typeof SkippedPhoto>;

/** What Train hands the state machine: small, the embeddings stay in S3. */
export const GallerySummary = z.object({
  bucket: z.string(),
  key: z.string(),
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
});
export type GallerySummary = z.infer<typeof GallerySummary>;

/**
 * Train: validates the job, enrols every person from their photos and writes the gallery. An
 * existing gallery of the same job is reused (the job id covers the photos' content).
 */
export async function trainJob(raw: unknown, context: HandlerContext): Promise<GallerySummary> {
  const { job, photos } = await resolveJob(raw, context.s3);
  const key = jobKeys(job.jobId).gallery;
  let gallery: Gallery;
  if (await exists(context.s3, job.bucket, key)) {
    gallery = await getJson(context.s3, job.bucket, key, Gallery);
  } else {
    const people = await Promise.all(
      photos.map(async ({ name, keys }) => ({
        name,
        photos: await Promise.all(keys.map(async (photoKey) => ({ source: s3Url(job.bucket, photoKey), bytes: await getBytes(context.s3, job.bucket, photoKey) }))),
      })),
    );
    const analyze = { ...DEFAULT_ENROL_OPTIONS.analyze, detect: { ...DEFAULT_DETECT_OPTIONS, threads: context.config.threads } };
    gallery = await buildGallery(people, { ...DEFAULT_ENROL_OPTIONS, analyze });
    await putJson(context.s3, job.bucket, key, gallery);
  }
  return {
    bucket: job.bucket,
    key,
    identities: gallery.identities.map((identity) => ({
      name: identity.name,
      photos: identity.photos.length,
      descriptors: identity.embeddings.length,
      notes: identity.photos.flatMap((photo) => (photo.note ? [`${photo.source}: ${photo.note}`] : [])),
      skipped: [],
    })),
  };
}

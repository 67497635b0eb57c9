import { buildGallery, DEFAULT_ENROL_OPTIONS } from '../match/gallery.ts';
import { StoredGallery, type GallerySummary } from '../schemas/gallery.ts';
import { jobKeys } from '../storage/keys.ts';
import { getBytes, putJson, s3Url } from '../storage/s3.ts';
import { modelsFingerprint } from '../vision/models.ts';
import { DEFAULT_DETECT_OPTIONS } from '../vision/options.ts';
import type { HandlerContext } from './context.ts';
import { resolveJob, type ResolvedJob } from './job.ts';
import { ownerMismatch, readReusable } from './reuse.ts';
import { enrolUnknownPerson } from './cluster-enrolment.ts';

async function trainGallery({ job, photos }: ResolvedJob, context: HandlerContext, models: string): Promise<StoredGallery> {
  const fromPhotos = photos.filter((person) => person.cluster === undefined);
  const people = await Promise.all(
    fromPhotos.map(async ({ name, keys }) => ({
      name,
      photos: await Promise.all(keys.map(async (photoKey) => ({ source: s3Url(job.bucket, photoKey), bytes: await getBytes(context.s3, job.bucket, photoKey) }))),
    })),
  );
  const analyze = { ...DEFAULT_ENROL_OPTIONS.analyze, detect: { ...DEFAULT_DETECT_OPTIONS, threads: context.config.threads } };
  const gallery = await buildGallery(people, { ...DEFAULT_ENROL_OPTIONS, analyze });
  const enrolled = new Map(gallery.identities.map((identity) => [identity.name, identity]));
  for (const { name, cluster } of photos) {
    if (cluster !== undefined) enrolled.set(name, await enrolUnknownPerson(context.s3, job.bucket, job.video.scannedBy!, { name, cluster }, models));
  }
  // In the job's order, photos or not.
  return { ...gallery, identities: photos.map(({ name }) => enrolled.get(name)!), jobId: job.jobId, models };
}

/**
 * Train: validates the job, enrols every person from their photos and writes the gallery. A stored
 * gallery is reused only when it is intact and was trained for this job (whose id covers the
 * photos' content) by the installed models; otherwise it is trained again and overwritten.
 */
export async function trainJob(raw: unknown, context: HandlerContext): Promise<GallerySummary> {
  const resolved = await resolveJob(raw, context.s3);
  const { job } = resolved;
  const key = jobKeys(job.jobId).gallery;
  const models = await modelsFingerprint();
  const stored = await readReusable(context.s3, job.bucket, key, StoredGallery, (gallery) => ownerMismatch(gallery, { jobId: job.jobId, models }));
  let gallery: StoredGallery;
  if (stored.reuse) {
    gallery = stored.value;
  } else {
    gallery = await trainGallery(resolved, context, models);
    await putJson(context.s3, job.bucket, key, gallery);
  }
  return {
    bucket: job.bucket,
    key,
    models,
    identities: gallery.identities.map((identity) => ({
      name: identity.name,
      photos: identity.photos.length,
      descriptors: identity.embeddings.length,
      notes: [
        ...(identity.cluster === undefined ? [] : [`enrolled from unknown person ${identity.cluster.id} of job ${identity.cluster.jobId} (${identity.cluster.tracks} track(s) of the video's own faces)`]),
        ...identity.photos.flatMap((photo) => (photo.note ? [`${photo.source}: ${photo.note}`] : [])),
      ],
      skipped: identity.skipped,
    })),
    recomputed: stored.reuse || stored.rejected === undefined ? [] : [stored.rejected],
  };
}

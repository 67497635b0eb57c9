import { buildGallery, DEFAULT_ENROL_OPTIONS } from '../match/gallery.ts';
import { StoredGallery, type GalleryIdentity, type GallerySummary } from '../schemas/gallery.ts';
import { jobKeys } from '../storage/keys.ts';
import { getBytes, putJson, s3Url } from '../storage/s3.ts';
import { modelsFingerprint } from '../vision/models.ts';
import { modelSessionsLoaded } from '../vision/model-loads.ts';
import { DEFAULT_DETECT_OPTIONS } from '../vision/options.ts';
import type { HandlerContext } from './context.ts';
import { enrolmentInputs, storedEnrolment, storeEnrolment } from './enrolments.ts';
import { resolveJob, type ResolvedJob } from './job.ts';
import { ownerMismatch, readReusable } from './reuse.ts';
import { enrolUnknownPerson } from './cluster-enrolment.ts';

/**
 * Enrols the people whose enrolment is not stored already (same name, photos, models and
 * recognizer: see enrolments.ts) and stores theirs; the others' stored enrolments are used as
 * they are, so adding a person to a search enrols only that person, and loads no model when
 * nobody needs enrolling. A person named after an earlier job's unknown person (`cluster`) is
 * enrolled from that job's own faces.
 */
async function trainGallery({ job, photos }: ResolvedJob, context: HandlerContext, models: string): Promise<{ gallery: StoredGallery; reused: string[] }> {
  const people = await Promise.all(
    photos
      .filter((person) => person.cluster === undefined)
      .map(async (person) => {
        const inputs = enrolmentInputs(person, models);
        return { person, inputs, stored: await storedEnrolment(context.s3, job.bucket, inputs) };
      }),
  );
  const toEnrol = people.filter(({ stored }) => stored === undefined);
  const enrolled = new Map<string, GalleryIdentity>();
  if (toEnrol.length > 0) {
    const sources = await Promise.all(
      toEnrol.map(async ({ person }) => ({
        name: person.name,
        photos: await Promise.all(person.keys.map(async (photoKey) => ({ source: s3Url(job.bucket, photoKey), bytes: await getBytes(context.s3, job.bucket, photoKey) }))),
      })),
    );
    const analyze = { ...DEFAULT_ENROL_OPTIONS.analyze, detect: { ...DEFAULT_DETECT_OPTIONS, threads: context.config.threads } };
    const built = await buildGallery(sources, { ...DEFAULT_ENROL_OPTIONS, analyze });
    for (const identity of built.identities) enrolled.set(identity.name, identity);
    await Promise.all(toEnrol.map(({ person, inputs }) => storeEnrolment(context.s3, job.bucket, inputs, enrolled.get(person.name)!)));
  }
  for (const { person, stored } of people) if (stored !== undefined) enrolled.set(person.name, stored);
  for (const { name, cluster } of photos) {
    if (cluster !== undefined) enrolled.set(name, await enrolUnknownPerson(context.s3, job.bucket, job.video.scannedBy!, { name, cluster }, models));
  }
  const reused = people.flatMap(({ person, stored }) => (stored === undefined ? [] : [person.name]));
  // In the job's order, photos or not.
  return { gallery: { version: 2, identities: photos.map(({ name }) => enrolled.get(name)!), jobId: job.jobId, models }, reused };
}

/**
 * Train: validates the job, enrols every person from their photos (or takes their stored
 * enrolment) and writes the gallery. A stored
 * gallery is reused only when it is intact and was trained for this job (whose id covers the
 * photos' content) by the installed models; otherwise it is trained again and overwritten.
 */
export async function trainJob(raw: unknown, context: HandlerContext): Promise<GallerySummary> {
  const resolved = await resolveJob(raw, context.s3);
  const { job } = resolved;
  const key = jobKeys(job.jobId).gallery;
  const models = await modelsFingerprint();
  const stored = await readReusable(context.s3, job.bucket, key, StoredGallery, (gallery) => ownerMismatch(gallery, { jobId: job.jobId, models }));
  const loadsBefore = modelSessionsLoaded();
  let gallery: StoredGallery;
  let reusedEnrolments: string[] = [];
  if (stored.reuse) {
    gallery = stored.value;
  } else {
    const trained = await trainGallery(resolved, context, models);
    gallery = trained.gallery;
    reusedEnrolments = trained.reused;
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
        ...(identity.cluster === undefined
          ? []
          : [`enrolled from unknown person ${identity.cluster.id} of job ${identity.cluster.jobId} (${identity.cluster.tracks} track(s) of the video's own faces)`]),
        ...identity.photos.flatMap((photo) => (photo.note ? [`${photo.source}: ${photo.note}`] : [])),
      ],
      skipped: identity.skipped,
    })),
    recomputed: stored.reuse || stored.rejected === undefined ? [] : [stored.rejected],
    reusedEnrolments,
    modelsLoaded: modelSessionsLoaded() - loadsBefore,
  };
}

import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { inputError } from '../errors.ts';
import type { GalleryIdentity } from '../schemas/gallery.ts';
import { StoredUnknownPeople } from '../schemas/unknown-people.ts';
import { jobKeys } from '../storage/keys.ts';
import { readStoredJson, s3Url } from '../storage/s3.ts';

type StoredPerson = StoredUnknownPeople['people'][number];

const WHAT = 'faces[].cluster';

/**
 * The unknown person `cluster` of the earlier job `scannedBy`, from that job's own record of them
 * (intermediate/<scannedBy>/unknown-people.json), proven to be that job's: the record must name
 * it. A job without the record, a damaged one or an id it does not list is an InputError saying
 * what to do.
 */
export async function readUnknownPerson(
  s3: S3Client,
  bucket: string,
  scannedBy: string,
  face: { name: string; cluster: string },
): Promise<{ person: StoredPerson; models: string }> {
  const key = jobKeys(scannedBy).unknownPeople;
  const where = s3Url(bucket, key);
  const stored = await readStoredJson(s3, bucket, key, StoredUnknownPeople);
  if (!stored.found) {
    throw inputError(`cannot enrol ${face.name} as unknown person ${face.cluster}: job ${scannedBy} recorded no unknown people (${where} does not exist)`, {
      input: WHAT,
      hint: 'reuse the scan of a search that finished with this version of lambdaface (its summary lists the unknown people), or search the video again',
    });
  }
  if ('problem' in stored) {
    throw inputError(`cannot enrol ${face.name}: the unknown people of job ${scannedBy} (${where}) cannot be read: ${stored.problem}`, {
      input: WHAT,
      hint: 'search the video again, then enrol from that search',
    });
  }
  if (stored.value.jobId !== scannedBy) {
    throw inputError(`cannot enrol ${face.name}: ${where} belongs to job ${stored.value.jobId}, not ${scannedBy}`, {
      input: WHAT,
      hint: 'search the video again, then enrol from that search',
    });
  }
  const person = stored.value.people.find((candidate) => candidate.id === face.cluster);
  if (person === undefined) {
    const ids = stored.value.people.map((candidate) => candidate.id);
    throw inputError(`job ${scannedBy} found no unknown person ${face.cluster} (to enrol as ${face.name}); it found ${ids.length === 0 ? 'none' : ids.join(', ')}`, {
      input: WHAT,
      hint: 'take the id from that search\'s summary, its timeline.json ("unknown") or its report',
    });
  }
  return { person, models: stored.value.models };
}

/** What identifies the enrolled person in a job's fingerprint: their tracks' descriptors, hashed. */
export function unknownPersonDigest(person: StoredPerson): string {
  return createHash('sha256').update(JSON.stringify(person.tracks)).digest('hex');
}

/**
 * A gallery identity made from an unknown person's own faces in the video: one dlib and one
 * FaceRes row per track (the track's mean descriptors, as clustering compared them), and their
 * clearest face as the reference picture. Only the models that computed the tracks can match them.
 */
export async function enrolUnknownPerson(s3: S3Client, bucket: string, scannedBy: string, face: { name: string; cluster: string }, models: string): Promise<GalleryIdentity> {
  const { person, models: computedBy } = await readUnknownPerson(s3, bucket, scannedBy, face);
  if (computedBy !== models) {
    throw inputError(`cannot enrol ${face.name}: the faces of unknown person ${face.cluster} were described by models ${computedBy}, not the installed ${models}`, {
      input: WHAT,
      hint: 'search the video again with these models, then enrol from that search',
    });
  }
  return {
    name: face.name,
    photos: [],
    skipped: [],
    cluster: { jobId: scannedBy, id: person.id, tracks: person.tracks.length },
    embeddings: person.tracks.map((track) => track.dlib),
    faceres: person.tracks.map((track) => track.faceres),
    ...(person.face === undefined ? {} : { face: person.face }),
  };
}

import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { RECOGNITION_FINGERPRINT } from '../recognize/fingerprint.ts';
import { GalleryIdentity } from '../schemas/gallery.ts';
import { enrolmentKey } from '../storage/keys.ts';
import { putJson } from '../storage/s3.ts';
import { readReusable } from './reuse.ts';

/**
 * What decides one person's enrolment, and so proves a stored one is theirs: the name (it is in
 * the notes), each photo's key (the sources the notes and skipped photos name) and ETag (its
 * content), the models and the recognizer's settings. Detector threads are left out: they change
 * the speed, not the descriptors.
 */
export const EnrolmentInputs = z.object({
  name: z.string(),
  photos: z.array(z.object({ key: z.string(), tag: z.string() })),
  models: z.string(),
  recognizer: z.string(),
});
export type EnrolmentInputs = z.infer<typeof EnrolmentInputs>;

/** A stored enrolment: the inputs it was made from, then what enrolment made of them. */
const StoredEnrolment = z.object({ inputs: EnrolmentInputs, identity: GalleryIdentity });

export function enrolmentInputs(person: { name: string; keys: readonly string[]; tags: readonly string[] }, models: string): EnrolmentInputs {
  return { name: person.name, photos: person.keys.map((key, i) => ({ key, tag: person.tags[i]! })), models, recognizer: RECOGNITION_FINGERPRINT };
}

const hashOf = (inputs: EnrolmentInputs): string => createHash('sha256').update(JSON.stringify(inputs)).digest('hex');

/**
 * The stored enrolment of a person whose photos, name, models and recognizer are exactly these,
 * so a later job with the same person (a re-search adding someone, say) does not enrol them
 * again; undefined when there is none or it cannot be proven to be theirs (then they are
 * enrolled, and the entry replaced).
 */
export async function storedEnrolment(s3: S3Client, bucket: string, inputs: EnrolmentInputs): Promise<GalleryIdentity | undefined> {
  const expected = JSON.stringify(inputs);
  const stored = await readReusable(s3, bucket, enrolmentKey(hashOf(inputs)), StoredEnrolment, (entry) =>
    JSON.stringify(entry.inputs) === expected ? undefined : 'was made from other photos, models or recognizer settings',
  );
  return stored.reuse ? stored.value.identity : undefined;
}

export async function storeEnrolment(s3: S3Client, bucket: string, inputs: EnrolmentInputs, identity: GalleryIdentity): Promise<void> {
  await putJson(s3, bucket, enrolmentKey(hashOf(inputs)), { inputs, identity });
}

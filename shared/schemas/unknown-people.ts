import { z } from 'zod';
import { Embedding, FaceResDescriptor } from './gallery.ts';
import { UnknownPersonId } from './job.ts';

/**
 * intermediate/<jobId>/unknown-people.json, written by Montage: each unknown person's tracks with
 * one descriptor pair per track, and their clearest face as a small JPEG. A later job that reuses
 * this job's scan enrols one of them from here (`faces[].cluster`), so it records the job and the
 * models that computed it, and is validated whenever read.
 */
export const StoredUnknownPeople = z.object({
  version: z.literal(1),
  jobId: z.string().min(1),
  models: z.string().min(1),
  people: z.array(
    z.object({
      id: UnknownPersonId,
      /** The clearest face (data: URI), shown as the reference photo of whoever enrols them; absent when it could not be cut. */
      face: z.string().startsWith('data:image/jpeg;base64,').optional(),
      tracks: z.array(z.object({ track: z.string().min(1), dlib: Embedding, faceres: FaceResDescriptor })).min(1),
    }),
  ),
});
export type StoredUnknownPeople = z.infer<typeof StoredUnknownPeople>;

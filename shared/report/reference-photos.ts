import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { getJson } from '../storage/s3.ts';

/** What the report needs of the stored gallery: each person's reference face, when enrolment made one. */
const GalleryFaces = z.object({ identities: z.array(z.object({ name: z.string(), face: z.string().optional() })) });

export interface ReferenceFaces {
  /** Per person, a data: URI of their enrolled face. */
  faces: Map<string, string>;
  /** One sentence per person whose face could not be shown, for the report's warnings. */
  problems: string[];
}

/**
 * Per person, the face enrolment took from their largest photo (shared/vision/face-crop.ts), as
 * stored in the gallery: embedded in the page, since the photos are the user's inputs, not
 * outputs. A gallery trained before faces were kept shows the person's initial and says why.
 */
export async function referenceFaces(s3: S3Client, bucket: string, galleryKey: string): Promise<ReferenceFaces> {
  const gallery = await getJson(s3, bucket, galleryKey, GalleryFaces);
  const faces = new Map<string, string>();
  const problems: string[] = [];
  for (const identity of gallery.identities) {
    if (identity.face === undefined) problems.push(`the reference photo of ${identity.name} is not shown: its gallery was trained without a reference picture`);
    else faces.set(identity.name, identity.face);
  }
  return { faces, problems };
}

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { inputError } from '../errors.ts';
import type { EnrolmentNotes } from '../schemas/timeline.ts';
import { UPLOADS_PREFIX, uploadKey } from './keys.ts';
import { objectSize, putFile, s3Url } from './s3.ts';

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    throw inputError(`cannot read ${path}: ${(error as Error).message}`, { input: path, cause: error });
  }
  return hash.digest('hex');
}

/**
 * What each uploaded object is to the user: `s3://bucket/uploads/<hash>/x.jpg` -> the path they
 * gave. The workflow only knows the object, so its messages name it; the CLI names the file.
 */
export type SourceNames = Map<string, string>;

/** `text` with every object URL in `names` replaced by its name (longest URL first, so none is cut). */
export function renameSources(text: string, names: ReadonlyMap<string, string>): string {
  return [...names].sort(([a], [b]) => b.length - a.length).reduce((renamed, [url, name]) => renamed.split(url).join(name), text);
}

/** Enrolment's notes and skipped photos with every object URL in `names` replaced by its name. */
export function renamePhotoSources(photos: readonly EnrolmentNotes[], names: ReadonlyMap<string, string>): EnrolmentNotes[] {
  return photos.map((person) => ({
    name: person.name,
    notes: person.notes.map((note) => renameSources(note, names)),
    skipped: person.skipped.map(({ source, reason }) => ({ source: renameSources(source, names), reason: renameSources(reason, names) })),
  }));
}

export interface InputKeyOptions {
  /** Accept `s3://` inputs only under uploads/ (what the functions may read on AWS). */
  uploadsOnly?: boolean;
  /** Where to record which local file was uploaded under which object URL. */
  names?: SourceNames;
}

/**
 * The key of an input in the bucket: an `s3://` URL is used where it is (it must be in the
 * search's bucket and, on AWS, under uploads/, which is all the functions may read); a local file
 * is uploaded under a content-addressed key, so a repeated search uploads nothing and reuses its
 * job id.
 */
export async function inputKey(s3: S3Client, bucket: string, source: string, what: string, options: InputKeyOptions = {}): Promise<string> {
  const uploadsOnly = options.uploadsOnly ?? true;
  const url = /^s3:\/\/([^/]+)\/(.+)$/.exec(source);
  if (url) {
    if (url[1] !== bucket) {
      throw inputError(`${what} ${source} is in bucket ${url[1]}, but this search uses bucket ${bucket}`, {
        input: what,
        hint: `copy it to s3://${bucket}/${UPLOADS_PREFIX}... (the functions may read only their own bucket)`,
      });
    }
    if (uploadsOnly && !url[2]!.startsWith(UPLOADS_PREFIX)) {
      throw inputError(`${what} ${source} is not under ${UPLOADS_PREFIX}`, {
        input: what,
        hint: `the functions may read inputs only under s3://${bucket}/${UPLOADS_PREFIX}; copy it there`,
      });
    }
    return url[2]!;
  }
  const key = uploadKey((await sha256File(source)).slice(0, 32), basename(source).replace(/[^A-Za-z0-9._-]/g, '_'));
  options.names?.set(s3Url(bucket, key), source);
  // The key names the content, so a stored copy is reused, unless it was cut short (a killed upload, a damaged store).
  if ((await objectSize(s3, bucket, key)) !== (await stat(source)).size) await putFile(s3, bucket, key, source);
  return key;
}

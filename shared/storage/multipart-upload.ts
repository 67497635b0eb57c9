import { createReadStream } from 'node:fs';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { mapLimit } from '../async/map-limit.ts';
import { storageError } from '../errors.ts';

/** S3's own limits: at most 10,000 parts, each at least 5 MiB except the last. */
const MAX_PARTS = 10_000;
/** Parts in flight at once: enough to fill a link, few enough to keep memory and sockets low. */
const PARTS_IN_FLIGHT = 4;

export interface MultipartUpload {
  client: S3Client;
  bucket: string;
  key: string;
  path: string;
  size: number;
  contentType: string;
  partSize: number;
}

/**
 * Uploads a large file with CreateMultipartUpload/UploadPart/Complete, each part streamed from its
 * byte range of the file. (`@aws-sdk/lib-storage` would do this but is not a dependency.)
 */
export async function uploadMultipart(upload: MultipartUpload): Promise<void> {
  const { client, bucket, key, path, size, contentType } = upload;
  const partSize = Math.max(upload.partSize, Math.ceil(size / MAX_PARTS));
  const partCount = Math.max(1, Math.ceil(size / partSize));
  const url = `s3://${bucket}/${key}`;

  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }));
  const uploadId = created.UploadId;
  if (!uploadId) throw storageError(`S3 returned no upload id for ${url}`, { input: url });

  const uploadPart = async (index: number): Promise<CompletedPart> => {
    const start = index * partSize;
    const end = Math.min(size, start + partSize); // exclusive
    const response = await client.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: index + 1,
        ContentLength: end - start,
        Body: createReadStream(path, { start, end: end - 1 }),
      }),
    );
    return { PartNumber: index + 1, ETag: response.ETag };
  };

  try {
    const parts = await mapLimit(
      Array.from({ length: partCount }, (_, index) => index),
      PARTS_IN_FLIGHT,
      uploadPart,
    );
    await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
  } catch (error) {
    // Best effort: S3 bills stored parts of abandoned uploads until they are aborted.
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    throw storageError(`could not upload ${path} to ${url} in parts: ${(error as Error).message}`, {
      input: url,
      hint: 'check that the bucket exists and the credentials may write to it',
      cause: error,
    });
  }
}

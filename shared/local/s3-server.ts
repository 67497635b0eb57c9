import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import S3rver from 's3rver';
import { storageError } from '../errors.ts';
import { EMBEDDED_S3_CREDENTIALS, type S3ClientOptions, type S3Credentials } from '../storage/s3.ts';
import { installDesCipherFix } from './des-cipher-fix.ts';

export interface EmbeddedS3Options {
  /** Folder holding the buckets' data; kept after close, so the user can look at a job's files. */
  dir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Buckets to create at start (existing ones are kept). */
  buckets: string[];
  /** Print s3rver's request log (default: quiet). */
  log?: boolean;
  /** Called when an onObjectCreated listener throws (default: written to stderr). */
  onListenerError?: (error: unknown) => void;
}

/** One S3 "object created" notification, in the shape the `start` function gets from S3 on AWS. */
export interface ObjectCreatedEvent {
  bucket: string;
  /** The key as stored (decoded). */
  key: string;
  size: number | undefined;
  /** `ObjectCreated:Put`, `ObjectCreated:Post` (multipart or form upload), `ObjectCreated:Copy`. */
  eventName: string;
  /** An AWS S3 event notification record; its `s3.object.key` is URL-encoded, as S3 sends it. */
  record: S3EventRecord;
}

export interface S3EventRecord {
  eventVersion: string;
  eventSource: 'aws:s3';
  awsRegion: string;
  eventTime: string;
  eventName: string;
  s3: {
    s3SchemaVersion: string;
    bucket: { name: string; arn: string };
    object: { key: string; size?: number; eTag?: string; sequencer: string };
  };
}

export interface EmbeddedS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  dir: string;
  region: string;
  credentials: S3Credentials;
  /** Pass to `createS3Client` to talk to this server. */
  clientConfig: Required<Pick<S3ClientOptions, 'endpoint' | 'region' | 'credentials'>>;
  /** Subscribes to uploads (PUT, multipart completion, copy); returns an unsubscribe function. */
  onObjectCreated(listener: (event: ObjectCreatedEvent) => void | Promise<void>): () => void;
  close(): Promise<void>;
}

interface RawS3rverRecord {
  eventName?: string;
  eventTime?: string;
  awsRegion?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; size?: number | string; eTag?: string; sequencer?: string } };
}

/** S3 notifications carry form-encoded keys ("my video.mp4" → "my+video.mp4"); s3rver sends raw ones. */
function encodeEventKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, '+'))
    .join('/');
}

function toObjectCreated(raw: RawS3rverRecord, region: string): ObjectCreatedEvent | undefined {
  const eventName = raw.eventName ?? '';
  const bucket = raw.s3?.bucket?.name;
  const key = raw.s3?.object?.key;
  if (!eventName.startsWith('ObjectCreated:') || bucket === undefined || key === undefined) return undefined;
  const rawSize = raw.s3?.object?.size;
  const size = rawSize === undefined ? undefined : Number(rawSize);
  const object: S3EventRecord['s3']['object'] = { key: encodeEventKey(key), sequencer: raw.s3?.object?.sequencer ?? '' };
  if (size !== undefined && Number.isFinite(size)) object.size = size;
  if (raw.s3?.object?.eTag !== undefined) object.eTag = raw.s3.object.eTag;
  return {
    bucket,
    key,
    size: object.size,
    eventName,
    record: {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: region,
      eventTime: raw.eventTime ?? new Date().toISOString(),
      eventName,
      s3: { s3SchemaVersion: '1.0', bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object },
    },
  };
}

/**
 * Starts an S3-compatible server (s3rver) inside this process, on 127.0.0.1 only, storing objects
 * as files under `dir`. It speaks enough S3 for the whole pipeline: Put/Get/Head, Range GETs,
 * presigned URLs, ListObjectsV2 with pagination (with the DES fix), multipart uploads, and upload
 * notifications.
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  installDesCipherFix();
  const dir = resolve(options.dir);
  await mkdir(dir, { recursive: true });
  const region = 'us-east-1';
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: !options.log,
    directory: dir,
    resetOnClose: false,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (error) {
    throw storageError(`could not start the embedded S3 server on port ${options.port ?? 0}: ${(error as Error).message}`, {
      input: 'port',
      hint: 'pick another port, or 0 for any free one',
      cause: error,
    });
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { ...EMBEDDED_S3_CREDENTIALS };

  const listeners = new Set<(event: ObjectCreatedEvent) => void | Promise<void>>();
  const reportListenerError =
    options.onListenerError ?? ((error: unknown) => process.stderr.write(`embedded S3: an upload listener failed: ${String(error)}\n`));
  // s3rver emits inside its request handler: a listener must neither delay nor break the upload.
  server.on('event', (notification: { Records?: RawS3rverRecord[] }) => {
    for (const raw of notification.Records ?? []) {
      const event = toObjectCreated(raw, region);
      if (!event) continue;
      for (const listener of listeners) {
        setImmediate(() => {
          Promise.resolve()
            .then(() => listener(event))
            .catch(reportListenerError);
        });
      }
    }
  });

  let closed: Promise<void> | undefined;
  return {
    endpoint,
    port,
    dir,
    region,
    credentials,
    clientConfig: { endpoint, region, credentials },
    onObjectCreated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      if (!closed) {
        closed = server.close();
        // Keep-alive sockets of S3 clients would otherwise hold close() open for seconds.
        server.httpServer?.closeIdleConnections();
      }
      return closed;
    },
  };
}

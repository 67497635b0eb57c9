import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import S3rver from 's3rver';
import { inputError, storageError } from '../errors.ts';
import type { S3ClientOptions, S3Credentials } from '../storage/s3.ts';
import { installDesCipherFix } from './des-cipher-fix.ts';
import { refuseRequest, sendRefusal } from './s3-request-guard.ts';
import { registerS3rverKey } from './s3rver-accounts.ts';

export interface EmbeddedS3Options {
  /** Folder holding the buckets' data; kept after close, so the user can look at a job's files. */
  dir: string;
  /** 0 (the default) picks a free port. A busy port is an InputError with input "port". */
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
  /** This run's key pair, the only one the server accepts (made when it starts). */
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
 * This run's key pair, AWS-shaped (a 20-character key id, a 40-character secret) and drawn from
 * the OS's secure random source: s3rver's own S3RVER/S3RVER is public knowledge.
 */
function perRunCredentials(): S3Credentials {
  return {
    accessKeyId: `LF${randomBytes(9).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
}

function listen(server: Server, port: number): Promise<number> {
  // A busy port is an 'error' event on the server, not a callback argument: without this
  // listener it would crash the process with a stack trace.
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function listenFailure(port: number, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (port !== 0 && (code === 'EADDRINUSE' || code === 'EACCES')) {
    return inputError(`port ${port} on 127.0.0.1 is ${code === 'EADDRINUSE' ? 'already in use' : 'not open to this user'}`, {
      input: 'port',
      hint: 'pick another port, or leave the port out for any free one',
      cause: error,
    });
  }
  return storageError(`could not start the embedded S3 server on port ${port}: ${(error as Error).message}`, { input: 'port', cause: error });
}

/**
 * Starts an S3-compatible server (s3rver) inside this process, on 127.0.0.1 only, storing objects
 * as files under `dir`. It speaks enough S3 for the whole pipeline: Put/Get/Head, Range GETs,
 * presigned URLs, ListObjectsV2 with pagination (with the DES fix), multipart uploads, and upload
 * notifications. It accepts only requests signed with `credentials`, a key pair made for this
 * run, and refuses browser requests and keys that would leave `dir` (s3-request-guard.ts).
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  installDesCipherFix();
  const dir = resolve(options.dir);
  // The store holds people's photos and face descriptors: a folder it creates is its owner's only.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const region = 'us-east-1';
  const server = new S3rver({
    silent: !options.log,
    directory: dir,
    resetOnClose: false,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  await server.configureBuckets();
  const credentials = perRunCredentials();
  // s3rver's run() would listen with its own handler; ours puts the guard in front of it.
  const handle = server.callback();
  // The guard needs the port the server listens on (for the Host check): known once it listens.
  const guarded = { credentials, port: options.port ?? 0 };
  const httpServer = createServer((request, response) => {
    const refusal = refuseRequest({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers }, guarded);
    if (refusal) sendRefusal(request, response, refusal);
    else handle(request, response);
  });
  let port: number;
  try {
    port = await listen(httpServer, options.port ?? 0);
  } catch (error) {
    throw listenFailure(options.port ?? 0, error);
  }
  guarded.port = port;
  const revokeKey = registerS3rverKey(credentials);
  const endpoint = `http://127.0.0.1:${port}`;

  const listeners = new Set<(event: ObjectCreatedEvent) => void | Promise<void>>();
  const reportListenerError = options.onListenerError ?? ((error: unknown) => process.stderr.write(`embedded S3: an upload listener failed: ${String(error)}\n`));
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
        closed = new Promise<void>((resolveClose, rejectClose) => httpServer.close((error) => (error ? rejectClose(error) : resolveClose()))).finally(revokeKey);
        // Keep-alive sockets of S3 clients would otherwise hold close() open for seconds.
        httpServer.closeIdleConnections();
      }
      return closed;
    },
  };
}

import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, type HeadObjectCommandOutput, ListObjectsV2Command, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ZodType } from 'zod';
import { awsErrorShape, LambdafaceError, storageError, zodProblems } from '../errors.ts';
import { uploadMultipart } from './multipart-upload.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3ClientOptions {
  /** An S3-compatible endpoint (the embedded server, MinIO...); omit for AWS itself. */
  endpoint?: string;
  region?: string;
  /** Explicit credentials; the embedded server passes its per-run key pair, since it accepts no other. */
  credentials?: S3Credentials;
}

/**
 * Placeholder credentials for a custom endpoint when nothing is configured, so the SDK does not
 * fail looking for credentials: s3rver's public default pair, which a stand-alone s3rver accepts.
 * The embedded server refuses it (it accepts only its per-run key pair).
 */
export const PLACEHOLDER_S3_CREDENTIALS: S3Credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * Whether the SDK's default chain has something to find. Checked cheaply (env and files) rather
 * than by running the chain, whose last step probes EC2 instance metadata and stalls off EC2.
 */
export function awsCredentialsConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const variables = ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'];
  if (variables.some((name) => Boolean(env[name]))) return true;
  const files = [env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'), env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config')];
  return files.some((file) => existsSync(file));
}

/** How long to wait for a custom endpoint to accept a connection. */
const CUSTOM_ENDPOINT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * THE S3 client factory: every module gets its client here, so the local and AWS setups differ
 * only in the options passed.
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const config: S3ClientConfig = {};
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (options.endpoint !== undefined) {
    config.endpoint = options.endpoint;
    // S3-compatible servers serve buckets as paths, not as DNS names.
    config.forcePathStyle = true;
    // The SDK otherwise sends streamed bodies with aws-chunked framing plus a trailing CRC32,
    // which s3rver stores verbatim inside the object.
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
    config.region = region ?? 'us-east-1';
    // A host that never answers would otherwise hold each attempt for the OS's connect timeout (minutes).
    config.requestHandler = { connectionTimeout: CUSTOM_ENDPOINT_CONNECT_TIMEOUT_MS };
    if (options.credentials) config.credentials = options.credentials;
    else if (!awsCredentialsConfigured()) config.credentials = PLACEHOLDER_S3_CREDENTIALS;
  } else {
    if (region !== undefined) config.region = region;
    if (options.credentials) config.credentials = options.credentials;
  }
  return new S3Client(config);
}

/** `s3://bucket/key`, the way errors and logs name an object. */
export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

function isNotFound(error: unknown): boolean {
  const { name, status } = awsErrorShape(error);
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}

function describeFailure(error: unknown): string {
  const { name, message } = awsErrorShape(error);
  if (name && message && !message.startsWith(name)) return `${name}: ${message}`;
  return message ?? name ?? String(error);
}

/** Node's and the SDK's ways of saying a request never reached the S3 server, in words. */
const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  TimeoutError: 'connection timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

function unreachableReason(error: unknown): string | undefined {
  const { name, code } = awsErrorShape(error);
  return (code === undefined ? undefined : UNREACHABLE[code]) ?? (name === undefined ? undefined : UNREACHABLE[name]);
}

/** The endpoint a client talks to, as the user wrote it; undefined for AWS's own. */
async function customEndpoint(client: S3Client): Promise<string | undefined> {
  if (!client.config.endpoint) return undefined;
  const { protocol, hostname, port, path } = await client.config.endpoint();
  return `${protocol}//${hostname}${port === undefined ? '' : `:${port}`}${path === '/' ? '' : path}`;
}

/**
 * The error for a request that never reached the server (refused, unknown host, timed out): it
 * names the endpoint and what to do instead of the SDK's socket error. Undefined for any other
 * failure, which the caller describes. Every helper below asks this first, so the first request
 * of a search (whichever it is) reports an unreachable endpoint the same way.
 */
async function unreachable(client: S3Client, error: unknown): Promise<LambdafaceError | undefined> {
  const reason = unreachableReason(error);
  if (reason === undefined) return undefined;
  const endpoint = await customEndpoint(client);
  if (endpoint === undefined) {
    return storageError(`cannot reach S3 (${reason})`, { input: 'S3', hint: 'check the network connection and the region (AWS_REGION)', cause: error });
  }
  return storageError(`cannot reach the S3 endpoint ${endpoint} (${reason})`, {
    input: endpoint,
    hint: 'check the URL given to --s3-endpoint and that an S3 server is running there; or omit --s3-endpoint (and --bucket) to use the embedded server',
    cause: error,
  });
}

function missingObject(bucket: string, key: string, error: unknown): Error {
  const bucketMissing = awsErrorShape(error).name === 'NoSuchBucket';
  return storageError(bucketMissing ? `bucket "${bucket}" does not exist (reading ${s3Url(bucket, key)})` : `no object at ${s3Url(bucket, key)}`, {
    input: s3Url(bucket, key),
    hint: bucketMissing ? 'create the bucket, or check the bucket name' : "check the key; if an earlier step should have written it, look at that step's error",
    cause: error,
  });
}

async function readFailure(client: S3Client, bucket: string, key: string, error: unknown): Promise<Error> {
  if (isNotFound(error) || awsErrorShape(error).name === 'NoSuchBucket') return missingObject(bucket, key, error);
  return (
    (await unreachable(client, error)) ??
    storageError(`could not read ${s3Url(bucket, key)}: ${describeFailure(error)}`, {
      input: s3Url(bucket, key),
      hint: 'check that the S3 endpoint is reachable and the credentials may read this bucket',
      cause: error,
    })
  );
}

interface SizeLimit {
  maxBytes: number;
  tooLarge: (size: number) => Error;
}

/** An object's bytes, or undefined when there is no object at the key (a missing bucket is an error). */
async function readObject(client: S3Client, bucket: string, key: string, limit?: SizeLimit): Promise<Uint8Array | undefined> {
  try {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const stated = response.ContentLength;
    if (limit && stated !== undefined && stated > limit.maxBytes) {
      // The headers came first: drop the connection rather than download what will be refused.
      if (response.Body instanceof Readable) response.Body.destroy();
      throw limit.tooLarge(stated);
    }
    const bytes = response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
    if (limit && bytes.length > limit.maxBytes) throw limit.tooLarge(bytes.length);
    return bytes;
  } catch (error) {
    if (error instanceof LambdafaceError) throw error;
    if (isNotFound(error) && awsErrorShape(error).name !== 'NoSuchBucket') return undefined;
    throw await readFailure(client, bucket, key, error);
  }
}

function present(bytes: Uint8Array | undefined, bucket: string, key: string): Uint8Array {
  if (bytes === undefined) throw missingObject(bucket, key, undefined);
  return bytes;
}

/** Reads a whole object into memory (photos, small JSON); large media goes through getToFile or a presigned URL. Missing object → StorageError naming the s3:// URL. */
export async function getBytes(client: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  return present(await readObject(client, bucket, key), bucket, key);
}

/** Reads a whole object into memory, or undefined when there is none at the key (a missing bucket is an error). */
export async function getBytesIfAny(client: S3Client, bucket: string, key: string): Promise<Uint8Array | undefined> {
  return readObject(client, bucket, key);
}

/**
 * Reads an object whose size is capped (a job file): one over `maxBytes` is refused with the
 * error `tooLarge` makes from its size, judged from the size S3 states before any of the body is
 * read (and from the bytes read, should a server state none). One request, so the object cannot
 * change between the size check and the read.
 */
export async function getBytesUpTo(client: S3Client, bucket: string, key: string, maxBytes: number, tooLarge: (size: number) => Error): Promise<Uint8Array> {
  return present(await readObject(client, bucket, key, { maxBytes, tooLarge }), bucket, key);
}

/** Reads a whole object as UTF-8 text. Missing object → StorageError naming the s3:// URL. */
export async function getText(client: S3Client, bucket: string, key: string): Promise<string> {
  return new TextDecoder('utf-8').decode(await getBytes(client, bucket, key));
}

/** What is wrong with `bytes` as a JSON document of `schema`, or its value. */
export function parseJsonBytes<T>(bytes: Uint8Array, schema: ZodType<T>): { value: T } | { problem: string; invalidJson: boolean } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8').decode(bytes));
  } catch (error) {
    return { problem: `is not valid JSON: ${(error as Error).message}`, invalidJson: true };
  }
  const result = schema.safeParse(value);
  if (result.success) return { value: result.data };
  return { problem: `does not have the expected content: ${zodProblems(result.error)}`, invalidJson: false };
}

/**
 * Reads a JSON object and validates it with `schema`. Missing object, invalid JSON and a shape
 * that does not match are all StorageErrors that name the key and what is wrong.
 */
export async function getJson<T>(client: S3Client, bucket: string, key: string, schema: ZodType<T>): Promise<T> {
  const parsed = parseJsonBytes(await getBytes(client, bucket, key), schema);
  if ('value' in parsed) return parsed.value;
  throw storageError(`${s3Url(bucket, key)} ${parsed.problem}`, {
    input: s3Url(bucket, key),
    hint: parsed.invalidJson
      ? 'the object was cut short or not written by lambdaface; delete it and run the step again'
      : 'the object was written by another version of lambdaface or by hand; delete it and run the step again',
  });
}

/** A JSON object that may be absent or damaged: absent, its validated value, or what is wrong with it. */
export type StoredJson<T> = { found: false } | { found: true; value: T } | { found: true; problem: string };

/** Like getJson, but an absent, cut-short or foreign object is an answer, not an error. */
export async function readStoredJson<T>(client: S3Client, bucket: string, key: string, schema: ZodType<T>): Promise<StoredJson<T>> {
  const bytes = await readObject(client, bucket, key);
  if (bytes === undefined) return { found: false };
  const parsed = parseJsonBytes(bytes, schema);
  return 'value' in parsed ? { found: true, value: parsed.value } : { found: true, problem: parsed.problem };
}

/** Writes an object; returns its size and the ETag the store gave this version of it. */
async function put(client: S3Client, bucket: string, key: string, body: string | Uint8Array, contentType: string): Promise<{ bytes: number; tag: string | undefined }> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf-8') : body;
  try {
    const response = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType, ContentLength: bytes.byteLength }));
    return { bytes: bytes.byteLength, tag: response.ETag };
  } catch (error) {
    throw (
      (await unreachable(client, error)) ??
      storageError(`could not write ${s3Url(bucket, key)}: ${describeFailure(error)}`, {
        input: s3Url(bucket, key),
        hint: 'check that the bucket exists and the credentials may write to it',
        cause: error,
      })
    );
  }
}

/** Writes `value` as JSON; returns the number of bytes written. */
export async function putJson(client: S3Client, bucket: string, key: string, value: unknown): Promise<number> {
  return (await put(client, bucket, key, JSON.stringify(value), 'application/json')).bytes;
}

/**
 * Writes `value` as JSON; returns the ETag of the object written (undefined if the store gives
 * none): while a HEAD answers the same, the object is this one (objectTag).
 */
export async function putJsonTagged(client: S3Client, bucket: string, key: string, value: unknown): Promise<string | undefined> {
  return (await put(client, bucket, key, JSON.stringify(value), 'application/json')).tag;
}

/** Writes bytes (an image, a media file, any content) with the given content type; returns the bytes written. */
export async function putBytes(client: S3Client, bucket: string, key: string, bytes: Uint8Array, contentType: string): Promise<number> {
  return (await put(client, bucket, key, bytes, contentType)).bytes;
}

export async function putText(client: S3Client, bucket: string, key: string, text: string, contentType = 'text/plain; charset=utf-8'): Promise<number> {
  return (await put(client, bucket, key, text, contentType)).bytes;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.mkv': 'video/x-matroska',
  '.webm': 'video/webm',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.json': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
  '.vtt': 'text/vtt; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export interface PutFileOptions {
  contentType?: string;
  /** Files at least this large go up in parts (S3 caps one PUT at 5 GB). Default 64 MiB. */
  multipartThreshold?: number;
  /** Part size for multipart uploads; grown as needed to stay within 10,000 parts. Default 16 MiB. */
  partSize?: number;
}

const MiB = 1024 * 1024;

/** Uploads a local file, streamed from disk (never read whole into memory); returns its size. */
export async function putFile(client: S3Client, bucket: string, key: string, path: string, options: PutFileOptions = {}): Promise<number> {
  const contentType = options.contentType ?? contentTypeFor(path);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw storageError(`cannot read ${path} to upload it: ${(error as Error).message}`, { input: path, cause: error });
  }
  if (size >= (options.multipartThreshold ?? 64 * MiB)) {
    await uploadMultipart({ client, bucket, key, path, size, contentType, partSize: options.partSize ?? 16 * MiB });
    return size;
  }
  try {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(path), ContentLength: size, ContentType: contentType }));
  } catch (error) {
    throw (
      (await unreachable(client, error)) ??
      storageError(`could not upload ${path} to ${s3Url(bucket, key)}: ${describeFailure(error)}`, {
        input: s3Url(bucket, key),
        hint: 'check that the bucket exists and the credentials may write to it',
        cause: error,
      })
    );
  }
  return size;
}

/**
 * Downloads an object to a local file, streamed. It is written under a temporary name and renamed
 * when complete, so a file at `path` is never a partial download.
 */
export async function getToFile(client: S3Client, bucket: string, key: string, path: string): Promise<number> {
  const partial = `${path}.partial-${randomBytes(4).toString('hex')}`;
  try {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = response.Body;
    if (!(body instanceof Readable)) {
      throw storageError(`the S3 client returned no stream for ${s3Url(bucket, key)}`, { input: s3Url(bucket, key) });
    }
    await pipeline(body, createWriteStream(partial));
    await rename(partial, path);
    return (await stat(path)).size;
  } catch (error) {
    await rm(partial, { force: true });
    if (isNotFound(error) || awsErrorShape(error).name === 'NoSuchBucket') throw missingObject(bucket, key, error);
    if (error instanceof Error && error.name === 'StorageError') throw error;
    throw (
      (await unreachable(client, error)) ??
      storageError(`could not download ${s3Url(bucket, key)} to ${path}: ${describeFailure(error)}`, {
        input: s3Url(bucket, key),
        cause: error,
      })
    );
  }
}

/** An object's HEAD, or undefined when there is none. Errors other than "not found" are StorageErrors. */
async function head(client: S3Client, bucket: string, key: string): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw (
      (await unreachable(client, error)) ??
      storageError(`could not check ${s3Url(bucket, key)}: ${describeFailure(error)}`, {
        input: s3Url(bucket, key),
        cause: error,
      })
    );
  }
}

/** An object's size in bytes (HEAD), or undefined when there is none. */
export async function objectSize(client: S3Client, bucket: string, key: string): Promise<number | undefined> {
  const found = await head(client, bucket, key);
  return found === undefined ? undefined : (found.ContentLength ?? 0);
}

/** An object's ETag (HEAD), or undefined when there is none or the store gives none. */
export async function objectTag(client: S3Client, bucket: string, key: string): Promise<string | undefined> {
  return (await head(client, bucket, key))?.ETag;
}

/** Whether an object exists (HEAD). */
export async function exists(client: S3Client, bucket: string, key: string): Promise<boolean> {
  return (await objectSize(client, bucket, key)) !== undefined;
}

/** Every key under `prefix`, following continuation tokens past the 1,000-key page size. */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    } catch (error) {
      throw (
        (await unreachable(client, error)) ??
        storageError(`could not list ${s3Url(bucket, prefix)}: ${describeFailure(error)}`, {
          input: s3Url(bucket, prefix),
          cause: error,
        })
      );
    }
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

/**
 * A presigned GET URL, so a process without credentials (ffmpeg) can read the object, including
 * with Range requests.
 */
export async function presignGet(client: S3Client, bucket: string, key: string, expiresIn = 3600): Promise<string> {
  return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
}

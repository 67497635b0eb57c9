import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { S3Credentials } from '../storage/s3.ts';

/**
 * Verifies the signature of a request to the embedded S3 server, for its one key pair.
 *
 * s3rver 3.7.1 checks only version 2 signatures: for version 4 (what every current S3 client
 * sends) it looks the access key id up and accepts the request whatever the signature, so the
 * key id alone, which is not secret (it is in every presigned URL, e.g. on ffmpeg's command
 * line), would open the server. This module recomputes version 4 signatures with the secret key,
 * as S3 does, for the two forms clients use: the Authorization header and a presigned URL's
 * query. The payload hash is taken as the client signed it, not recomputed from the body
 * (neither does s3rver): the server only listens on the loopback interface, where nobody can
 * alter a body in transit. Version 2 signatures (still made by e.g. `aws s3 presign` of AWS
 * CLI v1) are left to s3rver's own check, which does verify them, once their key id is ours.
 */

/** What verification needs of one request, as Node's HTTP server gives it. */
export interface RequestToVerify {
  method: string;
  /** The request target as sent: raw (encoded) path and query. */
  url: string;
  headers: IncomingHttpHeaders;
}

export type SignatureVerdict = { ok: true } | { ok: false; code: string; message: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** How far a signed request's time may be from ours: S3's own window. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** The longest a presigned URL may be valid: S3's own limit, a week. */
const MAX_PRESIGNED_SECONDS = 7 * 24 * 60 * 60;

const refuse = (code: string, message: string): SignatureVerdict => ({ ok: false, code, message });

/** RFC 3986 encoding, as SigV4 canonicalises paths and queries (encodeURIComponent leaves !'()* alone). */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** A request target's raw path and raw query (without the `?`). */
export function splitTarget(url: string): { path: string; query: string } {
  const mark = url.indexOf('?');
  return mark < 0 ? { path: url, query: '' } : { path: url.slice(0, mark), query: url.slice(mark + 1) };
}

/** The query's parameters, decoded, in order (a raw `+`, a space to s3rver's querystring, is refused by the guard before this). */
export function queryParameters(query: string): Array<[string, string]> | undefined {
  const parameters: Array<[string, string]> = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = decode(equals < 0 ? part : part.slice(0, equals));
    const value = decode(equals < 0 ? '' : part.slice(equals + 1));
    if (name === undefined || value === undefined) return undefined;
    parameters.push([name, value]);
  }
  return parameters;
}

/** S3's canonical URI: each segment decoded, then encoded once (S3 does not normalise or double-encode). */
function canonicalPath(path: string): string | undefined {
  const segments = path.split('/').map(decode);
  return segments.some((segment) => segment === undefined) ? undefined : (segments as string[]).map(uriEncode).join('/');
}

function canonicalQuery(parameters: Array<[string, string]>): string {
  return parameters
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** A header's value as one string: Node gives some repeated headers as an array, joined here as HTTP does. */
export function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** A header's value as SigV4 canonicalises it: trimmed, inner whitespace runs made one space. */
function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  return headerText(headers, name)?.trim().replace(/\s+/g, ' ');
}

/** `20260101T120000Z` → epoch ms, or undefined when it is not that format. */
function parseAmzDate(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as [number, number, number, number, number, number, number];
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  return Number.isNaN(time) ? undefined : time;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

interface SignatureParts {
  accessKeyId: string;
  /** `<date>/<region>/s3/aws4_request` */
  scope: string;
  scopeDate: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
}

function parseCredential(credential: string): Pick<SignatureParts, 'accessKeyId' | 'scope' | 'scopeDate' | 'region' | 'service' | 'terminator'> | undefined {
  const parts = credential.split('/');
  if (parts.length !== 5) return undefined;
  const [accessKeyId, scopeDate, region, service, terminator] = parts as [string, string, string, string, string];
  return { accessKeyId, scope: parts.slice(1).join('/'), scopeDate, region, service, terminator };
}

function fromHeader(authorization: string, headers: IncomingHttpHeaders): SignatureParts | string {
  if (!authorization.startsWith(`${ALGORITHM} `)) return `the Authorization header is neither ${ALGORITHM} nor AWS (version 2)`;
  const fields = new Map(
    authorization
      .slice(ALGORITHM.length + 1)
      .split(',')
      .map((field) => field.trim())
      .map((field) => [field.slice(0, Math.max(0, field.indexOf('='))), field.slice(field.indexOf('=') + 1)] as const),
  );
  const credential = parseCredential(fields.get('Credential') ?? '');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  const amzDate = headerValue(headers, 'x-amz-date');
  if (!credential || !signedHeaders || !signature) return 'the Authorization header needs Credential, SignedHeaders and Signature';
  if (!amzDate) return 'a signed request needs an x-amz-date header';
  return { ...credential, signedHeaders: signedHeaders.split(';'), signature, amzDate };
}

function fromQuery(parameters: Map<string, string>): SignatureParts | string {
  if (parameters.get('X-Amz-Algorithm') !== ALGORITHM) return `only AWS Signature Version 4 (${ALGORITHM}) is accepted`;
  const credential = parseCredential(parameters.get('X-Amz-Credential') ?? '');
  const signedHeaders = parameters.get('X-Amz-SignedHeaders');
  const signature = parameters.get('X-Amz-Signature');
  const amzDate = parameters.get('X-Amz-Date');
  if (!credential || !signedHeaders || !signature || !amzDate || !parameters.has('X-Amz-Expires')) {
    return 'a presigned URL needs X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature';
  }
  return { ...credential, signedHeaders: signedHeaders.split(';'), signature, amzDate };
}

/** Whether a version 2 presigned URL's Expires (epoch seconds) is at most a week away; a past one is s3rver's to refuse. */
function version2ExpiresInTime(expires: string | undefined, now: number): boolean {
  return expires !== undefined && /^\d{1,12}$/.test(expires) && Number(expires) * 1000 - now <= MAX_PRESIGNED_SECONDS * 1000;
}

/**
 * Whether `request` is signed with `credentials`: a version 4 signature in its Authorization
 * header or its query (a presigned URL), verified here within S3's time limits, or a version 2
 * one naming our key id (verified by s3rver next). Unsigned requests are refused.
 */
export function verifySignature(request: RequestToVerify, credentials: S3Credentials, now: number = Date.now()): SignatureVerdict {
  const { path, query } = splitTarget(request.url);
  const parameters = queryParameters(query);
  const uri = canonicalPath(path);
  if (!parameters || uri === undefined) return refuse('InvalidURI', 'the request path or query is not valid percent-encoding');
  const byName = new Map(parameters);
  const authorization = request.headers.authorization;
  const presigned = byName.has('X-Amz-Algorithm') || byName.has('X-Amz-Signature');
  if (authorization !== undefined && presigned) return refuse('InvalidArgument', 'sign a request either in its Authorization header or in its query, not both');
  const version2KeyId = authorization?.startsWith('AWS ') ? authorization.slice(4).split(':')[0] : byName.has('Signature') ? byName.get('AWSAccessKeyId') : undefined;
  if (version2KeyId !== undefined) {
    if (version2KeyId !== credentials.accessKeyId) return refuse('InvalidAccessKeyId', "the access key id is not this server's key");
    // s3rver refuses an expired version 2 URL but accepts any expiry, however far: cap it as SigV4's.
    if (authorization === undefined && !version2ExpiresInTime(byName.get('Expires'), now)) {
      return refuse('AuthorizationQueryParametersError', `a version 2 presigned URL needs an Expires at most ${MAX_PRESIGNED_SECONDS} seconds (7 days) from now`);
    }
    return { ok: true };
  }
  if (authorization === undefined && !presigned) return refuse('AccessDenied', 'this server accepts only requests signed with its key');

  const parts = authorization !== undefined ? fromHeader(authorization, request.headers) : fromQuery(byName);
  if (typeof parts === 'string') return refuse(authorization !== undefined ? 'AuthorizationHeaderMalformed' : 'AuthorizationQueryParametersError', parts);
  if (parts.accessKeyId !== credentials.accessKeyId) return refuse('InvalidAccessKeyId', "the access key id is not this server's key");
  const signedAt = parseAmzDate(parts.amzDate);
  if (signedAt === undefined || parts.amzDate.slice(0, 8) !== parts.scopeDate)
    return refuse('AccessDenied', "the signing date is missing, malformed or not the credential scope's date");
  if (parts.service !== 's3' || parts.terminator !== 'aws4_request') return refuse('AccessDenied', 'the credential scope is not <date>/<region>/s3/aws4_request');
  if (!parts.signedHeaders.includes('host')) return refuse('AccessDenied', 'the host header must be signed');

  if (authorization !== undefined) {
    if (Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS) return refuse('RequestTimeTooSkewed', "the request was signed more than 15 minutes from the server's time");
  } else {
    const expires = Number(byName.get('X-Amz-Expires'));
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS)
      return refuse('AuthorizationQueryParametersError', 'X-Amz-Expires must be 1 to 604800 seconds');
    if (signedAt - now > MAX_CLOCK_SKEW_MS) return refuse('AccessDenied', 'the presigned URL is dated in the future');
    if (now > signedAt + expires * 1000) return refuse('AccessDenied', 'the presigned URL has expired');
  }

  const canonicalHeaders: string[] = [];
  for (const name of parts.signedHeaders) {
    const value = headerValue(request.headers, name);
    if (value === undefined) return refuse('AccessDenied', `the signed header ${name} is missing from the request`);
    canonicalHeaders.push(`${name}:${value}\n`);
  }
  const payloadHash = authorization !== undefined ? headerValue(request.headers, 'x-amz-content-sha256') : (byName.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD');
  if (payloadHash === undefined) return refuse('InvalidRequest', 'a signed request needs an x-amz-content-sha256 header');

  const canonicalRequest = [
    request.method.toUpperCase(),
    uri,
    canonicalQuery(presigned ? parameters.filter(([name]) => name !== 'X-Amz-Signature') : parameters),
    canonicalHeaders.join(''),
    parts.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = [ALGORITHM, parts.amzDate, parts.scope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join('\n');
  const signingKey = [parts.scopeDate, parts.region, parts.service, parts.terminator].reduce<string | Buffer>((key, data) => hmac(key, data), `AWS4${credentials.secretAccessKey}`);
  const expected = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest();
  const given = /^[0-9a-f]{64}$/.test(parts.signature) ? Buffer.from(parts.signature, 'hex') : undefined;
  if (!given || !timingSafeEqual(given, expected)) {
    return refuse('SignatureDoesNotMatch', "the request signature does not match the one computed with this server's key");
  }
  return { ok: true };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { keyPathProblem } from '../storage/keys.ts';
import type { S3Credentials } from '../storage/s3.ts';
import { headerText, queryParameters, splitTarget, verifySignature, type RequestToVerify } from './s3-signature.ts';

/**
 * What every request to the embedded S3 server passes before s3rver sees it. s3rver itself lets
 * unsigned requests through, supports browser form uploads, answers CORS, takes a bucket from a
 * `<bucket>.s3.amazonaws.com` Host header (even with vhostBuckets off), copies every `x-amz-*`
 * query parameter over the request's headers, and joins keys (and multipart upload ids and part
 * numbers) onto its folder without checking them, so:
 *
 * - a Host other than 127.0.0.1:<port> or localhost:<port> is refused: no bucket can come from
 *   it, and a web page cannot reach the server through a name that it rebinds to 127.0.0.1;
 * - a request from a web page (an Origin header) is refused: no site may drive the server from
 *   the user's browser, and there is no CORS for anyone;
 * - a form upload (POST multipart/form-data or x-www-form-urlencoded) is refused: it is how a
 *   page would post across origins without scripts, and no S3 client needs it;
 * - a path whose decoded bucket or key has a `.` or `..` segment, a backslash or a NUL, an
 *   `x-amz-copy-source` likewise, and an upload id or part number that is not a plain token,
 *   are refused, so nothing is read or written outside the data folder; so is any `x-amz-*`
 *   query parameter but SigV4's presigning ones, and a raw `+` in the query; multi-object delete
 *   (POST ?delete) is refused too, since its keys are in an XML body that s3rver would read
 *   after us (DeleteObject, one key per request, works, and is what `aws s3 rm` uses);
 * - and everything else must be signed with the server's per-run key (s3-signature.ts).
 */

export interface Refusal {
  status: number;
  code: string;
  message: string;
}

const FORM_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded'];
/** s3rver's upload ids are 32 hex digits; anything path-like must never reach its path joins. */
const UPLOAD_ID = /^[A-Za-z0-9_-]{1,128}$/;
const PART_NUMBER = /^[1-9]\d{0,4}$/;
/**
 * The `x-amz-*` query parameters of a SigV4 presigned URL (AWS's list, plus X-Amz-Content-Sha256,
 * which the AWS SDK adds): s3rver would take any other one as a header, e.g. a copy source.
 */
const PRESIGN_PARAMETERS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
  'X-Amz-Content-Sha256',
]);
/** Enough rounds to unwrap any encoding a client could mean; a key is never legitimately encoded more. */
const DECODE_ROUNDS = 4;

/**
 * `text` decoded again and again until it stops changing (or no longer decodes), checking each
 * form: s3rver decodes once, but a double-encoded `%252e%252e` must not slip past either.
 */
function decodedForms(text: string): string[] | undefined {
  const forms = [text];
  for (let round = 0; round < DECODE_ROUNDS; round += 1) {
    let next: string;
    try {
      next = decodeURIComponent(forms.at(-1)!);
    } catch {
      // The first decoding failing is a malformed request; a later one means it was plain text.
      if (round === 0) return undefined;
      break;
    }
    if (next === forms.at(-1)) break;
    forms.push(next);
  }
  return forms;
}

function unsafeLocation(label: string, raw: string): Refusal | undefined {
  const forms = decodedForms(raw);
  if (!forms) return { status: 400, code: 'InvalidURI', message: `the ${label} is not valid percent-encoding` };
  for (const form of forms) {
    const problem = keyPathProblem(form);
    if (problem) return { status: 400, code: 'InvalidArgument', message: `the ${label} ${problem}: such keys are refused, since they would reach outside the server's folder` };
  }
  return undefined;
}

function unsafeTarget(request: RequestToVerify): Refusal | undefined {
  const { path, query } = splitTarget(request.url);
  const pathRefusal = unsafeLocation('bucket or key in the path', path);
  if (pathRefusal) return pathRefusal;
  // s3rver reads the query with querystring, where a raw `+` is a space; SigV4 clients write a
  // space as %20 and a plus as %2B, so a raw `+` is never in a URL they sign. Refusing it, rather
  // than decoding it as s3rver does, keeps one meaning per query without a second decoder here.
  if (query.includes('+')) return { status: 400, code: 'InvalidURI', message: 'a raw + in the query is ambiguous: encode a space as %20 and a plus as %2B' };
  const parameters = queryParameters(query);
  if (!parameters) return { status: 400, code: 'InvalidURI', message: 'the query is not valid percent-encoding' };
  const copySources = [headerText(request.headers, 'x-amz-copy-source'), ...parameters.filter(([name]) => name.toLowerCase() === 'x-amz-copy-source').map(([, value]) => value)];
  for (const copySource of copySources) {
    const refusal = copySource === undefined ? undefined : unsafeLocation('x-amz-copy-source', copySource);
    if (refusal) return refusal;
  }
  const amzParameter = parameters.find(([name]) => name.toLowerCase().startsWith('x-amz-') && !PRESIGN_PARAMETERS.has(name));
  if (amzParameter) {
    return {
      status: 400,
      code: 'InvalidArgument',
      message: `the query parameter ${amzParameter[0]} is refused (this server takes x-amz-* values only as headers, except SigV4's presigning parameters)`,
    };
  }
  if (request.method.toUpperCase() === 'POST' && parameters.some(([name]) => name === 'delete')) {
    return { status: 501, code: 'NotImplemented', message: 'multi-object delete is not available on this server: delete objects one at a time' };
  }
  for (const [name, value] of parameters) {
    if (name === 'uploadId' && !UPLOAD_ID.test(value)) return { status: 400, code: 'InvalidArgument', message: 'the uploadId is not a plain token' };
    if (name === 'partNumber' && !PART_NUMBER.test(value)) return { status: 400, code: 'InvalidArgument', message: 'the partNumber must be 1 to 10000' };
  }
  return undefined;
}

function isFormPost(request: RequestToVerify): boolean {
  const type = request.headers['content-type']?.toLowerCase().trim() ?? '';
  return request.method.toUpperCase() === 'POST' && FORM_TYPES.some((form) => type.startsWith(form));
}

/** What the guard knows of the server it stands in front of. */
export interface GuardedServer {
  credentials: S3Credentials;
  /** The port it listens on, on 127.0.0.1. */
  port: number;
}

/** Whether `host` names the server as a client on this machine does: 127.0.0.1 or localhost, with its port. */
function isOwnHost(host: string | undefined, port: number): boolean {
  const names = ['127.0.0.1', 'localhost'];
  // A client leaves out the default port 80 (the SDK and ffmpeg do).
  const accepted = port === 80 ? [...names, ...names.map((name) => `${name}:80`)] : names.map((name) => `${name}:${port}`);
  return host !== undefined && accepted.includes(host.toLowerCase());
}

/** Why the embedded server refuses `request`, or undefined to let s3rver handle it. */
export function refuseRequest(request: RequestToVerify, server: GuardedServer, now: number = Date.now()): Refusal | undefined {
  if (!isOwnHost(headerText(request.headers, 'host'), server.port)) {
    return {
      status: 400,
      code: 'InvalidArgument',
      message: `the Host header must be 127.0.0.1:${server.port} or localhost:${server.port}: this server answers only under its own address`,
    };
  }
  if (request.headers.origin !== undefined) {
    return { status: 403, code: 'AccessDenied', message: 'requests from web pages (with an Origin header) are refused: this server allows no browser access' };
  }
  if (isFormPost(request)) {
    return { status: 403, code: 'AccessDenied', message: 'form uploads (POST multipart/form-data or x-www-form-urlencoded) are refused; upload with a signed PUT' };
  }
  const unsafe = unsafeTarget(request);
  if (unsafe) return unsafe;
  const verdict = verifySignature(request, server.credentials, now);
  if (!verdict.ok) return { status: verdict.code === 'InvalidURI' ? 400 : 403, code: verdict.code, message: verdict.message };
  return undefined;
}

const xmlEscape = (text: string): string => text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * Answers a refused request the way S3 does: the status and an XML Error body. The request's
 * body is read and dropped, so a client still sending it gets the answer rather than a broken
 * pipe.
 */
export function sendRefusal(request: IncomingMessage, response: ServerResponse, refusal: Refusal): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(refusal.code)}</Code><Message>${xmlEscape(refusal.message)}</Message></Error>`;
  request.resume();
  response.writeHead(refusal.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

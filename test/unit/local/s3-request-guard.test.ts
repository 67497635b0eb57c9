import { CopyObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { refuseRequest } from '../../../shared/local/s3-request-guard.ts';
import { verifySignature, type RequestToVerify } from '../../../shared/local/s3-signature.ts';
import { createS3Client } from '../../../shared/storage/s3.ts';

/**
 * The guard in front of s3rver, on requests built by hand. The signature check is held against
 * the worked example of AWS's S3 SigV4 documentation (GET /test.txt with a Range header, signed
 * with the documentation's example key on 2013-05-24), so it is checked against S3's own
 * definition, not only against the SDK that the reliability tests sign with.
 */
const EXAMPLE_KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const SIGNED_AT = Date.UTC(2013, 4, 24, 0, 0, 0);
const EXAMPLE: RequestToVerify = {
  method: 'GET',
  url: '/test.txt',
  headers: {
    host: 'examplebucket.s3.amazonaws.com',
    range: 'bytes=0-9',
    'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'x-amz-date': '20130524T000000Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  },
};

describe('verifySignature (SigV4)', () => {
  it("accepts AWS's worked example", () => {
    expect(verifySignature(EXAMPLE, EXAMPLE_KEY, SIGNED_AT)).toEqual({ ok: true });
  });

  it.each([
    ['another secret', EXAMPLE, { ...EXAMPLE_KEY, secretAccessKey: 'S3RVER' }, 'SignatureDoesNotMatch'],
    ['another key id', EXAMPLE, { ...EXAMPLE_KEY, accessKeyId: 'S3RVER' }, 'InvalidAccessKeyId'],
    ['another path', { ...EXAMPLE, url: '/other.txt' }, EXAMPLE_KEY, 'SignatureDoesNotMatch'],
    ['another signed header value', { ...EXAMPLE, headers: { ...EXAMPLE.headers, range: 'bytes=0-99' } }, EXAMPLE_KEY, 'SignatureDoesNotMatch'],
    ['a signed header missing', { ...EXAMPLE, headers: { ...EXAMPLE.headers, range: undefined } }, EXAMPLE_KEY, 'AccessDenied'],
    ['an added query parameter', { ...EXAMPLE, url: '/test.txt?acl' }, EXAMPLE_KEY, 'SignatureDoesNotMatch'],
  ])('refuses the example with %s', (_, request, key, code) => {
    expect(verifySignature(request, key, SIGNED_AT)).toMatchObject({ ok: false, code });
  });

  it('refuses it 16 minutes later (a replay), and with no signature at all', () => {
    expect(verifySignature(EXAMPLE, EXAMPLE_KEY, SIGNED_AT + 16 * 60_000)).toMatchObject({ ok: false, code: 'RequestTimeTooSkewed' });
    const { authorization: _, ...unsigned } = EXAMPLE.headers;
    expect(verifySignature({ ...EXAMPLE, headers: unsigned }, EXAMPLE_KEY, SIGNED_AT)).toMatchObject({ ok: false, code: 'AccessDenied' });
  });

  it('leaves a version 2 signature to s3rver only when it names our key id', () => {
    const v2 = (id: string) => ({ method: 'GET', url: '/b/k', headers: { authorization: `AWS ${id}:c2lnbmF0dXJl`, date: new Date(SIGNED_AT).toUTCString() } });
    expect(verifySignature(v2(EXAMPLE_KEY.accessKeyId), EXAMPLE_KEY, SIGNED_AT)).toEqual({ ok: true });
    expect(verifySignature(v2('S3RVER'), EXAMPLE_KEY, SIGNED_AT)).toMatchObject({ ok: false, code: 'InvalidAccessKeyId' });
    expect(verifySignature({ method: 'GET', url: '/b/k?AWSAccessKeyId=S3RVER&Signature=x&Expires=9999999999', headers: {} }, EXAMPLE_KEY, SIGNED_AT)).toMatchObject({
      ok: false,
      code: 'InvalidAccessKeyId',
    });
  });
});

/** The presigned GET of AWS's SigV4 query-string documentation: /test.txt, signed 2013-05-24 for 86400 s. */
const PRESIGNED_QUERY = {
  'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
  'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request',
  'X-Amz-Date': '20130524T000000Z',
  'X-Amz-Expires': '86400',
  'X-Amz-SignedHeaders': 'host',
  'X-Amz-Signature': 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
};
const presigned = (changes: Record<string, string> = {}, headers: Record<string, string> = {}): RequestToVerify => ({
  method: 'GET',
  url: `/test.txt?${Object.entries({ ...PRESIGNED_QUERY, ...changes })
    .map(([name, value]) => `${name}=${value}`)
    .join('&')}`,
  headers: { host: 'examplebucket.s3.amazonaws.com', ...headers },
});

describe('verifySignature (SigV4 presigned URLs)', () => {
  const HOUR = 3_600_000;

  it("accepts AWS's worked example within its day, and refuses it once expired or before it is dated", () => {
    expect(verifySignature(presigned(), EXAMPLE_KEY, SIGNED_AT + HOUR)).toEqual({ ok: true });
    expect(verifySignature(presigned(), EXAMPLE_KEY, SIGNED_AT + 86_401_000)).toMatchObject({ ok: false, code: 'AccessDenied', message: expect.stringMatching(/expired/) });
    expect(verifySignature(presigned(), EXAMPLE_KEY, SIGNED_AT - 16 * 60_000)).toMatchObject({ ok: false, code: 'AccessDenied', message: expect.stringMatching(/future/) });
  });

  it.each([['0'], ['604801'], ['-1'], ['1.5'], ['']])('refuses X-Amz-Expires=%s before checking the signature', (expires) => {
    expect(verifySignature(presigned({ 'X-Amz-Expires': expires }), EXAMPLE_KEY, SIGNED_AT + 1000)).toMatchObject({
      ok: false,
      code: 'AuthorizationQueryParametersError',
      message: expect.stringMatching(/X-Amz-Expires must be 1 to 604800/),
    });
  });

  it.each([
    ['a changed X-Amz-Expires', presigned({ 'X-Amz-Expires': '86399' })],
    ['a changed X-Amz-Date', presigned({ 'X-Amz-Date': '20130524T000001Z' })],
    ['an added parameter', presigned({ 'response-content-type': 'text%2Fhtml' })],
    ['another host', presigned({}, { host: 'otherbucket.s3.amazonaws.com' })],
  ])('refuses it with %s', (_, request) => {
    expect(verifySignature(request, EXAMPLE_KEY, SIGNED_AT + HOUR)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
  });

  it('refuses a request signed both in its Authorization header and its query', () => {
    const both = { ...EXAMPLE, url: presigned().url, headers: { ...EXAMPLE.headers } };
    expect(verifySignature(both, EXAMPLE_KEY, SIGNED_AT)).toMatchObject({ ok: false, code: 'InvalidArgument', message: expect.stringMatching(/not both/) });
  });

  it('caps a version 2 presigned URL (left to s3rver) at 7 days from now', () => {
    const v2 = (expires: number | string) => ({ method: 'GET', url: `/b/k?AWSAccessKeyId=${EXAMPLE_KEY.accessKeyId}&Signature=c2ln&Expires=${expires}`, headers: {} });
    const nowSeconds = SIGNED_AT / 1000;
    expect(verifySignature(v2(nowSeconds + 3600), EXAMPLE_KEY, SIGNED_AT)).toEqual({ ok: true });
    expect(verifySignature(v2(nowSeconds + 604_800), EXAMPLE_KEY, SIGNED_AT)).toEqual({ ok: true });
    for (const expires of [nowSeconds + 604_801, 9_999_999_999, 'soon', '']) {
      expect(verifySignature(v2(expires), EXAMPLE_KEY, SIGNED_AT)).toMatchObject({ ok: false, code: 'AuthorizationQueryParametersError' });
    }
  });
});

describe('refuseRequest', () => {
  const PORT = 4569;
  const unsigned = (method: string, url: string, headers: Record<string, string> = {}): RequestToVerify => ({ method, url, headers: { host: `127.0.0.1:${PORT}`, ...headers } });
  const refusal = (request: RequestToVerify) => refuseRequest(request, { credentials: EXAMPLE_KEY, port: PORT }, SIGNED_AT);
  /** A GetObject (or, given a CopySource, a CopyObject) presigned by the AWS SDK for this server, as a request reaching it. */
  const presignedBySdk = async (input: { Key: string; CopySource?: string }, host = `127.0.0.1:${PORT}`): Promise<RequestToVerify> => {
    const s3 = createS3Client({ endpoint: `http://${host}`, credentials: EXAMPLE_KEY });
    const options = { signingDate: new Date(SIGNED_AT) };
    const url =
      input.CopySource === undefined
        ? await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: input.Key }), options)
        : await getSignedUrl(s3, new CopyObjectCommand({ Bucket: 'b', Key: input.Key, CopySource: input.CopySource }), options);
    s3.destroy();
    return { method: 'GET', url: url.slice(`http://${host}`.length), headers: { host } };
  };

  it.each([
    ['/b/../x'],
    ['/b/a/..'],
    ['/b/./x'],
    ['/b/..%2fx'],
    ['/b/..%2Fx'],
    ['/b/%2e%2e/x'],
    ['/b/%2E%2E%2Fx'],
    ['/b/.%2E/x'],
    ['/b/%252e%252e%252fx'],
    ['/b/a%5c..%5cx'],
    ['/b/a%00.txt'],
    ['/../x'],
  ])('refuses the path %s before anything else (400 InvalidArgument)', (url) => {
    expect(refusal(unsigned('PUT', url))).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });

  it('refuses malformed percent-encoding, a path-like upload id or part number, a copy source that climbs, and multi-object delete', () => {
    expect(refusal(unsigned('GET', '/b/%zz'))).toMatchObject({ status: 400, code: 'InvalidURI' });
    expect(refusal(unsigned('PUT', '/b/k?partNumber=1&uploadId=..%2F..%2Fx'))).toMatchObject({ status: 400 });
    expect(refusal(unsigned('PUT', '/b/k?partNumber=..&uploadId=abc'))).toMatchObject({ status: 400 });
    expect(refusal(unsigned('PUT', '/b/k', { 'x-amz-copy-source': '/b/../../etc/passwd' }))).toMatchObject({ status: 400 });
    expect(refusal(unsigned('POST', '/b?delete', { 'content-type': 'application/xml' }))).toMatchObject({ status: 501, code: 'NotImplemented' });
  });

  it('lets keys with dots, percent signs and spaces in their names through to the signature check', () => {
    for (const url of ['/b/uploads/100%25%20done.mp4', '/b/a..b/.hidden/x...y', '/b/uploads/my+talk.mp4']) {
      expect(refusal(unsigned('GET', url))).toMatchObject({ status: 403, code: 'AccessDenied', message: expect.stringMatching(/signed with its key/) });
    }
  });

  it('refuses browser requests and form uploads before checking signatures', () => {
    expect(refusal(unsigned('GET', '/b/k', { origin: 'https://example.com' }))).toMatchObject({ status: 403, message: expect.stringMatching(/Origin/) });
    expect(refusal(unsigned('POST', '/b', { 'content-type': 'multipart/form-data; boundary=x' }))).toMatchObject({ status: 403, message: expect.stringMatching(/form uploads/) });
    expect(refusal(unsigned('POST', '/b', { 'content-type': 'Application/X-WWW-Form-Urlencoded' }))).toMatchObject({ status: 403, message: expect.stringMatching(/form uploads/) });
  });

  it('lets a request presigned by the AWS SDK through, at 127.0.0.1 or localhost with the port', async () => {
    expect(refusal(await presignedBySdk({ Key: 'uploads/my talk+1.mp4' }))).toBeUndefined();
    expect(refusal(await presignedBySdk({ Key: 'k' }, `localhost:${PORT}`))).toBeUndefined();
  });

  it.each([
    ['a bucket in an S3 virtual-host name', `...s3.amazonaws.com:${PORT}`],
    ['a bucket in an S3 virtual-host name without the port', '..s3.us-east-1.amazonaws.com'],
    ['a rebound DNS name', `evil.example:${PORT}`],
    ['another port', '127.0.0.1:1'],
    ['no port', '127.0.0.1'],
  ])('refuses a Host with %s, even when signed', async (_, host) => {
    expect(refusal(await presignedBySdk({ Key: 'k' }, host))).toMatchObject({ status: 400, message: expect.stringMatching(/Host/) });
  });

  it('refuses a request without a Host header', () => {
    expect(refusal({ method: 'GET', url: '/b/k', headers: {} })).toMatchObject({ status: 400, message: expect.stringMatching(/Host/) });
  });

  it('refuses a copy source in the query (which s3rver would take as the header), even when presigned by the AWS SDK', async () => {
    const climbing = await presignedBySdk({ Key: 'k', CopySource: 'b/x/../../etc/hostname' });
    expect(climbing.url).toContain('x-amz-copy-source=');
    expect(refusal(climbing)).toMatchObject({ status: 400, code: 'InvalidArgument', message: expect.stringMatching(/x-amz-copy-source/) });
    expect(refusal(unsigned('PUT', '/b/k?X-AMZ-COPY-SOURCE=%2Fb%2F..%2F..%2Fetc%2Fhostname'))).toMatchObject({ status: 400, code: 'InvalidArgument' });
    const plain = await presignedBySdk({ Key: 'k', CopySource: 'b/other' });
    expect(refusal(plain)).toMatchObject({ status: 400, code: 'InvalidArgument', message: expect.stringMatching(/query parameter x-amz-copy-source/) });
  });

  it.each([['x-amz-copy-source-range'], ['X-Amz-Meta-Owner'], ['x-amz-date'], ['x-amz-acl'], ['X-AMZ-SIGNATURE']])(
    'refuses the x-amz query parameter %s, which is not a SigV4 presigning one',
    (name) => {
      expect(refusal(unsigned('GET', `/b/k?${name}=x`))).toMatchObject({ status: 400, code: 'InvalidArgument', message: expect.stringContaining(name) });
    },
  );

  it('refuses a raw + in the query, which s3rver would read as a space', () => {
    expect(refusal(unsigned('GET', '/b?list-type=2&prefix=a+b'))).toMatchObject({ status: 400, code: 'InvalidURI', message: expect.stringMatching(/\+/) });
    expect(refusal(unsigned('GET', '/b?list-type=2&prefix=a%2Bb'))).toMatchObject({ status: 403, code: 'AccessDenied' });
  });
});

import { describe, expect, it } from 'vitest';
import { refuseRequest } from '../../../shared/local/s3-request-guard.ts';
import { verifySignature, type RequestToVerify } from '../../../shared/local/s3-signature.ts';

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

describe('refuseRequest', () => {
  const unsigned = (method: string, url: string, headers: Record<string, string> = {}): RequestToVerify => ({ method, url, headers: { host: '127.0.0.1:1', ...headers } });
  const refusal = (request: RequestToVerify) => refuseRequest(request, EXAMPLE_KEY, SIGNED_AT);

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
    expect(refusal({ ...EXAMPLE, headers: { ...EXAMPLE.headers, origin: 'https://example.com' } })).toMatchObject({ status: 403, message: expect.stringMatching(/Origin/) });
    expect(refusal(unsigned('POST', '/b', { 'content-type': 'multipart/form-data; boundary=x' }))).toMatchObject({ status: 403, message: expect.stringMatching(/form uploads/) });
    expect(refusal(unsigned('POST', '/b', { 'content-type': 'Application/X-WWW-Form-Urlencoded' }))).toMatchObject({ status: 403, message: expect.stringMatching(/form uploads/) });
  });

  it('lets the validly signed example through', () => {
    expect(refusal(EXAMPLE)).toBeUndefined();
  });
});

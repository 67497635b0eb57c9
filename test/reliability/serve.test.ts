import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, exists, getText, listKeys, presignGet, putText, type S3Credentials } from '../../shared/storage/s3.ts';
import { JOB_FILE_MAX_BYTES } from '../../shared/workflow/start.ts';

/**
 * `lambdaface serve` as a user (and an attacker on the same machine, or a web page in the user's
 * browser) meets it: the real CLI in a child process, its embedded S3 server reached over real
 * HTTP. Raw requests go through node:http, since fetch would resolve `..` in a URL before sending.
 */
const BIN = new URL('../../bin/lambdaface.js', import.meta.url).pathname;
const BUCKET = 'lambdaface';

let work: string;
let dataDir: string;
let serve: ChildProcess;
let output = '';
let endpoint: string;
let port: number;
let credentials: S3Credentials;

/** Resolves with the first match of `pattern` in serve's output, as soon as it is printed. */
function waitForOutput(pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(output);
      if (!match) return false;
      serve.stdout!.off('data', check);
      serve.off('exit', exited);
      resolve(match);
      return true;
    };
    const exited = () => reject(new Error(`serve exited before printing ${pattern}; output:\n${output}`));
    if (check()) return;
    serve.stdout!.on('data', check);
    serve.once('exit', exited);
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-serve-security-'));
  dataDir = join(work, 'data');
  serve = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--concurrency', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  serve.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  serve.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitForOutput(/Ctrl-C to stop/);
  endpoint = /S3 API at (http:\/\/127\.0\.0\.1:(\d+))/.exec(output)![1]!;
  port = Number(new URL(endpoint).port);
  credentials = {
    accessKeyId: /export AWS_ACCESS_KEY_ID=(\S+)/.exec(output)![1]!,
    secretAccessKey: /export AWS_SECRET_ACCESS_KEY=(\S+)/.exec(output)![1]!,
  };
}, 120_000);

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve.once('exit', resolve));
    serve.kill('SIGINT');
    await exited;
  }
  await rm(work, { recursive: true, force: true });
});

const signedClient = () => createS3Client({ endpoint, credentials });

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with the path exactly as given (nothing resolved or re-encoded). */
function raw(method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Every file under the work folder that is not inside the data folder. */
async function filesOutsideDataDir(): Promise<string[]> {
  const entries = await readdir(work, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(work, join(entry.parentPath, entry.name)))
    .filter((path) => !path.startsWith(`data/`));
}

const errorCode = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1];

describe('serve: who may talk to the embedded S3 server', () => {
  it('prints a per-run key pair and an aws example, not the public S3RVER pair', () => {
    expect(credentials.accessKeyId).toMatch(/^[A-Z0-9]{20}$/);
    expect(credentials.secretAccessKey).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(output).not.toContain('S3RVER');
    expect(output).toContain(`aws --endpoint-url ${endpoint} s3 cp job.json s3://${BUCKET}/uploads/`);
  });

  it('refuses unsigned PUT, GET, DELETE and listing with 403 and an S3 XML error', async () => {
    const s3 = signedClient();
    await putText(s3, BUCKET, 'uploads/private/notes.txt', 'secret', 'text/plain');

    const put = await raw('PUT', `/${BUCKET}/uploads/unsigned/job.json`, { body: '{}' });
    const get = await raw('GET', `/${BUCKET}/uploads/private/notes.txt`);
    const del = await raw('DELETE', `/${BUCKET}/uploads/private/notes.txt`);
    const list = await raw('GET', `/${BUCKET}?list-type=2`);
    const buckets = await raw('GET', '/');
    for (const response of [put, get, del, list, buckets]) {
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toBe('application/xml');
      expect(errorCode(response.body)).toBe('AccessDenied');
      expect(response.body).not.toContain('secret');
    }
    expect(await exists(s3, BUCKET, 'uploads/unsigned/job.json')).toBe(false);
    expect(await getText(s3, BUCKET, 'uploads/private/notes.txt')).toBe('secret');
    s3.destroy();
  });

  it('refuses the public S3RVER/S3RVER pair, and the right key id with a wrong secret', async () => {
    const publicPair = createS3Client({ endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await expect(listKeys(publicPair, BUCKET, '')).rejects.toMatchObject({ message: expect.stringMatching(/InvalidAccessKeyId/) });
    const wrongSecret = createS3Client({ endpoint, credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: 'x'.repeat(40) } });
    await expect(putText(wrongSecret, BUCKET, 'uploads/forged/job.json', '{}', 'application/json')).rejects.toMatchObject({
      message: expect.stringMatching(/SignatureDoesNotMatch/),
    });
    const s3 = signedClient();
    expect(await exists(s3, BUCKET, 'uploads/forged/job.json')).toBe(false);
    for (const client of [publicPair, wrongSecret, s3]) client.destroy();
  });

  it('accepts requests signed with the printed key: put, get, list, delete', async () => {
    const s3 = signedClient();
    await putText(s3, BUCKET, 'uploads/signed/hello.txt', 'hello', 'text/plain');
    expect(await getText(s3, BUCKET, 'uploads/signed/hello.txt')).toBe('hello');
    expect(await listKeys(s3, BUCKET, 'uploads/signed/')).toEqual(['uploads/signed/hello.txt']);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'uploads/signed/hello.txt' }));
    expect(await exists(s3, BUCKET, 'uploads/signed/hello.txt')).toBe(false);
    s3.destroy();
  });

  it('serves presigned GETs made with the key (as ffmpeg reads videos), with Range, but not altered or expired ones', async () => {
    const s3 = signedClient();
    await putText(s3, BUCKET, 'uploads/presigned/clip.txt', '0123456789', 'text/plain');
    const url = await presignGet(s3, BUCKET, 'uploads/presigned/clip.txt');
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(await whole.text()).toBe('0123456789');
    const part = await fetch(url, { headers: { range: 'bytes=2-4' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('234');

    const otherKey = await fetch(url.replace('clip.txt', 'notes.txt'));
    expect(otherKey.status).toBe(403);
    expect(errorCode(await otherKey.text())).toBe('SignatureDoesNotMatch');
    // Validly signed an hour ago for one minute: expired, without waiting for it.
    const expired = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'uploads/presigned/clip.txt' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 3_600_000),
    });
    const stale = await fetch(expired);
    expect(stale.status).toBe(403);
    expect(await stale.text()).toMatch(/expired/);
    s3.destroy();
  });

  it('refuses browser form uploads, even with a valid-looking key field', async () => {
    const form = new FormData();
    form.set('key', 'uploads/form/job.json');
    form.set('file', new Blob(['{"video":{"key":"x"}}']), 'job.json');
    const multipart = await fetch(`${endpoint}/${BUCKET}`, { method: 'POST', body: form });
    expect(multipart.status).toBe(403);
    expect(await multipart.text()).toMatch(/form uploads/);
    const urlencoded = await fetch(`${endpoint}/${BUCKET}`, { method: 'POST', body: new URLSearchParams({ key: 'uploads/form/job.json' }) });
    expect(urlencoded.status).toBe(403);
    const s3 = signedClient();
    expect(await exists(s3, BUCKET, 'uploads/form/job.json')).toBe(false);
    s3.destroy();
  });

  it('refuses any request with an Origin header (no CORS), even one that is otherwise validly signed', async () => {
    const s3 = signedClient();
    await putText(s3, BUCKET, 'uploads/origin/a.txt', 'a', 'text/plain');
    const url = new URL(await presignGet(s3, BUCKET, 'uploads/origin/a.txt'));
    const target = url.pathname + url.search;
    expect((await raw('GET', target)).status).toBe(200);
    const fromPage = await raw('GET', target, { headers: { origin: 'https://evil.example' } });
    expect(fromPage.status).toBe(403);
    expect(fromPage.body).toMatch(/Origin/);
    const preflight = await raw('OPTIONS', `/${BUCKET}/uploads/origin/a.txt`, {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    s3.destroy();
  });
});

describe('serve: keys that would leave the data folder', () => {
  it.each([
    ['../', `/${BUCKET}/../../evil-dotdot`],
    ['..%2f', `/${BUCKET}/..%2f..%2fevil-encoded-slash`],
    ['%2e%2e/', `/${BUCKET}/%2e%2e/%2e%2e/evil-encoded-dots`],
    ['%2E%2E%2F', `/${BUCKET}/%2E%2E%2F%2E%2E%2Fevil-upper`],
    ['%252e%252e (double-encoded)', `/${BUCKET}/%252e%252e%252f%252e%252e%252fevil-double`],
    ['backslash', `/${BUCKET}/..%5c..%5cevil-backslash`],
    ['./', `/${BUCKET}/./uploads/evil-dot`],
  ])('refuses a %s key before s3rver sees it', async (_, path) => {
    for (const method of ['PUT', 'GET', 'DELETE']) {
      const response = await raw(method, path, method === 'PUT' ? { body: 'pwned' } : {});
      expect(response.status).toBe(400);
      expect(errorCode(response.body)).toBe('InvalidArgument');
    }
    expect(await filesOutsideDataDir()).toEqual([]);
  });

  it('refuses them when signed with the key too: in the path, a presigned URL, a copy source, an upload id, a multi-object delete', async () => {
    const s3 = signedClient();
    await expect(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/../../evil-signed', Body: 'pwned' }))).rejects.toMatchObject({ name: 'InvalidArgument' });
    // Cut from the string: new URL() would resolve the `..` before it is sent.
    const presignedPut = (await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/../../evil-presigned' }))).slice(endpoint.length);
    expect(presignedPut).toContain('/../../');
    expect((await raw('PUT', presignedPut, { body: 'pwned' })).status).toBe(400);
    await expect(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'uploads/copied.txt', CopySource: `${BUCKET}/../../../etc/hostname` }))).rejects.toMatchObject({
      name: 'InvalidArgument',
    });
    await expect(s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: '../../evil-dotdot' }] } }))).rejects.toMatchObject({ name: 'NotImplemented' });
    const partOutside = await raw('PUT', `/${BUCKET}/uploads/part.bin?partNumber=1&uploadId=..%2F..%2F..%2Fevil-part`, { body: 'pwned' });
    expect(partOutside.status).toBe(400);
    expect(await filesOutsideDataDir()).toEqual([]);
    expect(await exists(s3, BUCKET, 'uploads/copied.txt')).toBe(false);
    s3.destroy();
  });
});

describe('serve: what s3rver would read from the Host header and the query', () => {
  it('refuses a validly presigned copy whose source is in the query (s3rver takes it as the header)', async () => {
    const s3 = signedClient();
    await putText(s3, BUCKET, 'uploads/qcopy/a.txt', 'a', 'text/plain');
    // The SDK hoists the x-amz-copy-source header into a presigned URL's query.
    const url = await getSignedUrl(s3, new CopyObjectCommand({ Bucket: BUCKET, Key: 'uploads/qcopy/b.txt', CopySource: `${BUCKET}/uploads/x/../qcopy/a.txt` }));
    const target = url.slice(endpoint.length);
    expect(target).toContain('x-amz-copy-source=');
    const response = await raw('PUT', target);
    expect(response.status).toBe(400);
    expect(errorCode(response.body)).toBe('InvalidArgument');
    expect(await exists(s3, BUCKET, 'uploads/qcopy/b.txt')).toBe(false);
    s3.destroy();
  });

  it('refuses a validly presigned PUT whose Host names an S3 virtual-hosted bucket "..", and a rebound DNS name', async () => {
    const host = `...s3.amazonaws.com:${port}`;
    const vhost = createS3Client({ endpoint: `http://${host}`, credentials });
    const url = await getSignedUrl(vhost, new PutObjectCommand({ Bucket: BUCKET, Key: 'evil-vhost' }));
    vhost.destroy();
    const response = await raw('PUT', url.slice(`http://${host}`.length), { headers: { host }, body: 'pwned' });
    expect(response.status).toBe(400);
    expect(response.body).toMatch(/Host/);
    expect(await filesOutsideDataDir()).toEqual([]);
    const rebound = await raw('GET', `/${BUCKET}?list-type=2`, { headers: { host: `attacker.example:${port}` } });
    expect(rebound.status).toBe(400);
    expect(rebound.body).toMatch(/Host/);
  });
});

describe('serve: job files', () => {
  it('refuses a job.json over the cap from its size, names object, size and cap, and starts nothing', async () => {
    const s3 = signedClient();
    const people = Array.from({ length: 300_000 }, (_, index) => ({ name: `person ${index}`, prefix: './photos/' }));
    const job = JSON.stringify({ video: { key: './talk.mp4' }, faces: people });
    expect(job.length).toBeGreaterThan(10_000_000);
    await putText(s3, BUCKET, 'uploads/huge/job.json', job, 'application/json');

    const [line] = await waitForOutput(/rejected s3:\/\/lambdaface\/uploads\/huge\/job\.json: .*/);
    expect(line).toContain(`is ${job.length.toLocaleString('en-US')} bytes`);
    expect(line).toContain(`at most ${JOB_FILE_MAX_BYTES.toLocaleString('en-US')} bytes`);
    expect(output).not.toMatch(/started .*uploads\/huge/);
    s3.destroy();
  });

  it('refuses a small job.json that enrols too many people', async () => {
    const s3 = signedClient();
    const people = Array.from({ length: 1001 }, (_, index) => ({ name: `p${index}`, prefix: './p/' }));
    await putText(s3, BUCKET, 'uploads/crowd/job.json', JSON.stringify({ video: { key: './v.mp4' }, faces: people }), 'application/json');
    const [line] = await waitForOutput(/rejected s3:\/\/lambdaface\/uploads\/crowd\/job\.json: .*/);
    expect(line).toMatch(/faces: a job may enrol at most 1000 people/);
    expect(output).not.toMatch(/started .*uploads\/crowd/);
    s3.destroy();
  });

  it('refuses a ./ key that climbs out of the job file folder', async () => {
    const s3 = signedClient();
    await putText(s3, BUCKET, 'uploads/climb/job.json', JSON.stringify({ video: { key: './../other/talk.mp4' }, faces: [{ name: 'ada', prefix: './ada/' }] }), 'application/json');
    const [line] = await waitForOutput(/rejected s3:\/\/lambdaface\/uploads\/climb\/job\.json: .*/);
    expect(line).toMatch(/video\.key "\.\/\.\.\/other\/talk\.mp4" would leave the job file's folder/);
    s3.destroy();
  });
});

describe('serve --port on a busy port', () => {
  it('says so in one line and exits 1, without a stack trace', async () => {
    const run = promisify(execFile);
    const outcome = await run(process.execPath, [BIN, 'serve', '--port', String(port), '--data-dir', join(work, 'second')], { timeout: 60_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(new RegExp(`^InputError: --port ${port}: port ${port} on 127\\.0\\.0\\.1 is already in use\\n  what to do: pick another port or omit --port`));
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
  });
});

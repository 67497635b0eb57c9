import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LambdafaceError } from '../../../shared/errors.ts';
import {
  PLACEHOLDER_S3_CREDENTIALS,
  awsCredentialsConfigured,
  createS3Client,
  exists,
  getJson,
  getToFile,
  listKeys,
  presignGet,
  putFile,
  putJson,
  putText,
} from '../../../shared/storage/s3.ts';
import { useEmbeddedS3 } from '../local/embedded-s3-fixture.ts';

const s3 = useEmbeddedS3('storage-test');

async function storageErrorOf(work: Promise<unknown>): Promise<LambdafaceError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(LambdafaceError);
  expect((error as LambdafaceError).kind).toBe('StorageError');
  return error as LambdafaceError;
}

describe('createS3Client', () => {
  it('configures path-style addressing and on-demand checksums for a custom endpoint', async () => {
    const client = createS3Client({ endpoint: 'http://127.0.0.1:9', region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    expect(await client.config.region()).toBe('eu-west-1');
    expect((await client.config.credentials()).accessKeyId).toBe('a');
    client.destroy();
  });

  it('leaves AWS itself to the SDK defaults', async () => {
    const client = createS3Client({ region: 'us-west-2' });
    expect(client.config.forcePathStyle).toBe(false);
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    client.destroy();
  });

  it('uses the dummy key pair only when nothing is configured', () => {
    const nowhere = { AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config' };
    expect(awsCredentialsConfigured(nowhere)).toBe(false);
    expect(awsCredentialsConfigured({ ...nowhere, AWS_ACCESS_KEY_ID: 'AKIA...' })).toBe(true);
    expect(awsCredentialsConfigured({ ...nowhere, AWS_PROFILE: 'dev' })).toBe(true);
    expect(PLACEHOLDER_S3_CREDENTIALS.accessKeyId).toBe('S3RVER');
  });
});

describe('JSON objects', () => {
  const Chunk = z.object({ index: z.number().int(), start: z.number(), end: z.number() });

  it('round-trips a value through putJson/getJson with validation', async () => {
    const { client, bucket } = s3();
    const size = await putJson(client, bucket, 'json/ok.json', { index: 1, start: 0, end: 60 });
    expect(size).toBe(Buffer.byteLength('{"index":1,"start":0,"end":60}'));
    expect(await getJson(client, bucket, 'json/ok.json', Chunk)).toEqual({ index: 1, start: 0, end: 60 });
  });

  it('names the s3:// URL of a missing object', async () => {
    const { client, bucket } = s3();
    const error = await storageErrorOf(getJson(client, bucket, 'json/missing.json', Chunk));
    expect(error.message).toBe(`no object at s3://${bucket}/json/missing.json`);
    expect(error.input).toBe(`s3://${bucket}/json/missing.json`);
    expect(error.hint).toBeTruthy();
  });

  it('names a missing bucket', async () => {
    const { client } = s3();
    const error = await storageErrorOf(getJson(client, 'no-such-bucket', 'x.json', Chunk));
    expect(error.message).toMatch(/bucket "no-such-bucket" does not exist/);
  });

  it('says which key is not JSON', async () => {
    const { client, bucket } = s3();
    await putText(client, bucket, 'json/broken.json', '{"index": 1,');
    const error = await storageErrorOf(getJson(client, bucket, 'json/broken.json', Chunk));
    expect(error.message).toMatch(new RegExp(`^s3://${bucket}/json/broken\\.json is not valid JSON`));
  });

  it('says which field does not match the schema', async () => {
    const { client, bucket } = s3();
    await putJson(client, bucket, 'json/wrong.json', { index: 'one', start: 0, end: 60 });
    const error = await storageErrorOf(getJson(client, bucket, 'json/wrong.json', Chunk));
    expect(error.message).toContain(`s3://${bucket}/json/wrong.json does not have the expected content`);
    expect(error.message).toContain('index:');
  });
});

describe('files', () => {
  const content = randomBytes(3 * 1024 * 1024 + 17);

  it('uploads and downloads a file in one PUT, byte for byte', async () => {
    const { client, bucket, dir } = s3();
    const source = join(dir, 'source.bin');
    await writeFile(source, content);
    expect(await putFile(client, bucket, 'files/single.bin', source)).toBe(content.length);
    const target = join(dir, 'single.out');
    expect(await getToFile(client, bucket, 'files/single.bin', target)).toBe(content.length);
    expect((await readFile(target)).equals(content)).toBe(true);
  });

  it('uploads a large file in parts (CreateMultipartUpload/UploadPart), byte for byte', async () => {
    const { client, bucket, dir } = s3();
    const source = join(dir, 'source-multi.bin');
    await writeFile(source, content);
    await putFile(client, bucket, 'files/multi.bin', source, { multipartThreshold: 1, partSize: 1024 * 1024 });
    const target = join(dir, 'multi.out');
    await getToFile(client, bucket, 'files/multi.bin', target);
    expect((await readFile(target)).equals(content)).toBe(true);
  });

  it('leaves no partial file behind when a download fails', async () => {
    const { client, bucket, dir } = s3();
    const before = await readdir(dir);
    const error = await storageErrorOf(getToFile(client, bucket, 'files/missing.bin', join(dir, 'missing.out')));
    expect(error.message).toBe(`no object at s3://${bucket}/files/missing.bin`);
    expect(await readdir(dir)).toEqual(before);
  });

  it('tells whether an object exists', async () => {
    const { client, bucket } = s3();
    await putText(client, bucket, 'files/here.txt', 'here');
    expect(await exists(client, bucket, 'files/here.txt')).toBe(true);
    expect(await exists(client, bucket, 'files/not-here.txt')).toBe(false);
  });
});

describe('listing', () => {
  it('lists more than 1,000 keys by following continuation tokens (s3rver DES fix)', async () => {
    const { client, bucket } = s3();
    const count = 1_050;
    const keys = Array.from({ length: count }, (_, i) => `many/${String(i).padStart(5, '0')}.json`);
    for (let start = 0; start < count; start += 50) {
      await Promise.all(keys.slice(start, start + 50).map((key, i) => putJson(client, bucket, key, start + i)));
    }
    await putText(client, bucket, 'many-other/outside.txt', 'not under the prefix');
    const listed = await listKeys(client, bucket, 'many/');
    expect(listed).toHaveLength(count);
    expect(new Set(listed).size).toBe(count);
    expect([...listed].sort()).toEqual(keys);
  });
});

describe('presigned URLs', () => {
  it('serves Range requests (206, exact bytes), as ffmpeg makes them', async () => {
    const { client, bucket } = s3();
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'video/fake.mp4', Body: bytes, ContentType: 'video/mp4' }));
    const url = await presignGet(client, bucket, 'video/fake.mp4', 60);
    expect(url).toContain('X-Amz-Signature=');

    const middle = await fetch(url, { headers: { Range: 'bytes=100-199' } });
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe('bytes 100-199/4096');
    expect(Buffer.from(await middle.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);

    const tail = await fetch(url, { headers: { Range: 'bytes=4000-' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(4000))).toBe(true);

    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
  });
});

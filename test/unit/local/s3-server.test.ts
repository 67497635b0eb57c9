import crypto from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { installDesCipherFix } from '../../../shared/local/des-cipher-fix.ts';
import { startEmbeddedS3, type ObjectCreatedEvent } from '../../../shared/local/s3-server.ts';
import { createS3Client, putFile, putJson, putText } from '../../../shared/storage/s3.ts';
import { useEmbeddedS3 } from './embedded-s3-fixture.ts';

const s3 = useEmbeddedS3('server-test');

function nextEvents(count: number, subscribe: (listener: (event: ObjectCreatedEvent) => void) => () => void): Promise<ObjectCreatedEvent[]> {
  return new Promise((resolve) => {
    const events: ObjectCreatedEvent[] = [];
    const unsubscribe = subscribe((event) => {
      events.push(event);
      if (events.length === count) {
        unsubscribe();
        resolve(events);
      }
    });
  });
}

describe('embedded S3 server', () => {
  it('listens on a random 127.0.0.1 port with the configured bucket', async () => {
    const { server, client, bucket } = s3();
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    const { Buckets } = await client.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toContain(bucket);
  });

  it("makes a key pair per server: another server's key is refused, and closing one leaves the other working", async () => {
    const { server, client } = s3();
    const dir = await mkdtemp(join(tmpdir(), 'lambdaface-s3-other-'));
    const other = await startEmbeddedS3({ dir, buckets: ['other'] });
    const crossed = createS3Client({ endpoint: server.endpoint, credentials: other.credentials });
    try {
      expect(other.credentials.accessKeyId).not.toBe(server.credentials.accessKeyId);
      expect(other.credentials.secretAccessKey).not.toBe(server.credentials.secretAccessKey);
      await expect(crossed.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
      await client.send(new ListBucketsCommand({}));
    } finally {
      crossed.destroy();
      await other.close();
      await rm(dir, { recursive: true, force: true });
    }
    await client.send(new ListBucketsCommand({}));
  });

  it('keeps the data as files in the given folder', async () => {
    const { server, client, bucket } = s3();
    await putJson(client, bucket, 'visible/file.json', { ok: true });
    expect(await readdir(server.dir)).toContain(bucket);
    expect(await readdir(join(server.dir, bucket))).toContain('visible');
  });

  it('notifies uploads as AWS S3 event records (PUT and multipart)', async () => {
    const { server, client, bucket, dir } = s3();
    const events = nextEvents(2, (listener) => server.onObjectCreated(listener));
    await putText(client, bucket, 'uploads/my talk.mp4', 'not really a video');
    const big = join(dir, 'parts.bin');
    await writeFile(big, Buffer.alloc(300_000, 7));
    await putFile(client, bucket, 'uploads/parts.bin', big, { multipartThreshold: 1, partSize: 128 * 1024 });
    const [put, multipart] = await events;

    expect(put).toMatchObject({ bucket, key: 'uploads/my talk.mp4', eventName: 'ObjectCreated:Put', size: 18 });
    expect(put!.record).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key: 'uploads/my+talk.mp4', size: 18 } },
    });
    expect(multipart).toMatchObject({ bucket, key: 'uploads/parts.bin', eventName: 'ObjectCreated:Post', size: 300_000 });
  });

  it('stops notifying after unsubscribe, and a failing listener does not break uploads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lambdaface-s3-listener-'));
    const failures: unknown[] = [];
    const server = await startEmbeddedS3({ dir, buckets: ['events'], onListenerError: (error) => failures.push(error) });
    const client = createS3Client(server.clientConfig);
    try {
      const seen: string[] = [];
      const unsubscribe = server.onObjectCreated((event) => {
        seen.push(event.key);
        throw new Error('listener bug');
      });
      const first = nextEvents(1, (listener) => server.onObjectCreated(listener));
      await putText(client, 'events', 'one.txt', '1');
      await first;
      unsubscribe();
      const second = nextEvents(1, (listener) => server.onObjectCreated(listener));
      await putText(client, 'events', 'two.txt', '2');
      await second;
      expect(seen).toEqual(['one.txt']);
      expect(failures).toHaveLength(1);
      expect(String(failures[0])).toContain('listener bug');
    } finally {
      client.destroy();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('DES fix for s3rver continuation tokens', () => {
  it('makes createCipheriv("des") work as single DES and leaves other ciphers alone', () => {
    installDesCipherFix();
    const key = Buffer.alloc(8, 'S3RVER', 'utf8');
    const iv = Buffer.alloc(8, 3);
    const cipher = crypto.createCipheriv('des', key, iv);
    const token = Buffer.concat([cipher.update('us-east-1/bucket/key', 'utf8'), cipher.final()]);
    const decipher = crypto.createDecipheriv('des', key, iv);
    expect(Buffer.concat([decipher.update(token), decipher.final()]).toString('utf8')).toBe('us-east-1/bucket/key');

    const aesKey = crypto.randomBytes(32);
    const aesIv = crypto.randomBytes(16);
    const aes = crypto.createCipheriv('aes-256-cbc', aesKey, aesIv);
    const sealed = Buffer.concat([aes.update('hello'), aes.final()]);
    const open = crypto.createDecipheriv('aes-256-cbc', aesKey, aesIv);
    expect(Buffer.concat([open.update(sealed), open.final()]).toString()).toBe('hello');
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { startEmbeddedS3, type EmbeddedS3 } from '../../../shared/local/s3-server.ts';
import { createS3Client } from '../../../shared/storage/s3.ts';

export interface EmbeddedS3Fixture {
  server: EmbeddedS3;
  client: S3Client;
  dir: string;
  bucket: string;
}

/**
 * A real embedded S3 server (random port, temp dir) for the tests of one file, started before
 * them and removed after. Read the returned getter inside tests, not at collection time.
 */
export function useEmbeddedS3(bucket = 'test-bucket'): () => EmbeddedS3Fixture {
  let fixture: EmbeddedS3Fixture | undefined;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lambdaface-s3-'));
    const server = await startEmbeddedS3({ dir, buckets: [bucket] });
    fixture = { server, client: createS3Client(server.clientConfig), dir, bucket };
  });
  afterAll(async () => {
    if (!fixture) return;
    fixture.client.destroy();
    await fixture.server.close();
    await rm(fixture.dir, { recursive: true, force: true });
  });
  return () => {
    if (!fixture) throw new Error('the embedded S3 fixture is used before beforeAll ran');
    return fixture;
  };
}

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedS3 } from '../../shared/local/s3-server.ts';

/**
 * The local data folder (photos, face descriptors of everyone in a video, thumbnails) was made
 * with the default mode, 755 under the usual umask: any user of the machine could read every
 * stored face. A folder the embedded store creates is now its owner's only.
 */
const parent = await mkdtemp(join(tmpdir(), 'lambdaface-data-dir-'));
afterAll(() => rm(parent, { recursive: true, force: true }));

describe('the local data folder', () => {
  it('is created readable by its owner only, with the folders above it that it creates', async () => {
    const dir = join(parent, 'new', '.lambdaface');
    const server = await startEmbeddedS3({ dir, buckets: ['lambdaface'] });
    try {
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(parent, 'new'))).mode & 0o777).toBe(0o700);
    } finally {
      await server.close();
    }
  });
});

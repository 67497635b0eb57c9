import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { getBytes, putBytes } from '../../shared/storage/s3.ts';
import { inputKey } from '../../shared/storage/uploads.ts';
import { useEmbeddedS3 } from '../unit/local/embedded-s3-fixture.ts';

/** A local input is uploaded under a key naming its content, and a stored copy is reused only when whole. */
const s3 = useEmbeddedS3('uploads-test');
const PHOTO = new URL('../../fixtures/faces/barack_obama/fr_obama.jpg', import.meta.url).pathname;

describe('inputKey', () => {
  it('uploads a local file once, and again when the stored copy was cut short', async () => {
    const { client, bucket } = s3();
    const original = new Uint8Array(await readFile(PHOTO));
    const key = await inputKey(client, bucket, PHOTO, '--face obama');
    expect(await inputKey(client, bucket, PHOTO, '--face obama')).toBe(key);
    expect(await getBytes(client, bucket, key)).toEqual(original);

    await putBytes(client, bucket, key, original.subarray(0, 1000), 'image/jpeg');
    expect(await inputKey(client, bucket, PHOTO, '--face obama')).toBe(key);
    expect(await getBytes(client, bucket, key)).toEqual(original);
  });
});

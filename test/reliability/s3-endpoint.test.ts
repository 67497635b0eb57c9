import { closedPort } from './closed-port.ts';
import { describe, expect, it } from 'vitest';
import { LambdafaceError } from '../../shared/errors.ts';
import { createS3Client, exists, getBytes, listKeys, putText } from '../../shared/storage/s3.ts';

/** Whatever the first request is, an endpoint nobody answers at is one StorageError naming it. */

async function failureOf(work: Promise<unknown>): Promise<LambdafaceError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(LambdafaceError);
  return error as LambdafaceError;
}

describe('an S3 endpoint that cannot be reached', () => {
  it('is named, with what to do, by every helper', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const client = createS3Client({ endpoint });
    const calls = [() => exists(client, 'b', 'k'), () => getBytes(client, 'b', 'k'), () => putText(client, 'b', 'k', 'x'), () => listKeys(client, 'b', 'p/')];
    for (const call of calls) {
      const error = await failureOf(call());
      expect(error).toMatchObject({ kind: 'StorageError', input: endpoint, message: `cannot reach the S3 endpoint ${endpoint} (connection refused)` });
      expect(error.hint).toMatch(/--s3-endpoint/);
    }
  });

  it('says when the host name does not resolve', async () => {
    const client = createS3Client({ endpoint: 'http://no-such-host.invalid:9000' });
    const error = await failureOf(exists(client, 'b', 'k'));
    expect(error.message).toMatch(/^cannot reach the S3 endpoint http:\/\/no-such-host\.invalid:9000 \(host name (not found|lookup failed)\)$/);
  });
});

import AWSAccount from 's3rver/lib/models/account.js';
import type { S3Credentials } from '../storage/s3.ts';

/**
 * The key pairs s3rver 3.7.1 knows. It has no option for credentials: its authentication looks
 * every access key id up in `AWSAccount.registry`, a process-wide map that the account model's
 * own `createKeyPair`/`revokeAccessKey` maintain, and it ships one account with the public pair
 * S3RVER/S3RVER. Reaching into that (pinned) model is confined to this module.
 *
 * The embedded server's guard (s3-request-guard.ts) verifies every signature against the
 * server's own key before s3rver runs; registering the key here is what lets s3rver then accept
 * it, and revoking S3RVER means s3rver would refuse the public pair even on its own.
 */
let publicKeyRevoked = false;

/** Makes s3rver accept `credentials` until the returned function is called. */
export function registerS3rverKey(credentials: S3Credentials): () => void {
  const account = AWSAccount.DUMMY_ACCOUNT;
  if (!publicKeyRevoked) {
    account.revokeAccessKey('S3RVER');
    publicKeyRevoked = true;
  }
  account.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  return () => account.revokeAccessKey(credentials.accessKeyId);
}

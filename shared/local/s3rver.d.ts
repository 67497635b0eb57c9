/** The part of s3rver's API (3.7, untyped CommonJS) that the embedded server uses. */
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { RequestListener } from 'node:http';

  interface S3rverOptions {
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: Array<{ name: string; configs?: Array<string | Buffer> }>;
  }

  class S3rver extends EventEmitter {
    constructor(options?: S3rverOptions);
    /** Creates the buckets of `configureBuckets` (what `run()` does before listening). */
    configureBuckets(): Promise<void>;
    /** The request handler, for an HTTP server of one's own. */
    callback(): RequestListener;
  }

  export default S3rver;
}

/** s3rver's account model (see s3rver-accounts.ts for why it is used at all). */
declare module 's3rver/lib/models/account.js' {
  class AWSAccount {
    createKeyPair(accessKeyId: string, secretAccessKey: string): void;
    revokeAccessKey(accessKeyId: string): void;
    static DUMMY_ACCOUNT: AWSAccount;
  }

  export default AWSAccount;
}

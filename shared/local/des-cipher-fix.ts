import crypto, { type BinaryLike, type CipherKey } from 'node:crypto';

/**
 * s3rver 3.7 builds ListObjectsV2 continuation tokens with `createCipheriv('des', ...)`. OpenSSL 3
 * (Node >= 17) moved single DES to the legacy provider, so the call throws and every listing of
 * more than 1,000 keys fails with a 500.
 *
 * The fix wraps `createCipheriv`/`createDecipheriv` on the shared `crypto` module (the object
 * s3rver gets from `require('crypto')`) and maps exactly the `'des'` algorithm with an 8-byte key
 * to `'des-ede3-cbc'` with the key repeated three times. 3DES with K1 = K2 = K3 *is* single DES,
 * so tokens are byte-for-byte what s3rver meant to produce. Every other algorithm goes straight
 * through, and `'des'` itself could only ever throw on this OpenSSL, so no working caller can be
 * affected. node_modules is left untouched; running Node with `--openssl-legacy-provider` would
 * also work but is a process-wide switch the user would have to remember.
 */
let installed = false;

export function installDesCipherFix(): void {
  if (installed) return;
  installed = true;
  const createCipheriv = crypto.createCipheriv;
  const createDecipheriv = crypto.createDecipheriv;
  const tripleKey = (key: CipherKey): CipherKey => (Buffer.isBuffer(key) && key.length === 8 ? Buffer.concat([key, key, key]) : key);
  const isSingleDes = (algorithm: string, key: CipherKey): boolean => algorithm.toLowerCase() === 'des' && Buffer.isBuffer(key) && key.length === 8;

  // The overloads of createCipheriv differ only in options for other modes; 'des' needs none.
  const patchedCipher = (algorithm: string, key: CipherKey, iv: BinaryLike | null, ...rest: unknown[]) =>
    isSingleDes(algorithm, key) ? createCipheriv('des-ede3-cbc', tripleKey(key), iv) : (createCipheriv as (...args: unknown[]) => crypto.Cipher)(algorithm, key, iv, ...rest);
  const patchedDecipher = (algorithm: string, key: CipherKey, iv: BinaryLike | null, ...rest: unknown[]) =>
    isSingleDes(algorithm, key) ? createDecipheriv('des-ede3-cbc', tripleKey(key), iv) : (createDecipheriv as (...args: unknown[]) => crypto.Decipher)(algorithm, key, iv, ...rest);

  (crypto as { createCipheriv: unknown }).createCipheriv = patchedCipher;
  (crypto as { createDecipheriv: unknown }).createDecipheriv = patchedDecipher;
}

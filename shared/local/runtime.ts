import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../storage/s3.ts';
import { ensureModels } from '../vision/models.ts';
import { createHandlerPool, type HandlerPool } from './handler-pool.ts';
import { startEmbeddedS3, type EmbeddedS3 } from './s3-server.ts';

/** Where the embedded S3 server keeps its objects unless told otherwise. */
export const DEFAULT_DATA_DIR = '.lambdaface/s3';

export interface LocalRuntimeOptions {
  bucket: string;
  /** Parallel handlers; default: the machine's cores. */
  concurrency?: number;
  /** Any S3-compatible service instead of the embedded server. */
  s3Endpoint?: string;
  /** Where the embedded server keeps its objects; default .lambdaface/s3. */
  dataDir?: string;
  /** Port of the embedded server; default any free one. */
  port?: number;
}

export interface LocalRuntime {
  s3: S3Client;
  /** The embedded server, when one was started. */
  server: EmbeddedS3 | undefined;
  pool: HandlerPool;
  concurrency: number;
  close(): Promise<void>;
}

/**
 * What stands in for AWS on one machine: an S3 API (the embedded server unless another endpoint is
 * given) and the Lambda handlers in worker threads, configured through the same environment
 * variables serverless.yml sets on AWS.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  // The models are converted from the pinned npm weights on first use; checking they are current
  // can hash those weights, so it runs while the S3 server and the handler threads start (the
  // threads load no model before a handler is called, which is after this returns).
  const models = ensureModels();
  models.catch(() => {});
  let server: EmbeddedS3 | undefined;
  try {
    server = options.s3Endpoint
      ? undefined
      : await startEmbeddedS3({ dir: resolve(options.dataDir ?? DEFAULT_DATA_DIR), buckets: [options.bucket], ...(options.port ? { port: options.port } : {}) });
  } catch (error) {
    await models; // a model problem is said first, as the one to fix first
    throw error;
  }
  const s3 = server ? createS3Client(server.clientConfig) : createS3Client({ endpoint: options.s3Endpoint! });
  const cores = availableParallelism();
  const concurrency = Math.max(1, options.concurrency ?? cores);
  const pool = createHandlerPool({
    size: concurrency,
    env: {
      LAMBDAFACE_S3_ENDPOINT: server?.endpoint ?? options.s3Endpoint!,
      LAMBDAFACE_THREADS: String(Math.max(1, Math.floor(cores / concurrency))),
      ...(server ? { AWS_ACCESS_KEY_ID: server.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey } : {}),
    },
  });
  pool.prestart();
  const close = async (): Promise<void> => {
    await pool.close();
    await server?.close();
  };
  try {
    await models;
  } catch (error) {
    await close();
    throw error;
  }
  return { s3, server, pool, concurrency, close };
}

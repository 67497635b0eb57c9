import { inputError } from '../errors.ts';
import { planChunks } from '../workflow/chunks.ts';

export type LambdaArch = 'x86_64' | 'arm64';

/** AWS list prices (us-east-1) as recorded in the design brief; other regions differ a little. */
export const AWS_PRICES = {
  lambdaPerGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 } as Record<LambdaArch, number>,
  lambdaPerRequest: 0.2 / 1_000_000,
  standardPerStateTransition: 0.025 / 1000,
} as const;

/** Lambda gives one full vCPU at 1,769 MB and CPU in proportion to memory, up to 6 vCPU at 10,240 MB. */
export const MB_PER_VCPU = 1769;
export const MAX_LAMBDA_CONCURRENCY_DEFAULT_QUOTA = 1000;
/** Distributed Map's ceiling on concurrent child executions. */
export const MAX_MAP_CONCURRENCY = 10_000;

/** The fixed steps around the map: measured sizes of serverless.yml's functions, in seconds and MB. */
export const FIXED_STEPS = {
  train: { seconds: 10, memoryMb: 2048 },
  shard: { seconds: 2, memoryMb: 512 },
  montage: { seconds: 60, memoryMb: 3538 },
} as const;

export interface EstimateInput {
  videoSeconds: number;
  chunkSeconds: number;
  sampleFps: number;
  /** Recognize function memory (serverless.yml param recognizeMemory). */
  memoryMb: number;
  /** Recognize workers at once (options.maxConcurrency; 0 = as many as the map allows). */
  concurrency: number;
  /** Seconds one warm worker needs per chunk, measured on this machine with measureChunk(). */
  secondsPerChunkMeasured: number;
  /** The sampling rate secondsPerChunkMeasured was measured at; default sampleFps. */
  measuredSampleFps?: number;
  arch: LambdaArch;
  /** Chunks per child execution (options.itemsPerBatch). Default 1. */
  itemsPerBatch?: number;
  /** Extra time a cold worker spends once (runtime start, layer mount, model load). Default 2 s. */
  coldStartSeconds?: number;
}

export interface CostEstimate {
  chunks: number;
  /** Child executions of the Distributed Map (one recognize invocation each). */
  batches: number;
  /** Workers running at once. */
  concurrency: number;
  /** Rounds of `concurrency` batches. */
  waves: number;
  lambdaSecondsPerChunk: number;
  wallSeconds: { prepare: number; recognize: number; montage: number; total: number };
  gbSeconds: number;
  dollars: { lambdaCompute: number; lambdaRequests: number; stateTransitions: number; total: number };
  /** Everything the numbers rest on, in words, for the CLI to print. */
  assumptions: string[];
}

function positive(value: number, name: string): void {
  if (!(Number.isFinite(value) && value > 0)) throw inputError(`${name} must be a positive number, got ${value}`, { input: name });
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Predicts wall time and dollars of one search on AWS from a per-chunk time measured here. Pure:
 * the same input always gives the same estimate, and every assumption is listed in the result.
 */
export function estimateCost(input: EstimateInput): CostEstimate {
  positive(input.videoSeconds, 'videoSeconds');
  positive(input.chunkSeconds, 'chunkSeconds');
  positive(input.sampleFps, 'sampleFps');
  positive(input.secondsPerChunkMeasured, 'secondsPerChunkMeasured');
  if (!(Number.isInteger(input.memoryMb) && input.memoryMb >= 128 && input.memoryMb <= 10_240)) {
    throw inputError(`memory must be 128-10240 MB, got ${input.memoryMb}`, { input: 'memoryMb' });
  }
  if (!(Number.isInteger(input.concurrency) && input.concurrency >= 0)) {
    throw inputError(`concurrency must be a whole number >= 0 (0 = no limit), got ${input.concurrency}`, { input: 'concurrency' });
  }
  const itemsPerBatch = input.itemsPerBatch ?? 1;
  const coldStartSeconds = input.coldStartSeconds ?? 2;
  const measuredFps = input.measuredSampleFps ?? input.sampleFps;

  const chunks = planChunks(input.videoSeconds, input.chunkSeconds).length;
  const batches = Math.ceil(chunks / itemsPerBatch);
  const limit = input.concurrency === 0 ? MAX_MAP_CONCURRENCY : Math.min(input.concurrency, MAX_MAP_CONCURRENCY);
  const concurrency = Math.min(limit, batches);
  const waves = Math.ceil(batches / concurrency);

  // Work per chunk grows with the frames sampled; below one vCPU Lambda throttles the CPU.
  const cpuShare = Math.min(1, input.memoryMb / MB_PER_VCPU);
  const lambdaSecondsPerChunk = (input.secondsPerChunkMeasured * (input.sampleFps / measuredFps)) / cpuShare;
  const recognizeWall = waves * itemsPerBatch * lambdaSecondsPerChunk + coldStartSeconds;
  const prepareWall = Math.max(FIXED_STEPS.train.seconds, FIXED_STEPS.shard.seconds) + 2;
  const montageWall = FIXED_STEPS.montage.seconds;

  const gb = (mb: number): number => mb / 1024;
  const recognizeGbSeconds = (chunks * lambdaSecondsPerChunk + concurrency * coldStartSeconds) * gb(input.memoryMb);
  const fixedGbSeconds = Object.values(FIXED_STEPS).reduce((sum, step) => sum + step.seconds * gb(step.memoryMb), 0);
  const gbSeconds = recognizeGbSeconds + fixedGbSeconds;

  const requests = batches + Object.keys(FIXED_STEPS).length;
  // Parent: Prepare, its two branches' Task states, the Map, Montage and the end (~8); each child:
  // its start, the Recognize task and its end (3). Retries would add more.
  const transitions = 8 + batches * 3;
  const dollars = {
    lambdaCompute: gbSeconds * AWS_PRICES.lambdaPerGbSecond[input.arch],
    lambdaRequests: requests * AWS_PRICES.lambdaPerRequest,
    stateTransitions: transitions * AWS_PRICES.standardPerStateTransition,
    total: 0,
  };
  dollars.total = dollars.lambdaCompute + dollars.lambdaRequests + dollars.stateTransitions;

  const assumptions = [
    `one AWS vCPU does what one core of the measuring machine did (${round(input.secondsPerChunkMeasured, 2)} s per ${input.chunkSeconds} s chunk at ${measuredFps} fps); no speed-up is assumed from more vCPUs, since a second ONNX thread did not help in measurements`,
    `${input.memoryMb} MB gives ${round(input.memoryMb / MB_PER_VCPU, 2)} vCPU${cpuShare < 1 ? `: below one vCPU a chunk takes ${round(1 / cpuShare, 2)}x as long` : ''}`,
    ...(input.arch === 'arm64' ? ['arm64 (Graviton) runs a chunk as fast as the measuring machine (not measured), at the lower arm64 price'] : []),
    `${chunks} chunk${chunks === 1 ? '' : 's'} of ${input.chunkSeconds} s in ${batches} batch${batches === 1 ? '' : 'es'} of ${itemsPerBatch}, ${concurrency} at once (${input.concurrency === 0 ? `no limit set: the map allows ${MAX_MAP_CONCURRENCY}` : `limit ${input.concurrency}`}); an account's Lambda concurrency quota (${MAX_LAMBDA_CONCURRENCY_DEFAULT_QUOTA} by default) caps it further`,
    `each worker pays a ${round(coldStartSeconds, 1)} s cold start once; Step Functions starts child executions without delay`,
    `train ${FIXED_STEPS.train.seconds} s, shard ${FIXED_STEPS.shard.seconds} s and montage ${FIXED_STEPS.montage.seconds} s at their serverless.yml memory (montage grows with the time people are on screen)`,
    `prices: Lambda $${AWS_PRICES.lambdaPerGbSecond.x86_64}/GB-s x86_64, $${AWS_PRICES.lambdaPerGbSecond.arm64}/GB-s arm64, $0.20 per million requests; Standard workflows $0.025 per 1,000 state transitions (~${transitions} here); us-east-1 list prices, free tier ignored`,
    'not counted: S3 storage and requests, data transfer, CloudWatch Logs',
  ];
  return {
    chunks,
    batches,
    concurrency,
    waves,
    lambdaSecondsPerChunk: round(lambdaSecondsPerChunk, 3),
    wallSeconds: {
      prepare: round(prepareWall, 1),
      recognize: round(recognizeWall, 1),
      montage: round(montageWall, 1),
      total: round(prepareWall + recognizeWall + montageWall, 1),
    },
    gbSeconds: round(gbSeconds, 1),
    dollars: {
      lambdaCompute: round(dollars.lambdaCompute, 4),
      lambdaRequests: round(dollars.lambdaRequests, 4),
      stateTransitions: round(dollars.stateTransitions, 4),
      total: round(dollars.total, 4),
    },
    assumptions,
  };
}

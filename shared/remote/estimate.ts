import { SearchOptions } from '../config/options.ts';
import { inputError } from '../errors.ts';
import { MAX_CLIP_SECONDS, MIN_CUT_SECONDS } from '../timeline/montage-plan.ts';
import { planChunks } from '../workflow/chunks.ts';
import { roundTo } from '../numbers/round.ts';

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
} as const;

/**
 * The Montage step (functions/montage): merges the chunk results, writes the timeline and one
 * thumbnail per segment (at most 40 a person), the report, and the montage's piece list; it no
 * longer encodes. Measured here: about 5 s fixed, ~20 ms to read a chunk result, ~0.17 s a
 * thumbnail (ranged reads of the source, several at once).
 */
export const MONTAGE_MODEL = {
  memoryMb: 3008,
  fixedSeconds: 5,
  secondsPerSegment: 0.17,
  secondsPerChunkRead: 0.02,
  /** The timeline keeps at most this many thumbnails per person. */
  thumbnailsPerPerson: 40,
  timeoutSeconds: 900,
} as const;

/**
 * The CutPieces map (functions/cut): one invocation per piece of at most MAX_CLIP_SECONDS, all at
 * once up to the job's maxConcurrency and the account's quota. A piece's time on one vCPU is
 * measured by `estimate` on the video itself (measurePiece); without a measurement, the figures
 * measured here on the six-hour bench video (640x360, bench/long-video.ts) stand in: 5.4 s for a
 * 30 s piece and 60 KB per second of montage. `overheadSeconds` is what a piece costs whatever its
 * length (ffmpeg's start, the seek, the probe of the result, the store); `coldStartSeconds` a new
 * invocation's start (no models to load).
 */
export const CUT_MODEL = {
  memoryMb: 2048,
  defaultSecondsPerPiece: 5.4,
  defaultBytesPerSecond: 60_000,
  overheadSeconds: 0.5,
  coldStartSeconds: 1,
  timeoutSeconds: 300,
} as const;

/**
 * Join (functions/join): downloads every piece, joins them by stream copy and uploads the montage
 * and the report: no encoding, so its time is the montage's bytes moved (S3 at about 80 MB/s each
 * way from a 1,769 MB function, copied on local disk at about 300 MB/s) plus a HEAD and a GET per
 * piece, 8 at a time (each piece's length comes from its Cut: nothing is probed), and a few seconds
 * to read the plan and results and render the report.
 */
export const JOIN_MODEL = {
  memoryMb: 1769,
  fixedSeconds: 2,
  secondsPerPiece: 0.01,
  s3BytesPerSecond: 80e6,
  copyBytesPerSecond: 300e6,
  timeoutSeconds: 600,
} as const;
/** S3 Standard request prices (us-east-1). */
export const S3_PRICES = { perPut: 0.005 / 1000, perGet: 0.0004 / 1000 } as const;

/**
 * S3 requests per unit of work, counted from the code: a recognize chunk reads the gallery, checks
 * for a stored result, reads its span of the video in a few ranged GETs (ffmpeg seeks), and writes
 * one result; Montage reads every chunk result, makes one ranged read per thumbnail, and writes
 * about 10 outputs, one per thumbnail and the montage's plan (2); a piece is a HEAD for a stored
 * one, a few ranged reads of the source and a PUT; Join reads the plan, the report's model and the
 * map's results (about 5), then a HEAD and a GET per piece, and writes the montage and the report.
 * Each map reads its item list once and writes its results in about 3 objects.
 */
export const S3_REQUESTS = {
  getsPerChunk: 5,
  putsPerChunk: 1,
  prepare: { gets: 4, puts: 2 },
  montageGetsPerThumbnail: 1,
  montagePuts: 12,
  getsPerPiece: 4,
  putsPerPiece: 1,
  join: { gets: 5, getsPerPiece: 2, puts: 2 },
  perMap: { gets: 1, puts: 3 },
} as const;

export interface EstimateInput {
  videoSeconds: number;
  chunkSeconds: number;
  sampleFps: number;
  /** Recognize function memory (serverless.yml param recognizeMemory). */
  memoryMb: number;
  /** Recognize workers at once (options.maxConcurrency; 0 = as many as the map allows). */
  concurrency: number;
  /** The account's Lambda concurrency quota; default 1,000 (AWS's default; new accounts may have less). */
  accountConcurrency?: number;
  /** Seconds one warm worker needs per chunk on ONE CPU (decode and inference together), measured with measureChunk(). */
  secondsPerChunkMeasured: number;
  /** The sampling rate secondsPerChunkMeasured was measured at; default sampleFps. */
  measuredSampleFps?: number;
  arch: LambdaArch;
  /** Chunks per child execution (options.itemsPerBatch). Default 1. */
  itemsPerBatch?: number;
  /** Extra time a cold worker spends once (runtime start, layer mount, model load). Default 2 s. */
  coldStartSeconds?: number;
  /** Share of the video with someone on screen (0-1), as measured on the timed chunk. Default 0.5. */
  onScreenShare?: number;
  /** Segments per minute of video, as measured on the timed chunk. Default 2. */
  segmentsPerMinute?: number;
  /** People enrolled (thumbnails are capped per person). Default 3. */
  people?: number;
  /** Whether the montage is cut (options.montage). Default true. */
  montage?: boolean;
  /** The montage's cap in seconds (options.montageMaxSeconds). Default the option's default. */
  montageMaxSeconds?: number;
  /** Share of recognize and cut invocations that fail once and are retried (decode or S3 hiccups). Default 0.05. */
  retryShare?: number;
  /** Seconds one cut invocation needs for a full 30 s piece on ONE CPU, measured with measurePiece(). Default CUT_MODEL's. */
  secondsPerPieceMeasured?: number;
  /** Bytes of montage per second, measured with measurePiece(). Default CUT_MODEL's. */
  montageBytesPerSecond?: number;
}

export interface CostEstimate {
  chunks: number;
  /** Child executions of the Distributed Map (one recognize invocation each). */
  batches: number;
  /** Workers running at once. */
  concurrency: number;
  /** What capped `concurrency`: the job's maxConcurrency, the account quota, or the number of batches. */
  concurrencyLimitedBy: 'maxConcurrency' | 'account quota' | 'batches';
  /** Rounds of `concurrency` batches. */
  waves: number;
  lambdaSecondsPerChunk: number;
  /** Recognize invocations retried once (counted in time, GB-s, requests and transitions). */
  retries: number;
  /**
   * `shownSeconds`: the montage's length, the on-screen time up to the cap; `pieces`: its pieces of
   * at most 30 s, cut `pieceConcurrency` at once in `pieceWaves` rounds; `bytes`: its size;
   * `seconds`: the Montage step (timeline, thumbnails, report, plan), the cut and the join together.
   */
  montage: {
    onScreenSeconds: number;
    shownSeconds: number;
    pieces: number;
    pieceConcurrency: number;
    pieceWaves: number;
    pieceRetries: number;
    bytes: number;
    segments: number;
    thumbnails: number;
    seconds: number;
    exceedsTimeout: boolean;
  };
  s3Requests: { gets: number; puts: number };
  /** `montage`: the Montage step; `cut`: the CutPieces map; `join`: Join. */
  wallSeconds: { prepare: number; recognize: number; montage: number; cut: number; join: number; total: number };
  gbSeconds: number;
  dollars: { lambdaCompute: number; lambdaRequests: number; stateTransitions: number; s3Requests: number; total: number };
  /** Everything the numbers rest on, in words, for the CLI to print. */
  assumptions: string[];
  /** What the numbers say will go wrong (a montage past Lambda's time limit). */
  warnings: string[];
}

function positive(value: number, name: string): void {
  if (!(Number.isFinite(value) && value > 0)) throw inputError(`${name} must be a positive number, got ${value}`, { input: name });
}

function share(value: number, name: string): void {
  if (!(Number.isFinite(value) && value >= 0 && value <= 1)) throw inputError(`${name} must be between 0 and 1, got ${value}`, { input: name });
}

const vcpus = (memoryMb: number): number => memoryMb / MB_PER_VCPU;

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
  const quota = input.accountConcurrency ?? MAX_LAMBDA_CONCURRENCY_DEFAULT_QUOTA;
  if (!(Number.isInteger(quota) && quota >= 1)) {
    throw inputError(`the account concurrency quota must be a whole number >= 1, got ${quota}`, { input: 'accountConcurrency' });
  }
  const onScreenShare = input.onScreenShare ?? 0.5;
  share(onScreenShare, 'onScreenShare');
  const retryShare = input.retryShare ?? 0.05;
  share(retryShare, 'retryShare');
  const segmentsPerMinute = input.segmentsPerMinute ?? 2;
  if (!(Number.isFinite(segmentsPerMinute) && segmentsPerMinute >= 0)) throw inputError(`segmentsPerMinute must be >= 0, got ${segmentsPerMinute}`, { input: 'segmentsPerMinute' });
  const itemsPerBatch = input.itemsPerBatch ?? 1;
  const coldStartSeconds = input.coldStartSeconds ?? 2;
  const measuredFps = input.measuredSampleFps ?? input.sampleFps;
  const montageOn = input.montage ?? true;

  const chunks = planChunks(input.videoSeconds, input.chunkSeconds).length;
  const batches = Math.ceil(chunks / itemsPerBatch);
  const requested = input.concurrency === 0 ? MAX_MAP_CONCURRENCY : Math.min(input.concurrency, MAX_MAP_CONCURRENCY);
  // Workers beyond the account's quota are throttled, not run: the quota is a ceiling like the job's own.
  const concurrency = Math.min(requested, quota, batches);
  const concurrencyLimitedBy = concurrency === batches ? 'batches' : concurrency === quota && quota < requested ? 'account quota' : 'maxConcurrency';
  const waves = Math.ceil(batches / concurrency);

  // Work per chunk grows with the frames sampled; below one vCPU Lambda throttles the CPU.
  const cpuShare = Math.min(1, input.memoryMb / MB_PER_VCPU);
  const lambdaSecondsPerChunk = (input.secondsPerChunkMeasured * (input.sampleFps / measuredFps)) / cpuShare;
  const batchSeconds = itemsPerBatch * lambdaSecondsPerChunk;
  const retries = Math.ceil(batches * retryShare);
  // Retried batches run after their first attempt fails (at its end, the dearest case): they add
  // one batch to the wall time when there are any, and their work to the bill.
  const recognizeWall = waves * batchSeconds + coldStartSeconds + (retries > 0 ? batchSeconds : 0);
  const prepareWall = Math.max(FIXED_STEPS.train.seconds, FIXED_STEPS.shard.seconds) + 2;

  const onScreenSeconds = input.videoSeconds * onScreenShare;
  const segments = Math.ceil((input.videoSeconds / 60) * segmentsPerMinute);
  const people = input.people ?? 3;
  positive(people, 'people');
  const thumbnails = Math.min(segments, people * MONTAGE_MODEL.thumbnailsPerPerson);
  const cap = input.montageMaxSeconds ?? SearchOptions.shape.montageMaxSeconds.parse(undefined);
  positive(cap, 'montageMaxSeconds');
  const shownSeconds = montageOn ? Math.min(onScreenSeconds, cap) : 0;
  // About a piece a segment: overlapping segments join into one cut, which is split again where the
  // people on screen change; a cut longer than MAX_CLIP_SECONDS is several.
  const pieces = montageOn ? Math.max(Math.min(segments, Math.ceil(shownSeconds / MIN_CUT_SECONDS)), Math.ceil(shownSeconds / MAX_CLIP_SECONDS)) : 0;

  // Montage: the timeline, thumbnails and report, and the plan of the pieces; no encoding.
  const montageSeconds = MONTAGE_MODEL.fixedSeconds + chunks * MONTAGE_MODEL.secondsPerChunkRead + thumbnails * MONTAGE_MODEL.secondsPerSegment;
  // CutPieces: every piece an invocation of its own, as many at once as the job and the account allow.
  const secondsPerPiece = input.secondsPerPieceMeasured ?? CUT_MODEL.defaultSecondsPerPiece;
  positive(secondsPerPiece, 'secondsPerPieceMeasured');
  const bytesPerSecond = input.montageBytesPerSecond ?? CUT_MODEL.defaultBytesPerSecond;
  positive(bytesPerSecond, 'montageBytesPerSecond');
  const perMontageSecond = Math.max(0, secondsPerPiece - CUT_MODEL.overheadSeconds) / MAX_CLIP_SECONDS;
  const longestPiece = CUT_MODEL.overheadSeconds + perMontageSecond * Math.min(MAX_CLIP_SECONDS, shownSeconds);
  const pieceConcurrency = pieces === 0 ? 0 : Math.min(pieces, requested, quota);
  const pieceWaves = pieces === 0 ? 0 : Math.ceil(pieces / pieceConcurrency);
  const pieceRetries = Math.ceil(pieces * retryShare);
  const pieceWork = pieces * CUT_MODEL.overheadSeconds + perMontageSecond * shownSeconds;
  const cutWall = pieces === 0 ? 0 : pieceWaves * longestPiece + CUT_MODEL.coldStartSeconds + (pieceRetries > 0 ? longestPiece : 0);
  // Join: the pieces down, one stream copy, the montage up: its bytes, which the cap bounds.
  const montageBytes = shownSeconds * bytesPerSecond;
  const joinWall =
    pieces === 0
      ? 0
      : JOIN_MODEL.fixedSeconds + pieces * JOIN_MODEL.secondsPerPiece + (2 * montageBytes) / JOIN_MODEL.s3BytesPerSecond + montageBytes / JOIN_MODEL.copyBytesPerSecond;
  const exceedsTimeout = montageSeconds > MONTAGE_MODEL.timeoutSeconds || (pieces > 0 && longestPiece > CUT_MODEL.timeoutSeconds) || joinWall > JOIN_MODEL.timeoutSeconds;

  const gb = (mb: number): number => mb / 1024;
  const recognizeGbSeconds = ((chunks + retries * itemsPerBatch) * lambdaSecondsPerChunk + concurrency * coldStartSeconds) * gb(input.memoryMb);
  const fixedGbSeconds = Object.values(FIXED_STEPS).reduce((sum, step) => sum + step.seconds * gb(step.memoryMb), 0);
  const montageGbSeconds =
    Math.min(montageSeconds, MONTAGE_MODEL.timeoutSeconds) * gb(MONTAGE_MODEL.memoryMb) +
    (pieceWork + pieceRetries * longestPiece + pieceConcurrency * CUT_MODEL.coldStartSeconds) * gb(CUT_MODEL.memoryMb) +
    Math.min(joinWall, JOIN_MODEL.timeoutSeconds) * gb(JOIN_MODEL.memoryMb);
  const gbSeconds = recognizeGbSeconds + fixedGbSeconds + montageGbSeconds;

  const montageInvocations = 1 + (pieces > 0 ? pieces + pieceRetries + 1 : 0);
  const requests = batches + retries + Object.keys(FIXED_STEPS).length + montageInvocations;
  // Parent: Prepare, its two branches' Task states, the map, Montage, the Choice and the end (~9),
  // with a montage also CutPieces and Join (2); each child: its start, its Task and its end (3); a
  // retry adds two (failed attempt, retry).
  const transitions = 9 + batches * 3 + retries * 2 + (pieces > 0 ? 2 + pieces * 3 + pieceRetries * 2 : 0);
  const maps = pieces > 0 ? 2 : 1;
  const s3Requests = {
    gets:
      S3_REQUESTS.prepare.gets +
      (chunks + retries * itemsPerBatch) * S3_REQUESTS.getsPerChunk +
      chunks +
      thumbnails * S3_REQUESTS.montageGetsPerThumbnail +
      (pieces + pieceRetries) * S3_REQUESTS.getsPerPiece +
      (pieces > 0 ? S3_REQUESTS.join.gets + pieces * S3_REQUESTS.join.getsPerPiece : 0) +
      maps * S3_REQUESTS.perMap.gets,
    puts:
      S3_REQUESTS.prepare.puts +
      chunks * S3_REQUESTS.putsPerChunk +
      S3_REQUESTS.montagePuts +
      thumbnails +
      pieces * S3_REQUESTS.putsPerPiece +
      (pieces > 0 ? S3_REQUESTS.join.puts : 0) +
      maps * S3_REQUESTS.perMap.puts,
  };
  const dollars = {
    lambdaCompute: gbSeconds * AWS_PRICES.lambdaPerGbSecond[input.arch],
    lambdaRequests: requests * AWS_PRICES.lambdaPerRequest,
    stateTransitions: transitions * AWS_PRICES.standardPerStateTransition,
    s3Requests: s3Requests.gets * S3_PRICES.perGet + s3Requests.puts * S3_PRICES.perPut,
    total: 0,
  };
  dollars.total = dollars.lambdaCompute + dollars.lambdaRequests + dollars.stateTransitions + dollars.s3Requests;

  const limitText = {
    batches: `every batch at once (limits: maxConcurrency ${input.concurrency === 0 ? 'none' : input.concurrency}, account quota ${quota})`,
    'account quota': `capped by the account's Lambda concurrency quota of ${quota} (--account-concurrency; AWS's default is ${MAX_LAMBDA_CONCURRENCY_DEFAULT_QUOTA}, new accounts may have less); maxConcurrency ${input.concurrency === 0 ? 'none' : input.concurrency}`,
    maxConcurrency: `capped by maxConcurrency ${input.concurrency} (account quota ${quota})`,
  }[concurrencyLimitedBy];
  const montageText = montageOn
    ? `the montage: ${Math.round(shownSeconds)} s at most 480p high (people on screen ${Math.round(onScreenShare * 100)}% of the video: ${Math.round(onScreenSeconds)} s, capped at ${cap} s by montageMaxSeconds) in ${pieces} pieces of at most ${MAX_CLIP_SECONDS} s, each cut by a cut invocation of its own at ${CUT_MODEL.memoryMb} MB (1 vCPU), ${pieceConcurrency} at once in ${pieceWaves} wave${pieceWaves === 1 ? '' : 's'} (the account quota of ${quota} and maxConcurrency apply to them too): a ${MAX_CLIP_SECONDS} s piece takes ${roundTo(secondsPerPiece, 1)} s on ONE core${input.secondsPerPieceMeasured === undefined ? ' (measured here on the 640x360 bench video; not measured on this video)' : ', as cut here from this video'}, ${roundTo(CUT_MODEL.overheadSeconds, 1)} s of it whatever the piece's length, plus a ${CUT_MODEL.coldStartSeconds} s cold start; ${pieceRetries} piece${pieceRetries === 1 ? '' : 's'} retried. Join at ${JOIN_MODEL.memoryMb} MB copies, it does not encode: ${roundTo(montageBytes / 1e6, 1)} MB of montage (${roundTo(bytesPerSecond / 1000, 1)} KB a second) down and up at ${JOIN_MODEL.s3BytesPerSecond / 1e6} MB/s and copied at ${JOIN_MODEL.copyBytesPerSecond / 1e6} MB/s, ${JOIN_MODEL.secondsPerPiece} s a piece, ${JOIN_MODEL.fixedSeconds} s to read the plan and write the report`
    : 'no montage (options.montage false)';
  const assumptions = [
    `a recognize chunk takes what it took on ONE core here, decoding and inference together (${roundTo(input.secondsPerChunkMeasured, 2)} s per ${input.chunkSeconds} s chunk at ${measuredFps} fps): at ${input.memoryMb} MB Lambda gives ${roundTo(vcpus(input.memoryMb), 2)} vCPU and no speed-up is assumed from more${cpuShare < 1 ? `; below one vCPU a chunk takes ${roundTo(1 / cpuShare, 2)}x as long` : ''}`,
    ...(input.arch === 'arm64' ? ['arm64 (Graviton) runs a chunk and a piece as fast as the measuring machine (not measured), at the lower arm64 price'] : []),
    `${chunks} chunk${chunks === 1 ? '' : 's'} of ${input.chunkSeconds} s in ${batches} batch${batches === 1 ? '' : 'es'} of ${itemsPerBatch}, ${concurrency} at once in ${waves} wave${waves === 1 ? '' : 's'}: ${limitText}`,
    `each worker pays a ${roundTo(coldStartSeconds, 1)} s cold start once; Step Functions starts states and child executions without delay`,
    `${Math.round(retryShare * 100)}% of recognize and cut invocations fail once and are retried (${retries} batches, ${pieceRetries} pieces); none is throttled, since concurrency stays within the quota`,
    `train ${FIXED_STEPS.train.seconds} s and shard ${FIXED_STEPS.shard.seconds} s at their serverless.yml memory`,
    `Montage at ${MONTAGE_MODEL.memoryMb} MB: ${MONTAGE_MODEL.fixedSeconds} s, plus reading ${chunks} chunk results and ${MONTAGE_MODEL.secondsPerSegment} s per thumbnail (${thumbnails}: one per segment, ${roundTo(segmentsPerMinute, 2)} segments a minute as measured, at most ${MONTAGE_MODEL.thumbnailsPerPerson} for each of ${people} people); it writes the timeline and report before the montage`,
    montageText,
    `S3: ${s3Requests.gets} GETs/HEADs and ${s3Requests.puts} PUTs at $0.0004 and $0.005 per 1,000`,
    `prices: Lambda $${AWS_PRICES.lambdaPerGbSecond.x86_64}/GB-s x86_64, $${AWS_PRICES.lambdaPerGbSecond.arm64}/GB-s arm64, $0.20 per million requests (${requests} here); Standard workflows $0.025 per 1,000 state transitions (~${transitions} here); us-east-1 list prices, free tier ignored`,
    'not counted: S3 storage and data transfer, CloudWatch Logs, alarms',
  ];
  const warnings = exceedsTimeout
    ? [
        `the montage would not fit Lambda's time limits (Montage ${Math.round(montageSeconds)} s of ${MONTAGE_MODEL.timeoutSeconds}, a piece ${Math.round(longestPiece)} s of ${CUT_MODEL.timeoutSeconds}, Join ${Math.round(joinWall)} s of ${JOIN_MODEL.timeoutSeconds}). The timeline and report are written first; lower the cap (options.montageMaxSeconds) or search with montage off (options.montage false)`,
      ]
    : [];
  return {
    chunks,
    batches,
    concurrency,
    concurrencyLimitedBy,
    waves,
    lambdaSecondsPerChunk: roundTo(lambdaSecondsPerChunk, 3),
    retries,
    montage: {
      onScreenSeconds: roundTo(onScreenSeconds, 1),
      shownSeconds: roundTo(shownSeconds, 1),
      pieces,
      pieceConcurrency,
      pieceWaves,
      pieceRetries,
      bytes: Math.round(montageBytes),
      segments,
      thumbnails,
      seconds: roundTo(montageSeconds + cutWall + joinWall, 1),
      exceedsTimeout,
    },
    s3Requests,
    wallSeconds: {
      prepare: roundTo(prepareWall, 1),
      recognize: roundTo(recognizeWall, 1),
      montage: roundTo(montageSeconds, 1),
      cut: roundTo(cutWall, 1),
      join: roundTo(joinWall, 1),
      total: roundTo(prepareWall + recognizeWall + montageSeconds + cutWall + joinWall, 1),
    },
    gbSeconds: roundTo(gbSeconds, 1),
    dollars: {
      lambdaCompute: roundTo(dollars.lambdaCompute, 4),
      lambdaRequests: roundTo(dollars.lambdaRequests, 4),
      stateTransitions: roundTo(dollars.stateTransitions, 4),
      s3Requests: roundTo(dollars.s3Requests, 4),
      total: roundTo(dollars.total, 4),
    },
    assumptions,
    warnings,
  };
}

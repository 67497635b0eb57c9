import { SearchOptions, type SearchOptionsInput } from '../config/options.ts';
import { parseInput } from '../errors.ts';
import { probeVideo } from '../video/probe.ts';
import { estimateCost, type CostEstimate, type LambdaArch } from './estimate.ts';
import { measureChunk, measurePiece, type ChunkMeasurement, type PieceMeasurement } from './measure.ts';

export interface EstimateVideoOptions {
  /** A local video file. */
  video: string;
  /** Recognize memory on AWS; default 2048 (serverless.yml's recognizeMemory). */
  memoryMb?: number;
  /** Workers at once; default options.maxConcurrency (0 = no limit). */
  concurrency?: number;
  /** The account's Lambda concurrency quota; default 1,000. */
  accountConcurrency?: number;
  arch?: LambdaArch;
  /** The search options the estimate is for (chunk length, sampling rate, batch size). */
  options?: SearchOptionsInput;
  /** ONNX threads while measuring; default 1, as serverless.yml's recognizeThreads. */
  threads?: number;
}

export interface VideoEstimate {
  measurement: ChunkMeasurement;
  /** One montage piece cut here from the video (absent with the montage off). */
  piece?: PieceMeasurement;
  estimate: CostEstimate;
}

/**
 * `lambdaface estimate --video <file>`: times one real chunk here (from the middle of the video,
 * where a talk or show is typical, unlike its titles) and cuts one montage piece from there, and
 * scales them to the whole video on AWS.
 */
export async function estimateVideo(options: EstimateVideoOptions): Promise<VideoEstimate> {
  const search = parseInput(SearchOptions, options.options ?? {}, 'search options');
  const { durationSeconds } = await probeVideo(options.video);
  const startSeconds = Math.max(0, durationSeconds / 2 - search.chunkSeconds / 2);
  const measurement = await measureChunk({
    video: options.video,
    search,
    threads: options.threads ?? 1,
    startSeconds,
  });
  const piece = search.montage ? await measurePiece(options.video, { startSeconds, sampleFps: search.sampleFps }) : undefined;
  const estimate = estimateCost({
    videoSeconds: durationSeconds,
    chunkSeconds: search.chunkSeconds,
    sampleFps: search.sampleFps,
    memoryMb: options.memoryMb ?? 2048,
    concurrency: options.concurrency ?? search.maxConcurrency,
    secondsPerChunkMeasured: measurement.secondsPerChunk,
    arch: options.arch ?? 'x86_64',
    itemsPerBatch: search.itemsPerBatch,
    coldStartSeconds: 1 + measurement.modelLoadSeconds,
    onScreenShare: measurement.onScreenShare,
    segmentsPerMinute: measurement.segmentsPerMinute,
    montage: search.montage,
    montageMaxSeconds: search.montageMaxSeconds,
    ...(piece === undefined ? {} : { secondsPerPieceMeasured: piece.secondsPerPiece, montageBytesPerSecond: piece.bytesPerSecond }),
    ...(options.accountConcurrency === undefined ? {} : { accountConcurrency: options.accountConcurrency }),
  });
  return { measurement, ...(piece === undefined ? {} : { piece }), estimate };
}

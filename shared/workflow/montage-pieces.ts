import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { mapLimit } from '../async/map-limit.ts';
import { MONTAGE_MAX_HEIGHT, type SearchOptions } from '../config/options.ts';
import { LambdafaceError, storageError } from '../errors.ts';
import type { CutContext, CutPieceResult, PieceSettings, PlannedPiece } from '../schemas/montage-pieces.ts';
import { contentName, jobKeys } from '../storage/keys.ts';
import { exists, getToFile, putFile, s3Url } from '../storage/s3.ts';
import type { MontagePlan, PlacedCut } from '../timeline/montage-plan.ts';
import { containerDuration, cutPiece, joinPieces, montageSize, wantsText } from '../video/edit.ts';
import { ffmpegVersion } from '../video/ffmpeg.ts';
import { findFont } from '../video/font.ts';
import type { MontageSegment } from '../video/montage-filters.ts';
import type { VideoInfo } from '../video/types.ts';
import { storedPlaces } from './reuse.ts';

/** Bumped whenever a piece's encoding changes in a way its settings do not show. */
const PIECE_FORMAT = 1;
/**
 * Pieces cut at once by makeMontage (one process cutting every piece: the bench and tests). Each run
 * is x264 (threaded) fed by ranged reads of the source: two overlap one's network waits with the
 * other's encoding. On AWS every piece is a CutPieces child of its own.
 */
const PIECE_PARALLELISM = 2;
/** Pieces downloaded at once by the join: each is a few MB, the waits are the network's. */
const DOWNLOAD_PARALLELISM = 8;

export interface MontagePieces {
  bucket: string;
  jobId: string;
  /** The video as stored (key and ETag): a piece's hash names the very object it was cut from. */
  video: { key: string; etag: string };
  /** An earlier job of the same video (search --reuse-scan), whose pieces may serve this one. */
  scannedBy: string | undefined;
  options: Pick<SearchOptions, 'annotateMontage' | 'sampleFps'>;
}

export interface MadeMontage {
  /** Where each piece landed in the montage, measured from the pieces. */
  placed: PlacedCut[];
  seconds: number;
  /** Pieces encoded by this run, and pieces found already cut (this job's, from a run that stopped, or the earlier scan's). */
  cut: number;
  reused: number;
  labelsDrawn: boolean;
}

/**
 * The hash naming a piece: of the source object (key and ETag), the range, everything drawn on it,
 * the encoding settings and the ffmpeg build. Two pieces with the same hash are the same frames,
 * so a stored piece under this hash, in this job's storage or an earlier scan's of the same
 * video, is used instead of cutting it again; anything that would change a pixel changes the hash.
 */
export function pieceHash(video: MontagePieces['video'], piece: MontageSegment, settings: PieceSettings, ffmpeg: string): string {
  return contentName({ format: PIECE_FORMAT, video, piece, settings, ffmpeg });
}

/**
 * The montage's pieces as the workflow hands them out: each of the plan's clips with its place and
 * its hash, and the context every piece is cut with (drawing, size at most MONTAGE_MAX_HEIGHT high,
 * the ffmpeg build the hashes are for).
 */
export async function planPieces(job: MontagePieces, plan: MontagePlan, video: VideoInfo): Promise<{ pieces: PlannedPiece[]; cut: CutContext }> {
  const settings = pieceSettings(video, job.options);
  const ffmpeg = await ffmpegVersion();
  const pieces = plan.clips.map((clip, index) => ({ index, ...clip, hash: pieceHash(job.video, clip, settings, ffmpeg) }));
  const cut: CutContext = {
    bucket: job.bucket,
    jobId: job.jobId,
    video: job.video,
    info: video,
    ...(job.scannedBy === undefined ? {} : { scannedBy: job.scannedBy }),
    settings,
    ffmpeg,
  };
  return { pieces, cut };
}

/** How every piece of a montage of `video` is cut: drawn when annotated, at most MONTAGE_MAX_HEIGHT high. */
export function pieceSettings(video: Pick<VideoInfo, 'width' | 'height'>, options: MontagePieces['options']): PieceSettings {
  const annotate = options.annotateMontage;
  const font = annotate ? findFont() : undefined;
  const size = montageSize(video, { maxHeight: MONTAGE_MAX_HEIGHT });
  return {
    drawLabels: annotate,
    drawBoxes: annotate,
    // A box stands for one sample: held longer it would outlive a shot cut and frame someone else.
    boxHoldSeconds: 1 / options.sampleFps,
    ...(font === undefined ? {} : { font }),
    width: size.width,
    height: size.height,
    crf: 23,
  };
}

/** A planned piece as ffmpeg cuts it: the segment alone. */
function segmentOf({ start, end, captions, boxes }: PlannedPiece): MontageSegment {
  return {
    start,
    end,
    ...(captions === undefined ? {} : { captions }),
    ...(boxes === undefined ? {} : { boxes: boxes.map(({ time, box, label }) => ({ time, box, ...(label === undefined ? {} : { label }) })) }),
  };
}

/**
 * One piece of the montage, stored under intermediate/<jobId>/clips/<hash>.mp4: found there already
 * (a rerun), copied from an earlier search's storage of the same video (--reuse-scan), or cut from
 * `url`. A stored piece that cannot be measured (damaged) is cut again.
 */
export async function cutStoredPiece(
  s3: S3Client,
  cut: CutContext,
  piece: PlannedPiece,
  { url, tmpDir, signal }: { url: string; tmpDir: string; signal: AbortSignal | undefined },
): Promise<CutPieceResult> {
  const places = storedPlaces(cut.jobId, cut.scannedBy, (keys) => keys.clip(piece.hash));
  const [own] = places;
  const dir = await mkdtemp(join(tmpDir, 'lambdaface-piece-'));
  try {
    const path = join(dir, 'piece.mp4');
    const stored = await storedPiece(s3, cut.bucket, places, path, signal);
    if (stored !== undefined) {
      if (stored.key !== own) await putFile(s3, cut.bucket, own, path, { contentType: 'video/mp4' });
      return { index: piece.index, hash: piece.hash, seconds: stored.seconds, reused: true };
    }
    const seconds = await cutPiece(url, segmentOf(piece), path, { ...cut.settings, font: cut.settings.font, video: cut.info, signal });
    await putFile(s3, cut.bucket, own, path, { contentType: 'video/mp4' });
    return { index: piece.index, hash: piece.hash, seconds, reused: false };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Joins the stored pieces of a montage, in order, by stream copy into `montageKey`, and says where
 * each cut landed: from each piece's duration as its Cut measured it (`durations`, by piece index;
 * a piece can run a frame or an audio packet past its cut), or measured here for a piece without
 * one. A piece that is not stored fails the join with the pieces missing named. Scratch space
 * holds the pieces and the montage: twice the montage, which the cap bounds.
 */
export async function joinStoredPieces(
  s3: S3Client,
  job: { bucket: string; jobId: string },
  pieces: readonly PlannedPiece[],
  { montageKey, tmpDir, signal, durations }: { montageKey: string; tmpDir: string; signal: AbortSignal | undefined; durations?: ReadonlyMap<number, number> },
): Promise<{ placed: PlacedCut[]; seconds: number }> {
  const keys = jobKeys(job.jobId);
  const dir = await mkdtemp(join(tmpDir, 'lambdaface-join-'));
  try {
    const missing: number[] = [];
    const paths = await mapLimit(pieces, DOWNLOAD_PARALLELISM, async (piece) => {
      const path = join(dir, `piece-${String(piece.index).padStart(5, '0')}.mp4`);
      if (!(await exists(s3, job.bucket, keys.clip(piece.hash)))) {
        missing.push(piece.index);
        return path;
      }
      await getToFile(s3, job.bucket, keys.clip(piece.hash), path);
      return path;
    });
    if (missing.length > 0) {
      missing.sort((p, q) => p - q);
      throw storageError(`${missing.length} of the ${pieces.length} montage pieces were not cut (pieces ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''})`, {
        input: s3Url(job.bucket, `${keys.intermediatePrefix}clips/`),
        hint: 'run the search again: the pieces already cut are kept and only the missing ones are cut',
      });
    }
    const placed: PlacedCut[] = [];
    let at = 0;
    for (const [i, piece] of pieces.entries()) {
      placed.push({ start: piece.start, end: piece.end, at });
      at += durations?.get(piece.index) ?? (await containerDuration(paths[i]!, signal));
    }
    const montage = join(dir, 'montage.mp4');
    await joinPieces(paths, montage, signal);
    await putFile(s3, job.bucket, montageKey, montage, { contentType: 'video/mp4' });
    return { placed, seconds: at };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Makes the montage of `plan` at `montageKey` in one process: every piece cut (or found) as a
 * CutPieces child would, two at a time, then joined as Join does. For the benchmarks and
 * tests; the workflow cuts each piece in an invocation of its own.
 */
export async function makeMontage(
  s3: S3Client,
  job: MontagePieces,
  { url, video, plan, montageKey, tmpDir, signal }: { url: string; video: VideoInfo; plan: MontagePlan; montageKey: string; tmpDir: string; signal: AbortSignal | undefined },
): Promise<MadeMontage> {
  const { pieces, cut } = await planPieces(job, plan, video);
  const results = await mapLimit(pieces, PIECE_PARALLELISM, (piece) => cutStoredPiece(s3, cut, piece, { url, tmpDir, signal }));
  const durations = new Map(results.map((result) => [result.index, result.seconds]));
  const { placed, seconds } = await joinStoredPieces(s3, job, pieces, { montageKey, tmpDir, signal, durations });
  const reused = results.filter((result) => result.reused).length;
  return { placed, seconds, cut: pieces.length - reused, reused, labelsDrawn: cut.settings.font !== undefined && plan.clips.some(wantsText) };
}

/**
 * The first of `keys` that holds a whole piece, downloaded to `path`, with its duration; undefined
 * when none does. A piece that cannot be measured (damaged) is not used: it is cut again.
 */
async function storedPiece(s3: S3Client, bucket: string, keys: string[], path: string, signal: AbortSignal | undefined): Promise<{ key: string; seconds: number } | undefined> {
  for (const key of keys) {
    if (!(await exists(s3, bucket, key))) continue;
    await getToFile(s3, bucket, key, path);
    try {
      return { key, seconds: await containerDuration(path, signal) };
    } catch (error) {
      if (!(error instanceof LambdafaceError) || signal?.aborted) throw error;
      await rm(path, { force: true });
    }
  }
  return undefined;
}

import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { mapLimit } from '../async/map-limit.ts';
import { MONTAGE_MAX_HEIGHT, type SearchOptions } from '../config/options.ts';
import { LambdafaceError } from '../errors.ts';
import { jobKeys } from '../storage/keys.ts';
import { exists, getToFile, putFile } from '../storage/s3.ts';
import type { MontagePlan, PlacedCut } from '../timeline/montage-plan.ts';
import { containerDuration, cutPiece, joinPieces, montageSize, wantsText, type ClipSettings } from '../video/edit.ts';
import { ffmpegVersion } from '../video/ffmpeg.ts';
import { findFont } from '../video/font.ts';
import type { MontageSegment } from '../video/montage-filters.ts';
import type { VideoInfo } from '../video/types.ts';

/** Bumped whenever a piece's encoding changes in a way its settings do not show. */
const PIECE_FORMAT = 1;
/**
 * Pieces cut at once. Each run is x264 (threaded) fed by ranged reads of the source: two overlap
 * one's network waits with the other's encoding without oversubscribing the function's vCPUs.
 */
const PIECE_PARALLELISM = 2;

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
export function pieceHash(video: MontagePieces['video'], piece: MontageSegment, settings: Omit<ClipSettings, 'video' | 'signal'>, ffmpeg: string): string {
  const content = JSON.stringify({ format: PIECE_FORMAT, video, piece, settings, ffmpeg });
  return createHash('sha256').update(content).digest('hex').slice(0, 40);
}

/**
 * Makes the montage of `plan` at `montageKey`: each piece is cut at most MONTAGE_MAX_HEIGHT high,
 * or found already cut under its hash, stored under intermediate/<jobId>/clips/ (so a rerun or a
 * later search of the same video with the same captions does not cut it again), and the pieces
 * are joined by stream copy. Scratch space holds the capped montage's pieces and the montage.
 */
export async function makeMontage(
  s3: S3Client,
  job: MontagePieces,
  { url, video, plan, montageKey, tmpDir, signal }: { url: string; video: VideoInfo; plan: MontagePlan; montageKey: string; tmpDir: string; signal: AbortSignal | undefined },
): Promise<MadeMontage> {
  const annotate = job.options.annotateMontage;
  const font = annotate ? findFont() : undefined;
  const size = montageSize(video, { maxHeight: MONTAGE_MAX_HEIGHT });
  const settings: Omit<ClipSettings, 'video' | 'signal'> = {
    drawLabels: annotate,
    drawBoxes: annotate,
    // A box stands for one sample: held longer it would outlive a shot cut and frame someone else.
    boxHoldSeconds: 1 / job.options.sampleFps,
    font,
    width: size.width,
    height: size.height,
    crf: 23,
  };
  const ffmpeg = await ffmpegVersion();
  const own = jobKeys(job.jobId);
  const earlier = job.scannedBy === undefined ? undefined : jobKeys(job.scannedBy);
  const dir = await mkdtemp(join(tmpDir, 'lambdaface-montage-'));
  try {
    const pieces = await mapLimit(
      plan.clips.map((clip, index) => ({ clip, index })),
      PIECE_PARALLELISM,
      async ({ clip, index }) => {
        const hash = pieceHash(job.video, clip, settings, ffmpeg);
        const path = join(dir, `piece-${String(index).padStart(5, '0')}.mp4`);
        const stored = await storedPiece(s3, job.bucket, [own.clip(hash), ...(earlier ? [earlier.clip(hash)] : [])], path, signal);
        if (stored !== undefined) {
          if (stored.key !== own.clip(hash)) await putFile(s3, job.bucket, own.clip(hash), path, { contentType: 'video/mp4' });
          return { path, seconds: stored.seconds, reused: true };
        }
        const seconds = await cutPiece(url, clip, path, { ...settings, video, signal });
        await putFile(s3, job.bucket, own.clip(hash), path, { contentType: 'video/mp4' });
        return { path, seconds, reused: false };
      },
    );
    const placed: PlacedCut[] = [];
    let at = 0;
    for (const [i, piece] of pieces.entries()) {
      placed.push({ start: plan.clips[i]!.start, end: plan.clips[i]!.end, at });
      at += piece.seconds;
    }
    const montage = join(dir, 'montage.mp4');
    await joinPieces(
      pieces.map((piece) => piece.path),
      montage,
      signal,
    );
    await putFile(s3, job.bucket, montageKey, montage, { contentType: 'video/mp4' });
    const reused = pieces.filter((piece) => piece.reused).length;
    return { placed, seconds: at, cut: pieces.length - reused, reused, labelsDrawn: font !== undefined && plan.clips.some(wantsText) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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

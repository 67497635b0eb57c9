import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inputError, mediaError } from '../errors.ts';
import { runFfmpeg } from './ffmpeg.ts';
import { findFont } from './font.ts';
import { segmentFilters, type MontageSegment } from './montage-filters.ts';
import { probeVideo } from './probe.ts';
import { checkSource, protocolOptions } from './source.ts';
import type { VideoInfo } from './types.ts';

export type { MontageBox, MontageSegment } from './montage-filters.ts';

export interface MontageOptions {
  /** Draw each segment's label and each box's label (needs a font; see findFont). Default true. */
  drawLabels?: boolean;
  /** Outline the segments' boxes. Default true. */
  drawBoxes?: boolean;
  /** How long a box stays up when no later box follows sooner; default 1 s. */
  boxHoldSeconds?: number;
  /** Downscale wider video to this width. */
  maxWidth?: number;
  /** Downscale taller video to this height. */
  maxHeight?: number;
  /** Font file for labels, instead of LAMBDAFACE_FONT or a system font. */
  fontFile?: string;
  /** x264 quality (lower is better, 18-28 sensible); default 23. */
  crf?: number;
  /** The probe of this source, when the caller has it. */
  video?: VideoInfo;
  /** Stops the montage between or during ffmpeg runs; the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

export interface MontageResult {
  outPath: string;
  /** Duration of the written file, as probed. */
  durationSeconds: number;
  /** Segments written (segments entirely past the end of the video are left out). */
  segments: number;
  /**
   * Each written segment's source range and where it begins in the montage, measured from the
   * pieces: an encoded piece can run a frame or an audio packet past its cut, and the join adds
   * those up, so a player seeking into a long montage needs the measured starts.
   */
  placed: { start: number; end: number; at: number }[];
  hasAudio: boolean;
  /** False when labels were asked for but no font was found. */
  labelsDrawn: boolean;
  warnings: string[];
}

/**
 * The container's duration of a piece: what ffmpeg's concat demuxer advances by when it joins the
 * next piece (the longer of its streams, not the picture's own duration).
 */
export async function containerDuration(path: string, signal: AbortSignal | undefined): Promise<number> {
  const { stdout } = await runFfmpeg(['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], {
    tool: 'ffprobe',
    source: path,
    action: 'measure the montage piece',
    signal,
  });
  const seconds = Number(stdout.toString('utf8').trim());
  if (!Number.isFinite(seconds) || seconds < 0) throw mediaError(`ffprobe gave no duration for the montage piece ${path}`, { input: path });
  return seconds;
}

const even = (n: number): number => Math.max(2, 2 * Math.round(n / 2));

/** The montage's frame size for a source: scaled down (never up) to fit maxWidth and maxHeight, even sides for H.264. */
export function montageSize(
  video: Pick<VideoInfo, 'width' | 'height'>,
  limits: { maxWidth?: number | undefined; maxHeight?: number | undefined },
): { width: number; height: number } {
  const scale = Math.min(1, (limits.maxWidth ?? video.width) / video.width, (limits.maxHeight ?? video.height) / video.height);
  const width = even(video.width * scale);
  return { width, height: even((video.height * width) / video.width) };
}

function checkSegments(segments: MontageSegment[]): void {
  if (segments.length === 0) throw inputError('no segments to put in the montage', { input: 'segments', hint: 'the timeline has no appearance of anyone' });
  segments.forEach((s, i) => {
    if (!Number.isFinite(s.start) || !Number.isFinite(s.end) || s.start < 0 || s.end <= s.start) {
      throw inputError(`segment ${i} is not a valid [start, end) (got [${s.start}, ${s.end}))`, { input: `segments.${i}` });
    }
  });
}

/** How one piece is cut: the source's probe, the drawing, the output size. */
export interface ClipSettings {
  video: VideoInfo;
  drawLabels: boolean;
  drawBoxes: boolean;
  boxHoldSeconds: number;
  /** Font file for labels; none drawn without one. */
  font: string | undefined;
  width: number;
  height: number;
  crf: number;
  signal?: AbortSignal | undefined;
}

/**
 * Cuts one segment of `source` frame-accurately into an H.264/AAC MP4 piece at `outPath` (drawn,
 * scaled to the settings' size) and returns its container duration, which is what the concat
 * demuxer advances by when it joins the next piece. Pieces cut with the same settings from the
 * same source join by stream copy (joinPieces).
 */
export async function cutPiece(source: string, segment: MontageSegment, outPath: string, settings: ClipSettings): Promise<number> {
  const { video } = settings;
  // ffmpeg's -ss counts from the file's earliest stream start, not from the first frame.
  const offset = video.startTime - video.fileStartTime;
  const work = await mkdtemp(join(dirname(outPath), '.labels-'));
  try {
    let texts = 0;
    const textFile = (text: string): string => {
      const path = join(work, `label-${texts++}.txt`);
      writeFileSync(path, text.replace(/\s+/g, ' ').trim());
      return path;
    };
    const filters = segmentFilters(segment, {
      frameWidth: video.width,
      frameHeight: video.height,
      outWidth: settings.width,
      outHeight: settings.height,
      font: settings.font,
      drawLabels: settings.drawLabels,
      drawBoxes: settings.drawBoxes,
      boxHoldSeconds: settings.boxHoldSeconds,
      textFile,
    });
    // biome-ignore format: ffmpeg options stay beside their values
    await runFfmpeg(
      [
        '-hide_banner', '-nostdin', '-loglevel', 'level+error', '-y',
        ...protocolOptions(source),
        '-ss', (segment.start + offset).toFixed(6),
        '-i', source,
        '-t', (segment.end - segment.start).toFixed(6),
        '-map', '0:v:0',
        ...(video.hasAudio ? ['-map', '0:a:0'] : []),
        '-vf', filters,
        '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(settings.crf), '-pix_fmt', 'yuv420p',
        ...(video.hasAudio ? ['-c:a', 'aac', '-b:a', '128k', '-ac', '2'] : []),
        '-f', 'mp4', outPath,
      ],
      { source, action: `cut [${segment.start}, ${segment.end}) of`, signal: settings.signal },
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return containerDuration(outPath, settings.signal);
}

/** Joins pieces cut with the same settings into one MP4 by stream copy (no re-encoding), playable while it downloads. */
export async function joinPieces(pieces: readonly string[], outPath: string, signal?: AbortSignal): Promise<void> {
  if (pieces.length === 0) throw inputError('no pieces to join into a montage', { input: outPath });
  await mkdir(dirname(outPath), { recursive: true });
  const list = `${outPath}.pieces.txt`;
  await writeFile(list, pieces.map((p) => `file '${p.replace(/'/g, "'\\''")}'\n`).join(''));
  try {
    await runFfmpeg(['-hide_banner', '-nostdin', '-loglevel', 'level+error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart', outPath], {
      source: outPath,
      action: 'join the montage pieces into',
      signal,
    });
  } finally {
    await rm(list, { force: true });
  }
}

/** Whether a segment wants any text drawn. */
export const wantsText = (segment: MontageSegment): boolean => Boolean(segment.label || segment.captions?.length || segment.boxes?.some((b) => b.label));

/**
 * Cuts `segments` (seconds from the video's first frame) out of `source` and joins them into one
 * H.264/AAC MP4 at `outPath` that starts playing before it is fully downloaded (+faststart). Each
 * segment is cut frame-accurately and re-encoded on its own, then the pieces are joined without
 * re-encoding, so a long list costs one short ffmpeg run per segment and little memory.
 */
export async function cutAndConcat(source: string, segments: MontageSegment[], outPath: string, options: MontageOptions = {}): Promise<MontageResult> {
  checkSegments(segments);
  await checkSource(source);
  const video = options.video ?? (await probeVideo(source));
  const warnings: string[] = [];

  const kept = segments
    .map((s) => ({ ...s, end: Math.min(s.end, video.durationSeconds) }))
    .filter((s, i) => {
      const inside = s.end - s.start > 0;
      if (!inside) warnings.push(`segment ${i} [${s.start}, ${segments[i]?.end}) is past the end of the video (${video.durationSeconds} s): left out`);
      return inside;
    });
  if (kept.length === 0) throw inputError('every segment is past the end of the video', { input: 'segments' });

  const drawLabels = options.drawLabels ?? true;
  const font = drawLabels ? findFont(options.fontFile) : undefined;
  const text = kept.some(wantsText);
  if (drawLabels && text && !font) warnings.push('labels left out: no font file found (set LAMBDAFACE_FONT to a .ttf file)');
  const size = montageSize(video, { maxWidth: options.maxWidth, maxHeight: options.maxHeight });
  const settings: ClipSettings = {
    video,
    drawLabels,
    drawBoxes: options.drawBoxes ?? true,
    boxHoldSeconds: options.boxHoldSeconds ?? 1,
    font,
    width: size.width,
    height: size.height,
    crf: options.crf ?? 23,
    signal: options.signal,
  };

  const work = await mkdtemp(join(tmpdir(), 'lambdaface-montage-'));
  try {
    const pieces: string[] = [];
    const placed: MontageResult['placed'] = [];
    let at = 0;
    for (const [i, segment] of kept.entries()) {
      const piece = join(work, `piece-${String(i).padStart(5, '0')}.mp4`);
      const duration = await cutPiece(source, segment, piece, settings);
      pieces.push(piece);
      placed.push({ start: segment.start, end: segment.end, at });
      at += duration;
    }
    await joinPieces(pieces, outPath, options.signal);
    const written = await probeVideo(outPath);
    return {
      outPath,
      durationSeconds: written.durationSeconds,
      segments: kept.length,
      placed,
      hasAudio: written.hasAudio,
      labelsDrawn: Boolean(drawLabels && font && text),
      warnings,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

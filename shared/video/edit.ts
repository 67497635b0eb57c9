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
async function containerDuration(path: string, signal: AbortSignal | undefined): Promise<number> {
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

function checkSegments(segments: MontageSegment[]): void {
  if (segments.length === 0) throw inputError('no segments to put in the montage', { input: 'segments', hint: 'the timeline has no appearance of anyone' });
  segments.forEach((s, i) => {
    if (!Number.isFinite(s.start) || !Number.isFinite(s.end) || s.start < 0 || s.end <= s.start) {
      throw inputError(`segment ${i} is not a valid [start, end) (got [${s.start}, ${s.end}))`, { input: `segments.${i}` });
    }
  });
}

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
  const wantsText = kept.some((s) => s.label || s.boxes?.some((b) => b.label));
  if (drawLabels && wantsText && !font) warnings.push('labels left out: no font file found (set LAMBDAFACE_FONT to a .ttf file)');

  const outWidth = even(Math.min(video.width, options.maxWidth ?? video.width));
  const outHeight = even((video.height * outWidth) / video.width);
  // ffmpeg's -ss counts from the file's earliest stream start, not from the first frame.
  const offset = video.startTime - video.fileStartTime;
  const crf = String(options.crf ?? 23);

  const work = await mkdtemp(join(tmpdir(), 'lambdaface-montage-'));
  try {
    let texts = 0;
    const textFile = (text: string): string => {
      const path = join(work, `label-${texts++}.txt`);
      writeFileSync(path, text.replace(/\s+/g, ' ').trim());
      return path;
    };
    const pieces: string[] = [];
    const placed: MontageResult['placed'] = [];
    let at = 0;
    for (const [i, segment] of kept.entries()) {
      const piece = join(work, `piece-${String(i).padStart(5, '0')}.mp4`);
      const filters = segmentFilters(segment, {
        frameWidth: video.width,
        frameHeight: video.height,
        outWidth,
        outHeight,
        font,
        drawLabels,
        drawBoxes: options.drawBoxes ?? true,
        boxHoldSeconds: options.boxHoldSeconds ?? 1,
        textFile,
      });
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
          '-c:v', 'libx264', '-preset', 'veryfast', '-crf', crf, '-pix_fmt', 'yuv420p',
          ...(video.hasAudio ? ['-c:a', 'aac', '-b:a', '128k', '-ac', '2'] : []),
          '-f', 'mp4', piece,
        ],
        { source, action: `cut segment ${i} [${segment.start}, ${segment.end}) of`, signal: options.signal },
      );
      pieces.push(piece);
      placed.push({ start: segment.start, end: segment.end, at });
      at += await containerDuration(piece, options.signal);
    }

    const list = join(work, 'pieces.txt');
    await writeFile(list, pieces.map((p) => `file '${p.replace(/'/g, "'\\''")}'\n`).join(''));
    await mkdir(dirname(outPath), { recursive: true });
    await runFfmpeg(
      ['-hide_banner', '-nostdin', '-loglevel', 'level+error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart', outPath],
      { source: outPath, action: 'join the montage pieces into', signal: options.signal },
    );
    const written = await probeVideo(outPath);
    return {
      outPath,
      durationSeconds: written.durationSeconds,
      segments: kept.length,
      placed,
      hasAudio: written.hasAudio,
      labelsDrawn: Boolean(drawLabels && font && wantsText),
      warnings,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { inputError, mediaError } from '../errors.ts';
import { runFfmpeg } from './ffmpeg.ts';
import { probeVideo } from './probe.ts';
import { checkSource, displaySource, protocolOptions } from './source.ts';
import type { Box, VideoInfo } from './types.ts';

export interface ThumbnailOptions {
  /** Crop to this box (source pixels) plus `margin`; the whole frame without it. */
  box?: Box;
  /** Added on each side, as a fraction of the box's width and height; default 0.3. */
  margin?: number;
  /** Downscale so the longer side is at most this many pixels. */
  maxSize?: number;
  /** Also write the JPEG here. */
  outPath?: string;
  /** The probe of this source, when the caller has it. */
  video?: VideoInfo;
  /** Stops ffmpeg; the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The crop for a face box: the box grown by `margin` on every side, clipped to the frame, with even
 * sides (JPEG's 4:2:0 chroma halves them).
 */
export function thumbnailRegion(box: Box, frameWidth: number, frameHeight: number, margin = 0.3): Region {
  const x0 = Math.max(0, Math.floor(box.x - box.width * margin));
  const y0 = Math.max(0, Math.floor(box.y - box.height * margin));
  const x1 = Math.min(frameWidth, Math.ceil(box.x + box.width * (1 + margin)));
  const y1 = Math.min(frameHeight, Math.ceil(box.y + box.height * (1 + margin)));
  const width = Math.max(2, (x1 - x0) & ~1);
  const height = Math.max(2, (y1 - y0) & ~1);
  // Growing to the minimum can push past the frame's edge: pull the origin back in.
  return { x: Math.max(0, Math.min(x0, frameWidth - width)), y: Math.max(0, Math.min(y0, frameHeight - height)), width, height };
}

/** Size after fitting `region` into maxSize on its longer side, kept even. */
export function thumbnailSize(region: Pick<Region, 'width' | 'height'>, maxSize?: number): { width: number; height: number } {
  const scale = maxSize !== undefined ? Math.min(1, maxSize / Math.max(region.width, region.height)) : 1;
  return { width: Math.max(2, Math.round((region.width * scale) / 2) * 2), height: Math.max(2, Math.round((region.height * scale) / 2) * 2) };
}

/**
 * A JPEG of the frame shown at `time` (seconds from the first frame), cropped around `box`: the
 * timeline's picture of a segment's best face.
 */
export async function extractThumbnail(source: string, time: number, options: ThumbnailOptions = {}): Promise<Buffer> {
  if (!Number.isFinite(time) || time < 0) throw inputError(`thumbnail time must be seconds >= 0 (got ${time})`, { input: 'time' });
  const box = options.box;
  if (box && !(box.width > 0 && box.height > 0)) throw inputError('thumbnail box must have a positive width and height', { input: 'box' });
  await checkSource(source);
  const video = options.video ?? (await probeVideo(source));
  // A time in the last frame's interval (or past the end) shows the last frame.
  const at = Math.max(0, Math.min(time, video.durationSeconds - 1 / video.fps));
  const region = box ? thumbnailRegion(box, video.width, video.height, options.margin) : { x: 0, y: 0, width: video.width, height: video.height };
  if (box && (box.x >= video.width || box.y >= video.height || box.x + box.width <= 0 || box.y + box.height <= 0)) {
    throw inputError(`thumbnail box is outside the ${video.width}x${video.height} frame`, { input: 'box' });
  }
  const size = thumbnailSize(region, options.maxSize);
  const filters = [`crop=${region.width}:${region.height}:${region.x}:${region.y}`, `scale=${size.width}:${size.height}`, 'format=yuvj420p'];
  // biome-ignore format: ffmpeg options stay beside their values
  const { stdout } = await runFfmpeg(
    [
      '-hide_banner', '-nostdin', '-loglevel', 'level+error',
      ...protocolOptions(source),
      // Accurate seek: the first frame at or after the time, as decodeFrames samples.
      '-ss', (at + video.startTime - video.fileStartTime).toFixed(6),
      '-i', source,
      '-map', '0:v:0', '-frames:v', '1',
      '-vf', filters.join(','),
      '-c:v', 'mjpeg', '-q:v', '3',
      '-f', 'image2pipe', 'pipe:1',
    ],
    { source, action: 'take a thumbnail from', signal: options.signal },
  );
  if (stdout.length === 0) throw mediaError(`no frame at ${time} s in ${displaySource(source)}`, { input: displaySource(source) });
  if (options.outPath) {
    await mkdir(dirname(options.outPath), { recursive: true });
    await writeFile(options.outPath, stdout);
  }
  return stdout;
}

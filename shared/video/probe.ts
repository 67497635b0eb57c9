import { z } from 'zod';
import { mediaError } from '../errors.ts';
import { runFfmpeg } from './ffmpeg.ts';
import { checkSource, displaySource, protocolOptions } from './source.ts';
import type { VideoInfo } from './types.ts';

/** ffprobe writes most numbers as strings ("0.852019") and leaves out what it does not know. */
const optionalNumber = z
  .union([z.number(), z.string()])
  .optional()
  .transform((value) => {
    if (value === undefined || value === '') return undefined;
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  });

const ProbeStream = z.object({
  index: z.number().int(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  time_base: z.string().optional(),
  start_pts: z.number().int().optional(),
  start_time: optionalNumber,
  duration: optionalNumber,
  nb_frames: optionalNumber,
  tags: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  side_data_list: z.array(z.object({ side_data_type: z.string().optional(), rotation: optionalNumber })).optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).optional(),
});

const ProbeOutput = z.object({
  streams: z.array(ProbeStream).default([]),
  format: z
    .object({
      format_name: z.string().optional(),
      start_time: optionalNumber,
      duration: optionalNumber,
    })
    .default({ format_name: undefined, start_time: undefined, duration: undefined }),
});

type ProbeStream = z.infer<typeof ProbeStream>;

const rational = (text: string | undefined): number | undefined => {
  const match = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (!match) return undefined;
  const value = Number(match[1]) / Number(match[2]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
};

/**
 * pts * timeBase in whole microseconds, rounded half away from zero: exactly how ffmpeg's
 * `settb=AVTB` rescales, so the decoder's first frame lands on 0 exactly.
 */
function microseconds(pts: number, timeBase: string): number | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(timeBase);
  if (!match || Number(match[2]) === 0) return undefined;
  const num = BigInt(match[1] ?? '0') * 1_000_000n;
  const den = BigInt(match[2] ?? '1');
  const magnitude = (BigInt(Math.abs(pts)) * num * 2n + den) / (2n * den);
  return Number(pts < 0 ? -magnitude : magnitude);
}

/** Clockwise degrees a player rotates by: from the display matrix (newer ffprobe) or the rotate tag. */
function rotationOf(stream: ProbeStream): number {
  const matrix = stream.side_data_list?.find((data) => data.rotation !== undefined)?.rotation;
  const tag = stream.tags?.rotate;
  // The display matrix states the counter-clockwise angle; the legacy tag the clockwise one.
  const degrees = matrix !== undefined ? -matrix : tag !== undefined ? Number(tag) : 0;
  const quarter = Math.round((Number.isFinite(degrees) ? degrees : 0) / 90);
  return (((quarter % 4) + 4) % 4) * 90;
}

/** Builds VideoInfo from ffprobe's `-show_format -show_streams` JSON; exported for tests. */
export function videoInfoFromProbe(json: unknown, source: string): VideoInfo {
  const shown = displaySource(source);
  const parsed = ProbeOutput.safeParse(json);
  if (!parsed.success) {
    throw mediaError(`ffprobe gave an unexpected description of ${shown}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
      input: shown,
      hint: 'set LAMBDAFACE_FFPROBE to a recent ffprobe, or unset it to use the bundled one',
    });
  }
  const { streams, format } = parsed.data;
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!video) {
    throw mediaError(`${shown} has no video stream`, { input: shown, hint: 'give a video file, not an audio file or an image' });
  }
  // A still image probes as a one-frame "video" stream of an image demuxer.
  if (/(^|,)image2|_pipe$/.test(format.format_name ?? '')) {
    throw mediaError(`${shown} is a still image, not a video`, { input: shown, hint: 'give a video file; photos are given with --face' });
  }
  const codedWidth = video.width ?? 0;
  const codedHeight = video.height ?? 0;
  if (codedWidth <= 0 || codedHeight <= 0) {
    throw mediaError(`${shown} has a video stream of unknown size`, { input: shown, hint: 'the file may be truncated or damaged' });
  }
  const fps = rational(video.avg_frame_rate) ?? rational(video.r_frame_rate);
  if (fps === undefined) throw mediaError(`${shown} has no frame rate`, { input: shown, hint: 'the file may be truncated or damaged' });

  const startMicros =
    (video.start_pts !== undefined && video.time_base !== undefined ? microseconds(video.start_pts, video.time_base) : undefined) ??
    Math.round((video.start_time ?? format.start_time ?? 0) * 1e6);
  const startTime = startMicros / 1e6;
  const fileStartTime = format.start_time ?? startTime;
  const frameCount = video.nb_frames !== undefined && video.nb_frames > 0 ? Math.round(video.nb_frames) : undefined;

  // The stream's own duration excludes audio that runs past the picture; MKV/WebM lack it.
  const durationSeconds =
    video.duration ?? (format.duration !== undefined ? format.duration - (startTime - fileStartTime) : undefined) ?? (frameCount !== undefined ? frameCount / fps : undefined);
  if (durationSeconds === undefined || !(durationSeconds > 0)) {
    throw mediaError(`cannot tell how long ${shown} is`, { input: shown, hint: 'the file may be a live stream, truncated or damaged' });
  }

  const rotation = rotationOf(video);
  const sideways = rotation === 90 || rotation === 270;
  return {
    durationSeconds,
    width: sideways ? codedHeight : codedWidth,
    height: sideways ? codedWidth : codedHeight,
    fps,
    ...(frameCount !== undefined ? { frameCount } : {}),
    startTime,
    fileStartTime,
    rotation,
    codec: video.codec_name ?? 'unknown',
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
  };
}

/** Describes the video at `source` (a local path or an http(s) URL, read by ranges, not downloaded). */
export async function probeVideo(source: string): Promise<VideoInfo> {
  await checkSource(source);
  const { stdout } = await runFfmpeg(
    ['-hide_banner', '-loglevel', 'level+error', '-print_format', 'json', '-show_format', '-show_streams', ...protocolOptions(source), '-i', source],
    { tool: 'ffprobe', source, action: 'read' },
  );
  let json: unknown;
  try {
    json = JSON.parse(stdout.toString('utf8'));
  } catch (error) {
    throw mediaError(`ffprobe printed something other than JSON for ${displaySource(source)}`, { input: displaySource(source), cause: error });
  }
  return videoInfoFromProbe(json, source);
}

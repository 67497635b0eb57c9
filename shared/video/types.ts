/**
 * What the rest of lambdaface knows about a video. Times everywhere in lambdaface are seconds from
 * the video's first frame (0 = what a player shows at the start), never container timestamps.
 */
export interface VideoInfo {
  /** Seconds from the first frame to the end of the last one, as a player shows it. */
  durationSeconds: number;
  /** Frame size as displayed, i.e. after `rotation` is applied. */
  width: number;
  height: number;
  /** Average frame rate. */
  fps: number;
  /** Number of frames when the container says (MP4/MOV do, MKV/WebM usually don't). */
  frameCount?: number | undefined;
  /**
   * Container timestamp of the first video frame in seconds, in microseconds exactly as ffmpeg
   * rescales it (e.g. 0.852019 for hamilton_short.mp4). Decoding subtracts it so times start at 0.
   */
  startTime: number;
  /**
   * Earliest start of any stream in the file (often the audio's). ffmpeg's `-ss` counts from it:
   * hamilton_short.mp4's first frame sits at 0.852019 - 0.008005 = 0.844 on ffmpeg's timeline.
   */
  fileStartTime: number;
  /** Clockwise rotation (0, 90, 180, 270) that players apply; ffmpeg decodes already rotated. */
  rotation: number;
  /** Video codec name as ffprobe reports it: h264, hevc, vp9, ... */
  codec: string;
  hasAudio: boolean;
}

/** One sampled frame, packed RGB24 (3 bytes per pixel, rows top to bottom, no padding). */
export interface Frame {
  /** Sample index within the whole video: the sample taken at `time` = index / sampleFps. */
  index: number;
  /** The sample's time, index / sampleFps: on the sampling grid, inside the decoded [start, end). */
  time: number;
  /** When the decoded frame itself starts on screen: at `time` or less than one frame interval after. */
  frameTime: number;
  width: number;
  height: number;
  data: Buffer;
}

/** A face box in pixels of the source video frame as displayed (not of a scaled copy). */
export type { Box } from '../schemas/faces.ts';

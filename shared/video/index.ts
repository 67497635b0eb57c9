/** Video in lambdaface: probe a file or URL, decode sampled RGB frames, cut the montage, take thumbnails. */
export { probeVideo } from './probe.ts';
export { decodeFrames, type DecodeOptions } from './decode.ts';
export { cutAndConcat, type MontageBox, type MontageOptions, type MontageResult, type MontageSegment } from './edit.ts';
export { extractThumbnail, type ThumbnailOptions } from './thumbnail.ts';
export { ffmpegPath, ffprobePath, runFfmpeg, type RunOptions, type RunResult } from './ffmpeg.ts';
export type { Box, Frame, VideoInfo } from './types.ts';

import { inputError } from '../errors.ts';

/**
 * SMPTE-style timecodes for edit lists, non-drop-frame at every rate.
 *
 * A segment's times become frame numbers at the video's true average rate (29.97 fps counts
 * 30000/1001 frames a second), and the frame numbers are written as HH:MM:SS:FF counted at the
 * nominal whole rate (30 for 29.97, 24 for 23.976). So every event lands on the right frame,
 * which is what an editor conforms to; the price of non-drop-frame at 29.97 is that its
 * timecodes run 0.1% behind the clock (3.6 s an hour). Drop-frame would only exist for 29.97 and
 * 59.94 and would make two kinds of output for one kind of input.
 */
export interface FrameRate {
  /** True frames per second. */
  fps: number;
  /** Frames per timecode second. */
  base: number;
}

export function frameRate(fps: number): FrameRate {
  if (!Number.isFinite(fps) || fps <= 0) {
    throw inputError(`the video's frame rate must be a positive number to write timecodes (got ${fps})`, {
      input: 'frame rate',
      hint: 'the video has no usable frame rate; re-encode it with a constant rate (ffmpeg -r 25)',
    });
  }
  return { fps, base: Math.max(1, Math.round(fps)) };
}

/** The frame showing at `seconds` from the first frame: the nearest frame start. */
export const frameAt = (seconds: number, rate: FrameRate): number => Math.max(0, Math.round(seconds * rate.fps));

/** `HH:MM:SS:FF` for a frame number; hours past 99 keep all their digits. */
export function timecode(frame: number, rate: FrameRate): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const ff = frame % rate.base;
  const totalSeconds = (frame - ff) / rate.base;
  const ss = totalSeconds % 60;
  const mm = Math.floor(totalSeconds / 60) % 60;
  const hh = Math.floor(totalSeconds / 3600);
  return `${pad(hh)}:${pad(mm)}:${pad(ss)}:${pad(ff)}`;
}

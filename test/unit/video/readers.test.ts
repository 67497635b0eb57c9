import { describe, expect, it } from 'vitest';
import { concurrentReaders } from '../../../shared/video/readers.ts';
import type { VideoInfo } from '../../../shared/video/types.ts';

const video = (minutes: number, hasAudio = false): VideoInfo => ({
  durationSeconds: minutes * 60,
  width: 640,
  height: 360,
  fps: 25,
  frameCount: minutes * 60 * 25,
  startTime: 0,
  fileStartTime: 0,
  rotation: 0,
  codec: 'h264',
  hasAudio,
});

describe('concurrentReaders', () => {
  it('lets eight readers at a time read a video of up to about an hour', () => {
    expect(concurrentReaders(video(0.15))).toBe(8);
    expect(concurrentReaders(video(20))).toBe(8);
    expect(concurrentReaders(video(60))).toBe(8);
  });

  it('runs fewer readers of a long video, so their indexes together stay within the budget, and never none', () => {
    expect(concurrentReaders(video(360))).toBe(2);
    expect(concurrentReaders(video(360, true))).toBe(1);
    expect(concurrentReaders(video(24 * 60))).toBe(1);
  });

  it('estimates the packets from the duration when the container does not count frames', () => {
    expect(concurrentReaders({ ...video(360), frameCount: undefined })).toBe(concurrentReaders(video(360)));
  });
});

import { describe, expect, it } from 'vitest';
import { videoInfoFromProbe } from '../../../shared/video/probe.ts';

const stream = (extra: Record<string, unknown>) => ({
  index: 0,
  codec_type: 'video',
  codec_name: 'h264',
  width: 1920,
  height: 1080,
  avg_frame_rate: '30000/1001',
  r_frame_rate: '30000/1001',
  time_base: '1/90000',
  start_pts: 0,
  start_time: '0.000000',
  duration: '12.345',
  nb_frames: '370',
  ...extra,
});
const probe = (streams: unknown[], format: Record<string, unknown> = {}) => ({
  streams,
  format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', start_time: '0.000000', duration: '12.4', ...format },
});

describe('videoInfoFromProbe', () => {
  it('reads size, rate, frame count, codec and audio', () => {
    const info = videoInfoFromProbe(probe([stream({}), { index: 1, codec_type: 'audio', codec_name: 'aac' }]), 'a.mp4');
    expect(info).toEqual({
      durationSeconds: 12.345,
      width: 1920,
      height: 1080,
      fps: 30000 / 1001,
      frameCount: 370,
      startTime: 0,
      fileStartTime: 0,
      rotation: 0,
      codec: 'h264',
      hasAudio: true,
    });
  });

  it('rescales the start to whole microseconds the way ffmpeg does', () => {
    // 10214 / 11988 s = 0.85201868... s -> 852019 µs (hamilton_short.mp4).
    const info = videoInfoFromProbe(probe([stream({ time_base: '1/11988', start_pts: 10214, start_time: '0.852019' })], { start_time: '0.008005' }), 'a.mp4');
    expect(info.startTime).toBe(0.852019);
    expect(info.fileStartTime).toBe(0.008005);
    // A half microsecond rounds away from zero: 4 / 12800 s = 312.5 µs.
    expect(videoInfoFromProbe(probe([stream({ time_base: '1/12800', start_pts: 4 })]), 'a.mp4').startTime).toBe(0.000313);
  });

  it('reports a phone video shot upright as rotated, with the displayed size', () => {
    const matrix = videoInfoFromProbe(probe([stream({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] })]), 'a.mp4');
    expect(matrix).toMatchObject({ rotation: 90, width: 1080, height: 1920 });
    const tag = videoInfoFromProbe(probe([stream({ tags: { rotate: '270' } })]), 'a.mp4');
    expect(tag).toMatchObject({ rotation: 270, width: 1080, height: 1920 });
    const upsideDown = videoInfoFromProbe(probe([stream({ side_data_list: [{ rotation: 180 }] })]), 'a.mp4');
    expect(upsideDown).toMatchObject({ rotation: 180, width: 1920, height: 1080 });
  });

  it('takes the duration from the container when the stream has none (MKV, WebM)', () => {
    const info = videoInfoFromProbe(
      probe([stream({ duration: undefined, nb_frames: undefined, start_time: '0.5', start_pts: undefined })], {
        format_name: 'matroska,webm',
        start_time: '0.1',
        duration: '10.1',
      }),
      'a.mkv',
    );
    expect(info.durationSeconds).toBeCloseTo(9.7, 9);
    expect(info.frameCount).toBeUndefined();
  });

  it('skips cover art and rejects audio-only files and still images', () => {
    const cover = stream({ codec_name: 'mjpeg', disposition: { attached_pic: 1 } });
    expect(() => videoInfoFromProbe(probe([{ index: 0, codec_type: 'audio' }, cover]), 'song.m4a')).toThrowError(/song\.m4a has no video stream/);
    expect(() => videoInfoFromProbe(probe([stream({ codec_name: 'png' })], { format_name: 'png_pipe' }), 'face.png')).toThrowError(/face\.png is a still image/);
  });

  it('fails with a MediaError, not a ZodError, on output it does not understand', () => {
    expect(() => videoInfoFromProbe({ streams: 'nope' }, 'a.mp4')).toThrowError(expect.objectContaining({ kind: 'MediaError' }));
    expect(() => videoInfoFromProbe(probe([stream({ avg_frame_rate: '0/0', r_frame_rate: '0/0' })]), 'a.mp4')).toThrowError(/no frame rate/);
  });
});

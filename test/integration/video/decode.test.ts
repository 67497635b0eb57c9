import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrames } from '../../../shared/video/decode.ts';
import { runFfmpeg } from '../../../shared/video/ffmpeg.ts';
import { probeVideo } from '../../../shared/video/probe.ts';
import type { Frame } from '../../../shared/video/types.ts';
import { blockedWriting, bytesWritten, collect, CROWD, eventually, ffmpegChildren, HAMILTON, TINY } from './helpers.ts';

const summary = (frames: Frame[]) => frames.map((f) => ({ index: f.index, time: f.time, frameTime: f.frameTime }));

/** The n-th decoded frame (0-based, display order) as RGB24, picked by frame number: no timestamps involved. */
async function frameByNumber(source: string, n: number): Promise<Buffer> {
  const { stdout } = await runFfmpeg(
    [
      '-hide_banner',
      '-loglevel',
      'level+error',
      '-i',
      source,
      '-map',
      '0:v:0',
      '-vf',
      `select=eq(n\\,${n})`,
      '-vsync',
      '0',
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { source },
  );
  return stdout;
}

const meanAbsDiff = (a: Buffer, b: Buffer): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
};

describe('decodeFrames: sampling', () => {
  it.each([
    // hamilton: 9.18 s; its last frame shows at 9.142 s, so 9.0 s is the last sample at 1, 2 and 5 fps.
    ['hamilton_short', 1, 10, HAMILTON],
    ['hamilton_short', 2, 19, HAMILTON],
    ['hamilton_short', 5, 46, HAMILTON],
    // crowd: 4.2 s at 25 fps, last frame at 4.16 s.
    ['crowd_walking', 1, 5, CROWD],
    ['crowd_walking', 2, 9, CROWD],
    ['crowd_walking', 5, 21, CROWD],
  ] as const)('%s at %d fps gives %d samples on the grid, from 0 to the last frame', async (_, sampleFps, count, source) => {
    const video = await probeVideo(source);
    const frames = await collect(source, { sampleFps, video, maxWidth: 320 });
    expect(frames).toHaveLength(count);
    expect(frames[0]).toMatchObject({ index: 0, time: 0, frameTime: 0 });
    frames.forEach((frame, i) => {
      expect(frame.index).toBe(i);
      expect(frame.time).toBe(i / sampleFps);
      // The first frame shown at or after the sample time.
      expect(frame.frameTime).toBeGreaterThanOrEqual(frame.time - 1e-4);
      expect(frame.frameTime).toBeLessThan(frame.time + 1 / video.fps);
    });
    const last = frames.at(-1)!;
    expect(last.frameTime).toBeLessThan(video.durationSeconds);
    // The trailing partial second is sampled: nothing is left between the last sample and the end but less than one period.
    expect(video.durationSeconds - last.time).toBeLessThan(1 / sampleFps + 1 / video.fps);
  });

  it('does not duplicate or shift frames of a video whose first frame is at PTS 0.852', async () => {
    const frames = await collect(HAMILTON, { sampleFps: 1 });
    expect(frames.map((f) => f.frameTime)).toEqual([0, 1.001001, 2.002002, 3.003003, 4.004004, 5.005005, 6.006006, 7.007007, 8.008008, 9.009009]);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.data.equals(frames[i - 1]!.data)).toBe(false);
  });

  it('yields every frame of the 5-frame video at its own rate', async () => {
    const video = await probeVideo(TINY);
    const frames = await collect(TINY, { sampleFps: video.fps, video });
    expect(summary(frames).map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    frames.forEach((f, n) => expect(f.frameTime).toBeCloseTo(n / video.fps, 5));
    expect(frames.map((f) => [f.width, f.height])).toEqual(Array(5).fill([820, 460]));
    expect(await collect(TINY, { sampleFps: 1, video })).toHaveLength(1);
  });

  it('downscales to maxWidth keeping the aspect ratio', async () => {
    const [frame] = await collect(CROWD, { sampleFps: 1, end: 1, maxWidth: 640 });
    expect(frame).toMatchObject({ width: 640, height: 360 });
    expect(frame!.data.length).toBe(640 * 360 * 3);
  });
});

describe('decodeFrames: chunks', () => {
  it.each([
    ['hamilton_short', 1, [0, 5, 9.18], HAMILTON],
    ['hamilton_short', 2, [0, 5, 9.18], HAMILTON],
    ['hamilton_short', 5, [0, 3.3, 6.05, 9.18], HAMILTON],
    ['crowd_walking', 2, [0, 2.1, 4.2], CROWD],
  ] as const)('%s at %d fps: chunks %j give exactly the frames of one decode', async (_, sampleFps, bounds, source) => {
    const video = await probeVideo(source);
    const maxWidth = 480;
    const whole = await collect(source, { sampleFps, video, maxWidth, end: bounds[bounds.length - 1]! });
    const parts: Frame[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const part = await collect(source, { sampleFps, video, maxWidth, start: bounds[i]!, end: bounds[i + 1]! });
      for (const frame of part) {
        expect(frame.time).toBeGreaterThanOrEqual(bounds[i]!);
        expect(frame.time).toBeLessThan(bounds[i + 1]!);
      }
      parts.push(...part);
    }
    expect(summary(parts)).toEqual(summary(whole));
    parts.forEach((frame, i) => expect(frame.data.equals(whole[i]!.data), `pixels of sample ${frame.index}`).toBe(true));
  });
});

describe('decodeFrames: B-frames and Matroska', () => {
  it.each(['mp4', 'mkv'])('a generated %s with B-frames splits at any boundary into the frames of one decode', async (container) => {
    const work = await mkdtemp(join(tmpdir(), 'lambdaface-decode-test-'));
    try {
      const source = join(work, `bframes.${container}`);
      // A keyframe every 13 frames, 3 B-frames: keyframes show later than they decode.
      await runFfmpeg([
        '-hide_banner',
        '-loglevel',
        'level+error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=160x120:rate=25',
        '-t',
        '4',
        '-c:v',
        'libx264',
        '-g',
        '13',
        '-bf',
        '3',
        '-pix_fmt',
        'yuv420p',
        source,
      ]);
      const video = await probeVideo(source);
      const whole = await collect(source, { sampleFps: 25, video });
      expect(whole.map((f) => f.index)).toEqual([...Array(100).keys()]);
      for (const boundary of [0.5, 0.52, 0.53, 1.05, 2.5, 3.14]) {
        const parts = [...(await collect(source, { sampleFps: 25, video, end: boundary })), ...(await collect(source, { sampleFps: 25, video, start: boundary }))];
        expect(summary(parts), `split at ${boundary}`).toEqual(summary(whole));
        parts.forEach((frame, i) => expect(frame.data.equals(whole[i]!.data), `sample ${frame.index} split at ${boundary}`).toBe(true));
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe('decodeFrames: pixels', () => {
  it('gives the frame ffmpeg decodes on its own, and different pictures at distant times', async () => {
    const frames = await collect(HAMILTON, { sampleFps: 1, start: 1, end: 6 });
    const at5 = frames.find((f) => f.index === 5)!;
    // 5.005005 s from the first frame at 29.97 fps is frame number 150.
    const reference = await frameByNumber(HAMILTON, 150);
    expect(reference.length).toBe(at5.data.length);
    const other = frames.find((f) => f.index === 1)!;
    expect(meanAbsDiff(at5.data, reference)).toBeLessThan(0.5);
    expect(meanAbsDiff(at5.data, other.data)).toBeGreaterThan(10);
    // Neighbouring frame numbers are not the same picture: the match above is the right frame.
    expect(meanAbsDiff(at5.data, await frameByNumber(HAMILTON, 160))).toBeGreaterThan(meanAbsDiff(at5.data, reference) + 1);
  });
});

describe('decodeFrames: flow control', () => {
  it('holds ffmpeg back while the consumer is busy, and stops it on break', async () => {
    const frames = decodeFrames(CROWD, { sampleFps: 25 });
    const first = await frames.next();
    expect(first.value).toMatchObject({ index: 0, width: 1920, height: 1080 });
    const before = process.memoryUsage().arrayBuffers;
    const frameBytes = 1920 * 1080 * 3;
    const [ffmpeg] = ffmpegChildren();
    expect(ffmpeg).toBeDefined();
    // Held back, ffmpeg writes the frame read and the two it may write ahead, then blocks for good.
    await eventually('ffmpeg has written 3 frames and is blocked writing', () => bytesWritten(ffmpeg!.pid) >= 3 * frameBytes && blockedWriting(ffmpeg!.pid));
    // 104 more 6 MB frames are waiting: ffmpeg is blocked on the pipe, not filling memory.
    expect(bytesWritten(ffmpeg!.pid)).toBeLessThan(5 * frameBytes);
    expect(ffmpegChildren()).toHaveLength(1);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    await frames.return(undefined);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('keeps the last frames when the consumer is slower than ffmpeg exits', async () => {
    // ffmpeg has exited before the consumer asks for the last sample (9.0 s): only it was left,
    // within what ffmpeg may write ahead.
    const times: number[] = [];
    for await (const frame of decodeFrames(HAMILTON, { start: 8.2, sampleFps: 4 })) {
      times.push(frame.time);
      if (times.length === 3) await eventually('ffmpeg has exited', () => ffmpegChildren().length === 0);
    }
    expect(times).toEqual([8.25, 8.5, 8.75, 9]);
  });

  it('leaves no ffmpeg behind when a for-await loop breaks', async () => {
    let seen = 0;
    for await (const frame of decodeFrames(HAMILTON, { sampleFps: 5 })) {
      seen = frame.index;
      if (seen === 3) break;
    }
    expect(seen).toBe(3);
    expect(ffmpegChildren()).toEqual([]);
  });
});

describe('decodeFrames: reused frame buffers', () => {
  it('gives the same pixels, and a frame is emptied once the next is asked for', async () => {
    const digest = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
    const fresh = (await collect(HAMILTON, { sampleFps: 2 })).map((frame) => digest(frame.data));
    const reused: string[] = [];
    let previous: Frame | undefined;
    for await (const frame of decodeFrames(HAMILTON, { sampleFps: 2, reuseFrameBuffers: true })) {
      // Handed back to the decoder: the old frame no longer shows pixels that may be overwritten.
      expect(previous?.data.length ?? 0).toBe(0);
      reused.push(digest(frame.data));
      previous = frame;
    }
    expect(reused).toEqual(fresh);
    expect(fresh.length).toBeGreaterThan(15);
  });
});

describe('decodeFrames: bad input', () => {
  it('rejects options that make no sense', async () => {
    await expect(collect(HAMILTON, { sampleFps: 0 })).rejects.toMatchObject({ kind: 'InputError', message: expect.stringMatching(/sampleFps/) });
    await expect(collect(HAMILTON, { sampleFps: 1, start: 5, end: 5 })).rejects.toMatchObject({ kind: 'InputError', message: expect.stringMatching(/end must be after start/) });
  });

  it('gives nothing for a range past the end', async () => {
    expect(await collect(HAMILTON, { sampleFps: 1, start: 20, end: 30 })).toEqual([]);
  });
});

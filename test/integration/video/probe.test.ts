import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../../shared/video/ffmpeg.ts';
import { probeVideo } from '../../../shared/video/probe.ts';
import { collect, CROWD, HAMILTON, TINY } from './helpers.ts';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-probe-test-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('probeVideo on the fixtures', () => {
  it('hamilton_short.mp4: 9.18 s from its first frame, which sits at PTS 0.852', async () => {
    expect(await probeVideo(HAMILTON)).toEqual({
      durationSeconds: 9.175843,
      width: 640,
      height: 360,
      fps: 29.97,
      frameCount: 275,
      startTime: 0.852019,
      // On ffmpeg's own timeline (counted from the audio's start) the first frame is at 0.844.
      fileStartTime: 0.008005,
      rotation: 0,
      codec: 'h264',
      hasAudio: true,
    });
  });

  it('crowd_walking.mp4 and tiny_5frames.mp4', async () => {
    expect(await probeVideo(CROWD)).toMatchObject({ durationSeconds: 4.2, width: 1920, height: 1080, fps: 25, frameCount: 105, startTime: 0, rotation: 0, hasAudio: true });
    const tiny = await probeVideo(TINY);
    expect(tiny).toMatchObject({ width: 820, height: 460, frameCount: 5, startTime: 0, hasAudio: false });
    expect(tiny.durationSeconds).toBeCloseTo(0.2085, 4);
    expect(tiny.fps).toBeCloseTo(23.976, 3);
  });

  it('a video with rotation metadata reports and decodes the displayed size', async () => {
    const rotated = join(work, 'rotated.mp4');
    // ffmpeg 4.1 writes this tag as a display matrix that players read as a quarter turn counter-clockwise.
    await runFfmpeg(['-hide_banner', '-loglevel', 'level+error', '-i', TINY, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', '-y', rotated]);
    expect(await probeVideo(rotated)).toMatchObject({ rotation: 270, width: 460, height: 820 });
    const [frame] = await collect(rotated, { sampleFps: 1 });
    expect(frame).toMatchObject({ width: 460, height: 820, time: 0 });
    expect(frame!.data.length).toBe(460 * 820 * 3);
  });
});

describe('probeVideo and decodeFrames on bad input', () => {
  it('a missing file is an InputError naming it', async () => {
    const missing = join(work, 'nope.mp4');
    const expected = { kind: 'InputError', input: missing, message: `video file not found: ${missing}` };
    await expect(probeVideo(missing)).rejects.toMatchObject(expected);
    await expect(collect(missing, { sampleFps: 1 })).rejects.toMatchObject(expected);
  });

  it('a text file named .mp4 is a MediaError quoting ffmpeg, from the probe and from the decoder alone', async () => {
    const notes = join(work, 'notes.mp4');
    await writeFile(notes, 'these are my meeting notes, not a video\n'.repeat(20));
    await expect(probeVideo(notes)).rejects.toMatchObject({
      kind: 'MediaError',
      input: notes,
      message: `${notes} is not a readable video (ffprobe: ${notes}: Invalid data found when processing input)`,
    });
    // With a probe given, ffmpeg itself meets the file.
    const video = await probeVideo(HAMILTON);
    const error = await collect(notes, { sampleFps: 1, video }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'MediaError',
      message: expect.stringMatching(/^.*notes\.mp4 is not a readable video \(ffmpeg: .*Invalid data found when processing input\)$/),
    });
  });

  it('a directory, an empty file and an image are refused with what to do', async () => {
    await expect(probeVideo(work)).rejects.toMatchObject({ kind: 'InputError', message: `${work} is a directory, not a video file` });
    const empty = join(work, 'empty.mp4');
    await writeFile(empty, '');
    await expect(probeVideo(empty)).rejects.toMatchObject({ kind: 'MediaError', message: expect.stringMatching(/is empty/) });
    const photo = join(work, 'photo.mp4');
    await copyFile(new URL('../../../fixtures/faces/barack_obama/fr_obama.jpg', import.meta.url).pathname, photo);
    await expect(probeVideo(photo)).rejects.toMatchObject({ kind: 'MediaError', message: `${photo} is a still image, not a video` });
  });

  it('a truncated file fails with a MediaError, not a crash', async () => {
    const { readFile } = await import('node:fs/promises');
    const cut = join(work, 'cut.mp4');
    await writeFile(cut, (await readFile(HAMILTON)).subarray(0, 4000));
    await expect(probeVideo(cut)).rejects.toMatchObject({ kind: 'MediaError' });
  });
});

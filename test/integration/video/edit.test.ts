import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutAndConcat } from '../../../shared/video/edit.ts';
import { runFfmpeg } from '../../../shared/video/ffmpeg.ts';
import { findFont } from '../../../shared/video/font.ts';
import { probeVideo } from '../../../shared/video/probe.ts';
import { extractThumbnail, thumbnailRegion } from '../../../shared/video/thumbnail.ts';
import { collect, HAMILTON, TINY } from './helpers.ts';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-edit-test-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** ffmpeg's own verdict on a file: decodes it whole and returns what it complained about. */
async function decodeErrors(path: string): Promise<string> {
  const { stderr } = await runFfmpeg(['-hide_banner', '-v', 'error', '-i', path, '-f', 'null', '-'], { source: path });
  return stderr.trim();
}

const BOX = { x: 300, y: 80, width: 90, height: 110 };

describe('cutAndConcat', () => {
  it('writes one playable H.264 MP4 as long as its segments, with audio and faststart', async () => {
    const out = join(work, 'nested', 'montage.mp4');
    const segments = [
      { start: 1, end: 3.5, label: 'Lin-Manuel Miranda', boxes: [{ time: 1.5, box: BOX, label: 'lin 0.42' }] },
      { start: 6, end: 7.3, label: "O'Brien: 50% [x], y; z" },
    ];
    const result = await cutAndConcat(HAMILTON, segments, out);
    const frame = 1 / 29.97;
    expect(result).toMatchObject({ outPath: out, segments: 2, hasAudio: true, warnings: [] });
    expect(result.labelsDrawn).toBe(findFont() !== undefined);
    // Each cut's place in the joined file: measured, so within a frame or an audio packet of the plan.
    expect(result.placed.map(({ start, end }) => [start, end])).toEqual([
      [1, 3.5],
      [6, 7.3],
    ]);
    expect(result.placed[0]!.at).toBe(0);
    expect(Math.abs(result.placed[1]!.at - 2.5)).toBeLessThanOrEqual(2 * frame);

    const written = await probeVideo(out);
    expect(written).toMatchObject({ codec: 'h264', width: 640, height: 360, hasAudio: true });
    expect(Math.abs(written.durationSeconds - 3.8)).toBeLessThanOrEqual(2 * frame);
    expect(result.durationSeconds).toBe(written.durationSeconds);
    expect(await decodeErrors(out)).toBe('');
    const bytes = await readFile(out);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    const { stdout } = await runFfmpeg(['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=pix_fmt', '-of', 'csv=p=0', out], { tool: 'ffprobe' });
    expect(stdout.toString().trim()).toBe('yuv420p');
  });

  it('draws a box where and while it was seen', async () => {
    const out = join(work, 'boxes.mp4');
    await cutAndConcat(HAMILTON, [{ start: 1, end: 3, boxes: [{ time: 1.5, box: BOX }] }], out, { drawLabels: false });
    // Box shown from 0.5 s to 1.5 s into the montage (hold 1 s), gone before and after.
    const frames = await collect(out, { sampleFps: 4 });
    const yellowAt = (i: number): boolean => {
      const f = frames.find((frame) => frame.index === i)!;
      const left = (f.width * (BOX.y + 40) + BOX.x) * 3; // on the box's left edge
      const [r, g, b] = [f.data[left]!, f.data[left + 1]!, f.data[left + 2]!];
      return r > 180 && g > 180 && b < 110;
    };
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(yellowAt)).toEqual([false, false, true, true, true, true, false, false]);
  });

  it('keeps a silent source silent and scales to maxWidth with even sides', async () => {
    const out = join(work, 'tiny.mp4');
    const result = await cutAndConcat(
      TINY,
      [
        { start: 0, end: 0.1 },
        { start: 0.1, end: 0.3 },
      ],
      out,
      { maxWidth: 301 },
    );
    expect(result.hasAudio).toBe(false);
    expect(result.warnings).toEqual([]);
    const written = await probeVideo(out);
    expect(written).toMatchObject({ width: 302, height: 170, hasAudio: false, frameCount: 5 });
  });

  it('leaves out segments past the end, and says so', async () => {
    const result = await cutAndConcat(
      TINY,
      [
        { start: 0, end: 1 },
        { start: 5, end: 6 },
      ],
      join(work, 'past.mp4'),
    );
    expect(result.segments).toBe(1);
    expect(result.warnings).toEqual([expect.stringMatching(/segment 1 \[5, 6\) is past the end of the video/)]);
  });

  it('rejects an empty or inverted segment list', async () => {
    await expect(cutAndConcat(HAMILTON, [], join(work, 'x.mp4'))).rejects.toMatchObject({ kind: 'InputError' });
    await expect(cutAndConcat(HAMILTON, [{ start: 3, end: 2 }], join(work, 'x.mp4'))).rejects.toMatchObject({ kind: 'InputError', input: 'segments.0' });
  });

  it('takes a font whose path needs escaping in a filter graph', async () => {
    const font = findFont();
    if (!font) return; // no system font on this machine: nothing to escape
    const odd = join(work, "fonts: a,b [c]; it's");
    await mkdir(odd, { recursive: true });
    await copyFile(font, join(odd, 'Sans.ttf'));
    const result = await cutAndConcat(HAMILTON, [{ start: 0, end: 0.5, label: 'Alex' }], join(work, 'font.mp4'), { fontFile: join(odd, 'Sans.ttf') });
    expect(result.labelsDrawn).toBe(true);
  });
});

describe('extractThumbnail', () => {
  it('crops the face with its margin into a JPEG', async () => {
    const out = join(work, 'thumbs', 'lin.jpg');
    const jpeg = await extractThumbnail(HAMILTON, 5, { box: BOX, outPath: out });
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect((await readFile(out)).equals(jpeg)).toBe(true);
    const region = thumbnailRegion(BOX, 640, 360);
    expect(await sharp(jpeg).metadata()).toMatchObject({ format: 'jpeg', width: region.width, height: region.height });
  });

  it('shows the same picture as the decoded sample at that time', async () => {
    const [sample] = await collect(HAMILTON, { sampleFps: 1, start: 5, end: 6 });
    const jpeg = await extractThumbnail(HAMILTON, 5);
    const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([640, 360, 3]);
    let diff = 0;
    for (let i = 0; i < data.length; i++) diff += Math.abs(data[i]! - sample!.data[i]!);
    expect(diff / data.length).toBeLessThan(4); // JPEG loss, not another frame
  });

  it('fits maxSize and takes the last frame for a time at the very end', async () => {
    const jpeg = await extractThumbnail(HAMILTON, 9.17, { maxSize: 160 });
    expect(await sharp(jpeg).metadata()).toMatchObject({ width: 160, height: 90 });
  });

  it('refuses a box outside the frame', async () => {
    await expect(extractThumbnail(HAMILTON, 1, { box: { x: 700, y: 10, width: 20, height: 20 } })).rejects.toMatchObject({ kind: 'InputError' });
  });
});

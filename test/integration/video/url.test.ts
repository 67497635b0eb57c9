import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeVideo } from '../../../shared/video/probe.ts';
import { collect, HAMILTON, serveFile, type FileServer } from './helpers.ts';

let server: FileServer;
beforeAll(async () => {
  server = await serveFile(HAMILTON);
});
afterAll(async () => {
  await server.close();
});

describe('video from an http URL', () => {
  it('probes the same as the local file', async () => {
    expect(await probeVideo(server.url())).toEqual(await probeVideo(HAMILTON));
  });

  it('decodes a late range by byte ranges, without fetching the whole file', async () => {
    const video = await probeVideo(HAMILTON);
    const size = statSync(HAMILTON).size;
    server.requests.length = 0;
    const remote = await collect(server.url(), { sampleFps: 2, start: 8, end: 9, video });
    const local = await collect(HAMILTON, { sampleFps: 2, start: 8, end: 9, video });
    expect(remote.map((f) => f.index)).toEqual([16, 17]);
    expect(remote.map((f) => f.frameTime)).toEqual(local.map((f) => f.frameTime));
    remote.forEach((frame, i) => expect(frame.data.equals(local[i]!.data)).toBe(true));

    const served = server.requests.reduce((sum, r) => sum + r.bytes, 0);
    // ffmpeg reads the header (moov at the start of this file), then jumps to the keyframe at 7.04 s.
    expect(server.requests.some((r) => r.status === 206 && Number(/bytes=(\d+)-/.exec(r.range ?? '')?.[1]) > size * 0.4)).toBe(true);
    expect(served).toBeLessThan(size * 0.5);
  });

  it('decodes a URL it has to probe itself', async () => {
    const frames = await collect(server.url(), { sampleFps: 1, end: 2 });
    expect(frames.map((f) => f.time)).toEqual([0, 1]);
  });

  it('a 404 is an InputError that names the URL and the status', async () => {
    const missing = server.url('/missing.mp4');
    await expect(probeVideo(missing)).rejects.toMatchObject({
      kind: 'InputError',
      message: `the video URL ${missing} answered HTTP 404 Not Found`,
      hint: expect.stringMatching(/key/),
    });
    const video = await probeVideo(HAMILTON);
    await expect(collect(missing, { sampleFps: 1, video })).rejects.toMatchObject({ kind: 'InputError', message: expect.stringMatching(/HTTP 404/) });
  });

  it('a presigned URL keeps its credentials out of the message', async () => {
    const signed = `${server.url('/missing.mp4')}?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=deadbeef`;
    const error = (await probeVideo(signed).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/HTTP 404/);
    expect(error.message).not.toMatch(/AKIAEXAMPLE|deadbeef/);
  });

  it('an unreachable host is an InputError, not a hang', async () => {
    const closed = `http://127.0.0.1:9/video.mp4`;
    await expect(probeVideo(closed)).rejects.toMatchObject({
      kind: 'InputError',
      message: expect.stringMatching(/^cannot reach the video URL http:\/\/127\.0\.0\.1:9\/video\.mp4/),
    });
  });
});

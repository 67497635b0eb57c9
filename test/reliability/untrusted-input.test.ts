import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../shared/video/ffmpeg.ts';
import { probeVideo } from '../../shared/video/probe.ts';
import { protocolOptions } from '../../shared/video/source.ts';
import { extractThumbnail } from '../../shared/video/thumbnail.ts';

/**
 * An upload is untrusted and ffmpeg runs with the role's credentials in its environment: a video
 * that is really a playlist or a concat list must not make ffmpeg open other protocols or files.
 */
const VIDEO = 'fixtures/videos/hamilton_short.mp4';

let work: string;
let server: Server;
let base: string;
const served = new Map<string, Buffer>();
/** Every path the server was asked for: a followed playlist would ask for its segment. */
const requested: string[] = [];

const playlist = (segment: string): Buffer => Buffer.from(`#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:3,\n${segment}\n#EXT-X-ENDLIST\n`);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-untrusted-'));
  const segment = join(work, 'seg.ts');
  await runFfmpeg(['-v', 'error', '-i', VIDEO, '-t', '2', '-c', 'copy', '-f', 'mpegts', segment]);
  served.set('/seg.ts', await readFile(segment));
  served.set('/video.mp4', await readFile(VIDEO));
  server = createServer((request, response) => {
    requested.push(request.url ?? '');
    const body = served.get(request.url ?? '');
    if (!body) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Served like an upload in the embedded S3: playlists whose entries leave the source's protocol.
  served.set('/to-https.m3u8', playlist(`https://127.0.0.1:${(server.address() as AddressInfo).port}/seg.ts`));
  served.set('/to-file.m3u8', playlist(`file://${segment}`));
  served.set('/to-http.m3u8', playlist(`${base}/seg.ts`));
  await writeFile(join(work, 'to-local-file.m3u8'), playlist(segment));
  await writeFile(join(work, 'local.m3u8'), playlist(`${base}/seg.ts`));
  await writeFile(join(work, 'list.ffconcat'), `ffconcat version 1.0\nfile '${base}/seg.ts'\n`);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(work, { recursive: true, force: true });
});

const notAVideo = (what: string) => ({
  kind: 'InputError',
  message: expect.stringMatching(new RegExp(`is not a video file but ${what}, which lambdaface does not read$`)),
});

describe('untrusted video sources', () => {
  it("whitelists only the source's own protocol, and video containers", () => {
    const containers = ['-format_whitelist', 'mov,matroska,avi,mpegts,mpeg,flv,asf,ogg,mxf,h264,hevc'];
    expect(protocolOptions('clip.mp4')).toEqual(['-protocol_whitelist', 'file', ...containers]);
    expect(protocolOptions('https://bucket.s3.amazonaws.com/v.mp4?X-Amz-Signature=x').slice(0, 4)).toEqual(['-protocol_whitelist', 'https,tls,tcp', ...containers]);
    expect(protocolOptions('http://127.0.0.1:4569/b/v.mp4').slice(0, 4)).toEqual(['-protocol_whitelist', 'http,tcp', ...containers]);
  });

  it('still reads a plain video over http and from a file', async () => {
    expect((await probeVideo(`${base}/video.mp4`)).width).toBe(640);
    expect((await probeVideo(VIDEO)).width).toBe(640);
  });

  it('refuses a playlist over http, whether it switches protocol or keeps to http (any address: ffprobe and ffmpeg alike)', async () => {
    await expect(probeVideo(`${base}/to-https.m3u8`)).rejects.toMatchObject(notAVideo('an HLS playlist'));
    await expect(extractThumbnail(`${base}/to-https.m3u8`, 0.5)).rejects.toMatchObject(notAVideo('an HLS playlist'));
    await expect(probeVideo(`${base}/to-file.m3u8`)).rejects.toMatchObject(notAVideo('an HLS playlist'));
    await expect(probeVideo(`${base}/to-http.m3u8`)).rejects.toMatchObject(notAVideo('an HLS playlist'));
    await expect(extractThumbnail(`${base}/to-http.m3u8`, 0.5)).rejects.toMatchObject(notAVideo('an HLS playlist'));
    expect(requested.filter((url) => url === '/seg.ts')).toEqual([]);
  });

  it('refuses a local playlist or concat list, whether it points at a server or at other local files', async () => {
    await expect(probeVideo(join(work, 'local.m3u8'))).rejects.toMatchObject(notAVideo('an HLS playlist'));
    await expect(extractThumbnail(join(work, 'local.m3u8'), 0.5)).rejects.toMatchObject(notAVideo('an HLS playlist'));
    await expect(probeVideo(join(work, 'list.ffconcat'))).rejects.toMatchObject(notAVideo('a "concat" input'));
    await expect(probeVideo(join(work, 'to-local-file.m3u8'))).rejects.toMatchObject(notAVideo('an HLS playlist'));
    expect(requested.filter((url) => url === '/seg.ts')).toEqual([]);
  });

  it('refuses other URL schemes before running ffmpeg', async () => {
    await expect(probeVideo('ftp://example.com/talk.mp4')).rejects.toMatchObject({ kind: 'InputError', message: 'unsupported video URL ftp://example.com/talk.mp4' });
  });
});

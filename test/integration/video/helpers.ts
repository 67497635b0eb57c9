import { createReadStream, statSync } from 'node:fs';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeFrames, type DecodeOptions } from '../../../shared/video/decode.ts';
import type { Frame } from '../../../shared/video/types.ts';

export const VIDEOS = new URL('../../../fixtures/videos/', import.meta.url).pathname;
export const HAMILTON = `${VIDEOS}hamilton_short.mp4`;
export const CROWD = `${VIDEOS}crowd_walking.mp4`;
export const TINY = `${VIDEOS}tiny_5frames.mp4`;

export async function collect(source: string, options: DecodeOptions): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of decodeFrames(source, options)) frames.push(frame);
  return frames;
}

export interface ServedRequest {
  path: string;
  range: string | undefined;
  status: number;
  /** Body bytes handed to the socket before the client went away. */
  bytes: number;
}

export interface FileServer {
  url: (path?: string) => string;
  requests: ServedRequest[];
  close: () => Promise<void>;
}

/**
 * Serves one file at /video.mp4 with byte ranges, like S3. The body is paced (16 KiB per 16 ms) so
 * that bytes counted as sent are close to bytes the client read: without pacing, loopback socket
 * buffers would swallow the whole file before ffmpeg closes a connection it no longer needs. At
 * 4 ms, a machine under heavy load once let ffmpeg take long enough to close one that half of the
 * 614 KB sample had been sent.
 */
export async function serveFile(file: string): Promise<FileServer> {
  const size = statSync(file).size;
  const requests: ServedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const range = req.headers.range;
    const record: ServedRequest = { path, range, status: 200, bytes: 0 };
    requests.push(record);
    if (path !== '/video.mp4') {
      record.status = 404;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such key');
      return;
    }
    let start = 0;
    let end = size - 1;
    const match = /^bytes=(\d*)-(\d*)$/.exec(range ?? '');
    if (match) {
      start = match[1] ? Number(match[1]) : size - Number(match[2]);
      end = match[1] && match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
      if (start >= size) {
        record.status = 416;
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      record.status = 206;
      res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${size}`, 'accept-ranges': 'bytes', 'content-length': end - start + 1, 'content-type': 'video/mp4' });
    } else {
      res.writeHead(200, { 'accept-ranges': 'bytes', 'content-length': size, 'content-type': 'video/mp4' });
    }
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const body = createReadStream(file, { start, end, highWaterMark: 16 * 1024 });
    let closed = false;
    res.on('close', () => {
      closed = true;
      body.destroy();
    });
    void (async () => {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (closed) return;
        record.bytes += chunk.length;
        if (!res.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              res.off('drain', done).off('close', done);
              resolve();
            };
            res.on('drain', done).on('close', done);
          });
        }
        await sleep(16);
      }
      if (!closed) res.end();
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/video.mp4') => `http://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ChildProcessInfo {
  pid: number;
  command: string;
  /** R running, S sleeping, Z zombie, ... */
  state: string;
}

/** This process's children, from /proc (Linux): to see that no ffmpeg is left running or unreaped. */
export function childProcesses(): ChildProcessInfo[] {
  const children: ChildProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid ...: comm may contain spaces, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (Number(ppid) === process.pid) children.push({ pid: Number(entry), command: stat.slice(stat.indexOf('(') + 1, close), state: state ?? '?' });
  }
  return children;
}

export const ffmpegChildren = (): ChildProcessInfo[] => childProcesses().filter((child) => child.command.startsWith('ffmpeg'));

/**
 * Whether a thread of process `pid` is blocked writing to a full pipe or socket (Node gives a
 * child's stdio as a socket pair), as Linux reports in /proc/<pid>/task/<tid>/wchan: the positive
 * sign that a consumer is holding the process back, which a test can wait for instead of sleeping.
 */
export function blockedWriting(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some((tid) => /pipe_write|sock_alloc_send/.test(readFileSync(`/proc/${pid}/task/${tid}/wchan`, 'utf8')));
  } catch {
    return false; // exited meanwhile
  }
}

/** Waits (bounded polling) until `condition` holds; fails with `what` if it does not within the timeout. */
export async function eventually(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Bytes process `pid` has written so far, to any file, pipe or socket (Linux: wchar in /proc/<pid>/io). */
export function bytesWritten(pid: number): number {
  const match = /^wchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  if (!match) throw new Error(`no wchar in /proc/${pid}/io`);
  return Number(match[1]);
}

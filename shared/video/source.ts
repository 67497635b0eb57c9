import { stat } from 'node:fs/promises';
import { inputError, mediaError } from '../errors.ts';

/** A video source is a local path or an http(s) URL (typically a presigned S3 URL). */
export const isUrl = (source: string): boolean => /^https?:\/\//i.test(source);

/**
 * The source as it may appear in a message or a log: a presigned URL's query string carries
 * credentials (signature, session token), so it is cut off.
 */
export function displaySource(source: string): string {
  if (!isUrl(source)) return source;
  const query = source.indexOf('?');
  return query < 0 ? source : `${source.slice(0, query)}?…`;
}

/**
 * Fails early, with a message about the input, for what ffmpeg would otherwise report in its own
 * words: a missing or empty file, a directory, a URL scheme it will not be given.
 */
export async function checkSource(source: string): Promise<void> {
  if (source.trim() === '') throw inputError('no video given', { input: 'video', hint: 'give a video file path or an http(s) URL' });
  if (isUrl(source)) return;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    throw inputError(`unsupported video URL ${displaySource(source)}`, {
      input: source,
      hint: 'give a local path or an http(s) URL; for an S3 object, pass a presigned https URL',
    });
  }
  const info = await stat(source).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw inputError(`video file not found: ${source}`, { input: source, hint: 'check the path (relative paths are from the current directory)' });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw inputError(`cannot read video file ${source}: permission denied`, { input: source, hint: 'make the file readable' });
    }
    throw inputError(`cannot read video file ${source}: ${(error as Error).message}`, { input: source });
  });
  if (info.isDirectory()) throw inputError(`${source} is a directory, not a video file`, { input: source, hint: 'give the path of a video file' });
  if (info.size === 0) throw mediaError(`video file ${source} is empty`, { input: source, hint: 'the file may not have finished copying or uploading' });
}

/**
 * The protocols ffmpeg may open for a source, itself and anything it refers to. An upload is
 * untrusted and the process holds the role's credentials: a playlist (HLS), a concat list or a
 * tee/subfile reference must not make ffmpeg read local files (e.g. /proc/self/environ) or open
 * other protocols. A local file may open only files; an https URL (presigned S3 on Lambda) only
 * https over TLS/TCP; a plain http URL (the embedded S3) only http over TCP.
 */
export function protocolWhitelist(source: string): string {
  if (!isUrl(source)) return 'file';
  return /^https:/i.test(source) ? 'https,tls,tcp' : 'http,tcp';
}

/**
 * The demuxers ffmpeg may read a source with: video containers that open nothing but the source
 * itself. Playlists (HLS, DASH), concat lists and the like stay out even when every reference
 * keeps to the source's protocol: over http they make ffmpeg request any address (another host,
 * an internal service), and from a file, any file the process can read (another job's upload).
 * Each name matches a demuxer whose name lists it (`mov` is "mov,mp4,m4a,3gp,3g2,mj2").
 */
export const VIDEO_DEMUXERS = ['mov', 'matroska', 'avi', 'mpegts', 'mpeg', 'flv', 'asf', 'ogg', 'mxf', 'h264', 'hevc'];

/**
 * Input options that go before `-i`: the protocol and demuxer whitelists, and for http, retry a
 * dropped connection (a Lambda reading a large object for minutes) and never wait forever on a
 * stalled one.
 */
export function protocolOptions(source: string): string[] {
  const whitelist = ['-protocol_whitelist', protocolWhitelist(source), '-format_whitelist', VIDEO_DEMUXERS.join(',')];
  if (!isUrl(source)) return whitelist;
  return [...whitelist, '-reconnect', '1', '-reconnect_streamed', '1', '-reconnect_delay_max', '4', '-rw_timeout', '30000000'];
}

import { inputError, mediaError, type LambdafaceError } from '../errors.ts';
import { displaySource, isUrl } from './source.ts';

/** Lines ffmpeg prints about progress or stream layout: never the reason something failed. */
const NOISE = [
  /Parsed_showinfo/,
  /^\s*(frame|size)=/,
  /^Press \[q\]/,
  /^\s*(Input|Output) #\d/,
  /^\s*Stream (#|mapping)/,
  /^\s*(Metadata|Duration|Side data):/,
  /Conversion failed!/,
  /^\s*$/,
];

/** The `[error]`/`[fatal]` level tags and `[demuxer @ 0x...]` context that `-loglevel level+...` adds. */
const stripPrefixes = (line: string): string => line.replace(/^(\s*\[[^\]]*\]\s*)+/, '').trim();

const levelOf = (line: string): string | undefined => /\[(trace|debug|verbose|info|warning|error|fatal|panic)\]/.exec(line)?.[1];

/**
 * The line of ffmpeg's log that says what went wrong: the last error-level line when the log has
 * level tags (then warnings), else the last line that is not progress or stream description.
 */
export function lastMeaningfulLine(stderr: string, source?: string): string | undefined {
  const lines = stderr.split(/\r?\n/).filter((line) => !NOISE.some((noise) => noise.test(line)));
  const at = (levels: string[]): string | undefined => lines.filter((line) => levels.includes(levelOf(line) ?? 'untagged')).at(-1);
  const line = at(['error', 'fatal', 'panic']) ?? at(['warning']) ?? at(['untagged']);
  if (line === undefined) return undefined;
  const text = stripPrefixes(line);
  // ffmpeg repeats the input name in its messages; a presigned URL there would leak credentials.
  return source && isUrl(source) ? text.split(source).join(displaySource(source)) : text;
}

export interface FailureContext {
  tool: string;
  source: string;
  stderr: string;
  /** What was being done, for the message: "read", "decode", "cut". */
  action: string;
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
}

const HTTP_HINTS: Record<string, string> = {
  '403': 'a presigned URL may have expired or be signed for another key: sign a new one',
  '404': 'check the bucket and key (or the URL path)',
};

/**
 * Turns a failed ffmpeg/ffprobe run into an error about the input: what is wrong with it and what
 * to do, with the last meaningful ffmpeg line instead of its whole log.
 */
export function ffmpegFailure(context: FailureContext): LambdafaceError {
  const { tool, source, stderr, action } = context;
  const shown = displaySource(source);
  const last = lastMeaningfulLine(stderr, source);
  const said = last ? ` (${tool}: ${last})` : '';

  // The protocol whitelist (source.ts) or the concat demuxer's safe mode refused a reference.
  const refused = /Protocol '([^']*)' not on whitelist|Unsafe file name '([^']*)'/.exec(stderr);
  if (refused) {
    const opens = refused[1] !== undefined ? `opens ${refused[1]}` : `names ${refused[2]}`;
    return inputError(`${shown} refers to something that is not this video (a playlist, concat list or link that ${opens}), which lambdaface does not follow`, {
      input: shown,
      hint: 'give the video file itself (MP4, MOV, MKV, WebM, ...), not an HLS playlist, a concat list or a link to other files or servers',
    });
  }
  // The demuxer whitelist (source.ts) refused what ffmpeg found the source to be.
  const format = /\[([^\]@]+?) @ [^\]]*\][^\n]*Format not on whitelist/.exec(stderr);
  if (format) {
    const found = format[1]!.split(',')[0]!;
    if (/^image2|_pipe$/.test(found)) return mediaError(`${shown} is a still image, not a video`, { input: shown, hint: 'give a video file (MP4, MOV, MKV, WebM, ...)' });
    return inputError(`${shown} is not a video file but ${found === 'hls' ? 'an HLS playlist' : `a "${found}" input`}, which lambdaface does not read`, {
      input: shown,
      hint: 'give the video file itself (MP4, MOV, MKV, WebM, AVI, MPEG-TS, ...); a playlist or list of other files or servers is not followed',
    });
  }
  const http = /Server returned (\d{3})(?: ([^\r\n]*))?|HTTP error (\d{3})(?: ([^\r\n]*))?/.exec(stderr);
  if (http && isUrl(source)) {
    const status = http[1] ?? http[3] ?? '';
    const reason = (http[2] ?? http[4] ?? '').trim();
    return inputError(`the video URL ${shown} answered HTTP ${status}${reason ? ` ${reason}` : ''}`, {
      input: shown,
      hint: HTTP_HINTS[status] ?? 'check that the URL serves the video file',
    });
  }
  if (
    isUrl(source) &&
    /Connection refused|Failed to resolve hostname|Name or service not known|Connection timed out|Network is unreachable|No route to host|Operation timed out|Connection reset/i.test(
      stderr,
    )
  ) {
    return inputError(`cannot reach the video URL ${shown}${said}`, {
      input: shown,
      hint: 'check the host name and port, and that this machine (or the Lambda) can reach it',
    });
  }
  if (!isUrl(source) && /No such file or directory/.test(stderr)) {
    return inputError(`video file not found: ${source}`, { input: source, hint: 'check the path' });
  }
  if (/Permission denied/.test(stderr)) {
    return inputError(`cannot read ${shown}: permission denied`, { input: shown, hint: 'make the file readable' });
  }
  if (
    /Invalid data found when processing input|moov atom not found|could not find codec parameters|Unknown format|EBML header parsing failed|does not contain any stream/i.test(
      stderr,
    )
  ) {
    return mediaError(`${shown} is not a readable video${said}`, {
      input: shown,
      hint: 'give a video file (MP4, MOV, MKV, WebM, ...); the file may be truncated or of another type',
    });
  }
  const how = context.signal ? `was stopped by ${context.signal}` : `failed${context.exitCode != null ? ` (exit code ${context.exitCode})` : ''}`;
  return mediaError(`${tool} ${how} trying to ${action} ${shown}${said}`, {
    input: shown,
    hint: 'check that the file is a complete, playable video',
  });
}

import { describe, expect, it } from 'vitest';
import type { LambdafaceError } from '../../../shared/errors.ts';
import { ffmpegFailure, lastMeaningfulLine } from '../../../shared/video/ffmpeg-errors.ts';
import { displaySource } from '../../../shared/video/source.ts';

const SIGNED = 'https://bucket.s3.amazonaws.com/videos/talk.mp4?X-Amz-Credential=AKIA123&X-Amz-Signature=abcdef';

describe('lastMeaningfulLine', () => {
  it('picks the last error-level line and drops the context prefixes', () => {
    const log = [
      "[info] Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'a.mp4':",
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1079dbc0] [error] moov atom not found',
      '[error] a.mp4: Invalid data found when processing input',
      '[info] Conversion failed!',
    ].join('\n');
    expect(lastMeaningfulLine(log)).toBe('a.mp4: Invalid data found when processing input');
  });

  it('skips showinfo and progress lines in an untagged log', () => {
    const log = 'a.mp4: something broke\n[Parsed_showinfo_5 @ 0x1] n: 3 pts: 100\nframe=  10 fps=0.0 q=-0.0 size=N/A\n';
    expect(lastMeaningfulLine(log)).toBe('a.mp4: something broke');
  });

  it('cuts the credentials of a presigned URL out of the line', () => {
    const line = lastMeaningfulLine(`[error] ${SIGNED}: Server returned 403 Forbidden (access denied)`, SIGNED);
    expect(line).not.toContain('Signature');
    expect(line).toContain('https://bucket.s3.amazonaws.com/videos/talk.mp4?…');
  });
});

describe('ffmpegFailure', () => {
  const failure = (source: string, stderr: string): LambdafaceError => ffmpegFailure({ tool: 'ffprobe', source, stderr, action: 'read', exitCode: 1 });

  it('reports an HTTP status as an InputError about the URL, with what to do', () => {
    const error = failure(SIGNED, `[http @ 0x1] [error] HTTP error 403 Forbidden\n[error] ${SIGNED}: Server returned 403 Forbidden (access denied)`);
    expect(error.kind).toBe('InputError');
    expect(error.message).toContain('HTTP 403 Forbidden');
    expect(error.message).not.toContain('Signature');
    expect(error.hint).toMatch(/expired/);
    expect(failure('http://x/a.mp4', '[error] http://x/a.mp4: Server returned 404 Not Found').message).toContain('HTTP 404 Not Found');
  });

  it('tells an unreachable host from a bad file', () => {
    const refused = failure('http://127.0.0.1:9/a.mp4', '[error] http://127.0.0.1:9/a.mp4: Connection refused');
    expect(refused.kind).toBe('InputError');
    expect(refused.message).toMatch(/cannot reach the video URL http:\/\/127\.0\.0\.1:9\/a\.mp4/);
    const bad = failure('notes.mp4', '[error] notes.mp4: Invalid data found when processing input');
    expect(bad.kind).toBe('MediaError');
    expect(bad.message).toBe('notes.mp4 is not a readable video (ffprobe: notes.mp4: Invalid data found when processing input)');
  });

  it('names what the demuxer whitelist refused: a still image, a playlist, another input', () => {
    const refusedAs = (demuxer: string) => failure('up.mp4', `[${demuxer} @ 0x1c3e] [error] Format not on whitelist 'mov,matroska'\n[error] up.mp4: Invalid argument`);
    expect(refusedAs('image2')).toMatchObject({ kind: 'MediaError', message: 'up.mp4 is a still image, not a video' });
    expect(refusedAs('png_pipe')).toMatchObject({ kind: 'MediaError', message: 'up.mp4 is a still image, not a video' });
    expect(refusedAs('hls,applehttp')).toMatchObject({ kind: 'InputError', message: 'up.mp4 is not a video file but an HLS playlist, which lambdaface does not read' });
    expect(refusedAs('dash')).toMatchObject({ kind: 'InputError', message: 'up.mp4 is not a video file but a "dash" input, which lambdaface does not read' });
  });

  it('falls back to a MediaError naming the tool, the action and the last line', () => {
    const error = ffmpegFailure({ tool: 'ffmpeg', source: 'a.mp4', stderr: '[error] Error while decoding stream #0:0: corrupt', action: 'decode', exitCode: 69 });
    expect(error.kind).toBe('MediaError');
    expect(error.message).toBe('ffmpeg failed (exit code 69) trying to decode a.mp4 (ffmpeg: Error while decoding stream #0:0: corrupt)');
  });
});

describe('displaySource', () => {
  it('keeps paths and plain URLs, and hides query strings', () => {
    expect(displaySource('fixtures/a.mp4')).toBe('fixtures/a.mp4');
    expect(displaySource('http://host/a.mp4')).toBe('http://host/a.mp4');
    expect(displaySource(SIGNED)).toBe('https://bucket.s3.amazonaws.com/videos/talk.mp4?…');
  });
});

describe('lastMeaningfulLine without errors', () => {
  it('never quotes an info line, and says nothing rather than something unrelated', () => {
    expect(lastMeaningfulLine('[info]     handler_name    : VideoHandler\n[info] Press [q] to stop\n')).toBeUndefined();
    expect(lastMeaningfulLine('[info] x\n[warning] deprecated pixel format used\n')).toBe('deprecated pixel format used');
  });
});

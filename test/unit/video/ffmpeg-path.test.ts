import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ffmpegPath, ffprobePath, runFfmpeg } from '../../../shared/video/ffmpeg.ts';

const saved = { ...process.env };
afterEach(() => {
  for (const key of ['LAMBDAFACE_FFMPEG', 'LAMBDAFACE_FFPROBE', 'AWS_LAMBDA_FUNCTION_NAME']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

describe('ffmpeg binaries', () => {
  it('uses the static builds of the npm packages by default', () => {
    delete process.env.LAMBDAFACE_FFMPEG;
    delete process.env.LAMBDAFACE_FFPROBE;
    expect(ffmpegPath()).toMatch(/@ffmpeg-installer\/linux-x64\/ffmpeg$/);
    expect(ffprobePath()).toMatch(/@ffprobe-installer\/linux-x64\/ffprobe$/);
    expect(existsSync(ffmpegPath())).toBe(true);
  });

  it('prefers LAMBDAFACE_FFMPEG / LAMBDAFACE_FFPROBE', () => {
    process.env.LAMBDAFACE_FFMPEG = process.execPath;
    process.env.LAMBDAFACE_FFPROBE = process.execPath;
    expect(ffmpegPath()).toBe(process.execPath);
    expect(ffprobePath()).toBe(process.execPath);
  });

  it('names the variable when it points nowhere', () => {
    process.env.LAMBDAFACE_FFMPEG = '/nonexistent/ffmpeg';
    expect(() => ffmpegPath()).toThrowError(/LAMBDAFACE_FFMPEG is set to \/nonexistent\/ffmpeg, which does not exist/);
  });

  it.each([0o644, 0o755])('says it cannot run a file that is no ffmpeg (mode %o)', async (mode) => {
    const fake = join(mkdtempSync(join(tmpdir(), 'lambdaface-ffmpeg-')), 'ffmpeg');
    writeFileSync(fake, 'this is not a program\n');
    chmodSync(fake, mode);
    process.env.LAMBDAFACE_FFMPEG = fake;
    await expect(runFfmpeg(['-version'])).rejects.toMatchObject({
      kind: 'MediaError',
      input: 'LAMBDAFACE_FFMPEG',
      message: expect.stringContaining(`LAMBDAFACE_FFMPEG is set to ${fake}, which cannot be run as ffmpeg`),
    });
  });

  it('ignores the layer path off Lambda', () => {
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    expect(ffmpegPath()).not.toBe('/opt/bin/ffmpeg');
  });

  it('turns a failing run into a MediaError with the last line, not the whole log', async () => {
    const error = await runFfmpeg(['-hide_banner', '-loglevel', 'level+error', '-f', 'lavfi', '-i', 'nosuchsource', '-f', 'null', '-'], { source: 'lavfi', action: 'read' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ kind: 'MediaError' });
    const message = (error as Error).message;
    expect(message).toMatch(/^ffmpeg failed \(exit code 1\) trying to read lavfi \(ffmpeg: /);
    expect(message.split('\n')).toHaveLength(1);
  });
});

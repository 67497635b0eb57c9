/**
 * A long test video made of the real clips: each clip re-encoded once to one common size, frame
 * rate and codec setup (so the concat demuxer can join them without re-encoding), then repeated in
 * order until the video is at least `minutes` long. Cached by the clips' identity and the settings.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ffmpegPath, runFfmpeg } from '../shared/video/ffmpeg.ts';
import { probeVideo } from '../shared/video/probe.ts';
import type { VideoInfo } from '../shared/video/types.ts';

export interface LongVideoOptions {
  clips: readonly string[];
  minutes: number;
  width?: number;
  height?: number;
  fps?: number;
  cacheDir: string;
  onLog?: (message: string) => void;
}

export interface LongVideo {
  path: string;
  video: VideoInfo;
  /** The clips in the order they were joined (repeats included): how many of each. */
  pieces: number;
  clipSeconds: Record<string, number>;
  cached: boolean;
  buildMs: number;
}

/** Bump when the recipe below changes, so old cached files are not reused. */
const RECIPE = 2;

export async function buildLongVideo(options: LongVideoOptions): Promise<LongVideo> {
  const { clips, minutes, width = 1280, height = 720, fps = 25, cacheDir } = options;
  if (clips.length === 0) throw new Error('no clips to build the long video from');
  const identity = clips.map((clip) => {
    const info = statSync(clip);
    return [resolve(clip), info.size, Math.round(info.mtimeMs)];
  });
  const key = createHash('sha256')
    .update(JSON.stringify({ RECIPE, identity, minutes, width, height, fps, ffmpeg: ffmpegPath() }))
    .digest('hex')
    .slice(0, 16);
  const out = resolve(cacheDir, `long-${minutes}min-${width}x${height}-${key}.mp4`);
  await mkdir(cacheDir, { recursive: true });
  const started = performance.now();
  const cached = existsSync(out);
  const clipSeconds: Record<string, number> = {};
  let pieces = 0;
  if (!cached) {
    const work = await mkdtemp(join(resolve(cacheDir), 'long-build-'));
    try {
      const normalized: { path: string; seconds: number }[] = [];
      for (const [i, clip] of clips.entries()) {
        const path = join(work, `clip-${i}.mp4`);
        // The video stream's own length: a longer audio track would otherwise stretch it.
        const length = (await probeVideo(clip)).durationSeconds;
        // Time from the clip's first frame (hamilton_short starts at PTS 0.844), constant rate,
        // letterboxed to the common size; no audio (the clips don't all have it).
        const filters = [
          'setpts=PTS-STARTPTS',
          `fps=${fps}`,
          `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
          `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`,
          'setsar=1',
          'format=yuv420p',
        ].join(',');
        await runFfmpeg(
          [
            '-hide_banner',
            '-loglevel',
            'error',
            '-y',
            '-i',
            clip,
            '-map',
            '0:v:0',
            '-an',
            '-vf',
            filters,
            '-c:v',
            'libx264',
            '-preset',
            'veryfast',
            '-crf',
            '23',
            '-t',
            length.toFixed(6),
            path,
          ],
          { source: clip, action: 'normalize' },
        );
        const seconds = (await probeVideo(path)).durationSeconds;
        if (seconds <= 0) continue;
        normalized.push({ path, seconds });
        clipSeconds[basename(clip)] = seconds;
        options.onLog?.(`normalized ${basename(clip)} (${seconds.toFixed(2)} s)`);
      }
      if (normalized.length === 0) throw new Error('none of the clips has any video');
      const list: string[] = [];
      let total = 0;
      while (total < minutes * 60) {
        for (const piece of normalized) {
          list.push(`file '${piece.path.replace(/'/g, "'\\''")}'`);
          total += piece.seconds;
          pieces++;
          if (total >= minutes * 60) break;
        }
      }
      const listFile = join(work, 'list.txt');
      await writeFile(listFile, `${list.join('\n')}\n`);
      const partial = join(work, 'long.mp4');
      await runFfmpeg(['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', listFile, '-c', 'copy', '-movflags', '+faststart', partial], {
        source: listFile,
        action: 'concatenate',
      });
      await rename(partial, out);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  const video = await probeVideo(out);
  return { path: out, video, pieces, clipSeconds, cached, buildMs: Math.round(performance.now() - started) };
}

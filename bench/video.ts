/**
 * How fast decodeFrames delivers sampled frames, against ffmpeg decoding the same file alone.
 * Run: npx tsx bench/video.ts [runs]   (prints a table; figures are medians of the runs)
 */
import { decodeFrames } from '../shared/video/decode.ts';
import { runFfmpeg } from '../shared/video/ffmpeg.ts';
import { probeVideo } from '../shared/video/probe.ts';

const runs = Number(process.argv[2] ?? 5);
const videos = ['fixtures/videos/hamilton_short.mp4', 'fixtures/videos/crowd_walking.mp4'];

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(task: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await task();
  return performance.now() - start;
}

async function countFrames(source: string, options: Parameters<typeof decodeFrames>[1]): Promise<number> {
  let frames = 0;
  for await (const frame of decodeFrames(source, options)) frames += frame.data.length > 0 ? 1 : 0;
  return frames;
}

const rows: Record<string, string | number>[] = [];
for (const source of videos) {
  const video = await probeVideo(source);
  const probeMs = median(await Promise.all([...Array(runs)].map(() => timed(() => probeVideo(source)))));
  // Every frame decoded and thrown away: the floor any sampling decode sits on.
  const ffmpegAlone: number[] = [];
  for (let i = 0; i < runs; i++) {
    ffmpegAlone.push(await timed(() => runFfmpeg(['-hide_banner', '-loglevel', 'error', '-i', source, '-map', '0:v:0', '-f', 'null', '-'], { source })));
  }
  for (const [sampleFps, maxWidth] of [
    [2, undefined],
    [2, 640],
    [5, undefined],
  ] as const) {
    let frames = 0;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await timed(async () => (frames = await countFrames(source, { sampleFps, video, ...(maxWidth ? { maxWidth } : {}) }))));
    const ms = median(times);
    rows.push({
      video: source.split('/').at(-1)!,
      size: `${video.width}x${video.height}`,
      sampleFps,
      maxWidth: maxWidth ?? '-',
      frames,
      'decodeFrames ms': Math.round(ms),
      'sampled frames/s': Math.round((frames / ms) * 1000),
      'video s per s': Number((video.durationSeconds / (ms / 1000)).toFixed(1)),
      'ffmpeg -f null ms': Math.round(median(ffmpegAlone)),
      'probe ms': Math.round(probeMs),
    });
  }
}
console.table(rows);

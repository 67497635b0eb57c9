/**
 * How fast decodeFrames delivers sampled frames, against ffmpeg decoding the same file alone.
 * Run: npx tsx bench/video.ts [runs]; also saved to bench/results/video.json. Wall times are medians; CPU times (ffmpeg's, read from
 * /proc as reaped-children time, and this process's) barely move when other work shares the cores.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { decodeFrames, type DecodeOptions } from '../shared/video/decode.ts';
import { runFfmpeg } from '../shared/video/ffmpeg.ts';
import { probeVideo } from '../shared/video/probe.ts';

const runs = Number(process.argv[2] ?? 5);
const videos = ['fixtures/videos/hamilton_short.mp4', 'fixtures/videos/crowd_walking.mp4'];
const TICK_MS = 10; // USER_HZ is 100 on Linux

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** CPU ms used by children this process has reaped (fields 16 and 17 of /proc/self/stat). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

interface Measure {
  wallMs: number;
  ffmpegCpuMs: number;
  nodeCpuMs: number;
}

async function measure(task: () => Promise<unknown>): Promise<Measure> {
  const children = childrenCpuMs();
  const own = process.cpuUsage();
  const start = performance.now();
  await task();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(own);
  return { wallMs, ffmpegCpuMs: childrenCpuMs() - children, nodeCpuMs: (used.user + used.system) / 1000 };
}

async function repeat(task: () => Promise<unknown>): Promise<Measure> {
  const all: Measure[] = [];
  for (let i = 0; i < runs; i++) all.push(await measure(task));
  return { wallMs: median(all.map((m) => m.wallMs)), ffmpegCpuMs: median(all.map((m) => m.ffmpegCpuMs)), nodeCpuMs: median(all.map((m) => m.nodeCpuMs)) };
}

async function countFrames(source: string, options: DecodeOptions): Promise<number> {
  let frames = 0;
  for await (const frame of decodeFrames(source, options)) frames += frame.data.length > 0 ? 1 : 0;
  return frames;
}

const rows: Record<string, string | number>[] = [];
for (const source of videos) {
  const name = source.split('/').at(-1)!;
  const video = await probeVideo(source);
  const probe = await repeat(() => probeVideo(source));
  rows.push({
    video: name,
    what: 'probeVideo (ffprobe)',
    frames: '-',
    'wall ms': Math.round(probe.wallMs),
    'ffmpeg cpu ms': probe.ffmpegCpuMs,
    'node cpu ms': Math.round(probe.nodeCpuMs),
  });
  // Every frame decoded and thrown away: the floor any sampling decode sits on.
  const alone = await repeat(() => runFfmpeg(['-hide_banner', '-loglevel', 'error', '-i', source, '-map', '0:v:0', '-vsync', '0', '-f', 'null', '-'], { source }));
  rows.push({
    video: name,
    what: 'ffmpeg decode only (-f null)',
    frames: video.frameCount ?? '?',
    'wall ms': Math.round(alone.wallMs),
    'ffmpeg cpu ms': alone.ffmpegCpuMs,
    'node cpu ms': Math.round(alone.nodeCpuMs),
  });
  for (const [sampleFps, maxWidth] of [
    [2, undefined],
    [2, 640],
    [5, undefined],
  ] as const) {
    let frames = 0;
    const m = await repeat(async () => (frames = await countFrames(source, { sampleFps, video, ...(maxWidth ? { maxWidth } : {}) })));
    rows.push({
      video: name,
      what: `decodeFrames ${sampleFps} fps${maxWidth ? ` maxWidth ${maxWidth}` : ''}`,
      frames,
      'wall ms': Math.round(m.wallMs),
      'sampled frames/s': Math.round((frames / m.wallMs) * 1000),
      'x realtime': Number((video.durationSeconds / (m.wallMs / 1000)).toFixed(1)),
      'ffmpeg cpu ms': m.ffmpegCpuMs,
      'node cpu ms': Math.round(m.nodeCpuMs),
    });
  }
}
const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`load average: ${loadAverage}, medians of ${runs} runs`);
console.table(rows);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/video.json', `${JSON.stringify({ date: new Date().toISOString(), loadAverage, runs, rows }, null, 2)}\n`);

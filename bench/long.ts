/**
 * npm run bench:long [-- --minutes 360] [--sample-fps 0.1] [--chunk-seconds 60] [--concurrency N]
 *                      [--width 640 --height 360] [--no-montage]
 *
 * Issue 10's long case on one machine: a video of --minutes (default six hours) built from the
 * fixture clips (each re-encoded once, then repeated by stream copy: bench/long-video.ts, cached
 * under bench/results/), searched end to end by the local workflow (embedded S3, the ASL run
 * locally, handlers in worker threads), montage and report included, at a sampling rate this
 * 2-core machine can afford. Prints and writes (bench/results/long-<minutes>min-<time>.json):
 *   - wall time of the whole search and of each step (prepare, recognize, montage: the timeline,
 *     thumbnails and report; cut: the montage's pieces, side by side; join; download);
 *   - peak memory of each step: the process's resident set (every worker thread is in it), that
 *     peak less the resident set when the step began (what the step added to the threads' memory
 *     before it: Recognize's threads keep their heaps and models, a Lambda's step would not), and,
 *     separately, the largest total resident set of the ffmpeg/ffprobe processes it ran, sampled
 *     every 200 ms while that step was the current one. Worker threads share the process, so a
 *     thread's own share cannot be told apart; what is measured is what the machine had to hold;
 *   - the montage's size and length, the timeline's on-screen time.
 * A 20-minute run (--minutes 20) takes a few minutes here and proves the path; the six-hour run is
 * what issue 10 asks to be shown.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveFaceFlags } from '../shared/cli/faces-arg.ts';
import { SearchOptions } from '../shared/config/options.ts';
import { runLocalSearch } from '../shared/local/search.ts';
import type { SearchProgress } from '../shared/workflow/search-progress.ts';
import { ensureModels } from '../shared/vision/models.ts';
import { planChunks } from '../shared/workflow/chunks.ts';
import { fmt, formatTable, log, machineInfo, measure, RESULTS_DIR, writeResults } from './common.ts';
import { buildLongVideo } from './long-video.ts';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '360' },
    'sample-fps': { type: 'string', default: '0.1' },
    'chunk-seconds': { type: 'string' },
    concurrency: { type: 'string' },
    width: { type: 'string', default: '640' },
    height: { type: 'string', default: '360' },
    'no-montage': { type: 'boolean', default: false },
  },
});

// As the CLI does (shared/cli/main.ts): the SDK's Node 20 notice, printed by every worker thread.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const minutes = Number(flags.minutes);
const sampleFps = Number(flags['sample-fps']);
const chunkSeconds = flags['chunk-seconds'] === undefined ? SearchOptions.parse({}).chunkSeconds : Number(flags['chunk-seconds']);
const concurrency = flags.concurrency === undefined ? availableParallelism() : Number(flags.concurrency);
const width = Number(flags.width);
const height = Number(flags.height);
if (![minutes, sampleFps, chunkSeconds, concurrency, width, height].every((n) => Number.isFinite(n) && n > 0)) {
  throw new Error('--minutes, --sample-fps, --chunk-seconds, --concurrency, --width and --height take positive numbers');
}

// ---- memory sampling ---------------------------------------------------------------------------

const PAGE_KIB = 4;

/** Resident KiB of a process from /proc (0 once it has exited). */
function rssKib(pid: number | 'self'): number {
  try {
    const fields = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return Number(fields[1]) * PAGE_KIB;
  } catch {
    return 0;
  }
}

/**
 * This process's direct children that are ffmpeg or ffprobe (whichever worker thread spawned
 * them). A child caught between fork and exec is still a copy of this process and shows its whole
 * resident set (hundreds of MB): it is not counted, or one unlucky sample would stand for a step.
 */
function childPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && (command === 'ffmpeg' || command === 'ffprobe')) pids.push(Number(entry));
    } catch {
      // exited while listing
    }
  }
  return pids;
}

interface StepMemory {
  startedAt: number;
  endedAt: number;
  /** The process's resident set when the step began: its peak less this is what the step itself added. */
  startProcessMiB: number;
  peakProcessMiB: number;
  peakChildrenMiB: number;
  samples: number;
}

const steps = new Map<SearchProgress['phase'], StepMemory>();
let current: SearchProgress['phase'] | undefined;
const mib = (kib: number): number => Math.round((kib / 1024) * 10) / 10;

function sample(): void {
  if (current === undefined) return;
  const step = steps.get(current)!;
  const children = childPids().reduce((sum, pid) => sum + rssKib(pid), 0);
  step.peakProcessMiB = Math.max(step.peakProcessMiB, mib(rssKib('self')));
  step.peakChildrenMiB = Math.max(step.peakChildrenMiB, mib(children));
  step.samples += 1;
}

function enter(phase: SearchProgress['phase'], at: number): void {
  if (phase === current) return;
  if (current !== undefined) steps.get(current)!.endedAt = at;
  current = phase;
  steps.set(phase, { startedAt: at, endedAt: at, startProcessMiB: mib(rssKib('self')), peakProcessMiB: 0, peakChildrenMiB: 0, samples: 0 });
  sample();
}

// ---- the run -----------------------------------------------------------------------------------

const machine = machineInfo(['onnxruntime-node', '@ffmpeg-installer/linux-x64', '@ffprobe-installer/linux-x64']);
const clips = readdirSync('fixtures/videos')
  .filter((file) => file.endsWith('.mp4') && !file.startsWith('tiny'))
  .sort()
  .map((file) => join('fixtures/videos', file));
log(
  `bench:long: ${minutes} min at ${width}x${height} from ${clips.join(', ')}; ${sampleFps} fps, ${chunkSeconds} s chunks, concurrency ${concurrency}; load ${machine.loadAverageAtStart}`,
);
await ensureModels();
const long = await buildLongVideo({ clips, minutes, width, height, cacheDir: RESULTS_DIR, onLog: log });
const videoBytes = statSync(long.path).size;
log(
  `${long.cached ? 'cached' : `built in ${(long.buildMs / 1000).toFixed(1)} s`}: ${long.path} (${long.video.durationSeconds.toFixed(0)} s, ${(videoBytes / 2 ** 20).toFixed(0)} MiB)`,
);

const people = await resolveFaceFlags(['lin_manuel_miranda', 'alex_lacamoire', 'barack_obama'].map((name) => `${name}=fixtures/faces/${name}`));
const dir = await mkdtemp(join(tmpdir(), 'lambdaface-bench-long-'));
const started = performance.now();
const sampler = setInterval(sample, 200);
let lastLog = 0;
try {
  const run = await measure(() =>
    runLocalSearch({
      video: long.path,
      faces: people,
      out: join(dir, 'out'),
      options: { sampleFps, chunkSeconds, montage: !flags['no-montage'] },
      concurrency,
      dataDir: join(dir, 's3'),
      onProgress: (progress) => {
        enter(progress.phase, (performance.now() - started) / 1000);
        if (progress.phase === 'recognize' && performance.now() - lastLog > 30_000) {
          lastLog = performance.now();
          log(`  ${progress.chunksDone}/${progress.chunksTotal} chunks, ${progress.facesFound} faces`);
        }
      },
    }),
  );
  sample();
  clearInterval(sampler);
  if (current !== undefined) steps.get(current)!.endedAt = run.wallMs / 1000;

  const { result, files } = run.value;
  const montageFile = files.find((file) => basename(file) === 'montage.mp4');
  const montageBytes = montageFile === undefined ? null : statSync(montageFile).size;
  const reportFile = files.find((file) => basename(file) === 'report.html');
  const onScreenSeconds = result.identities.reduce((sum, identity) => sum + identity.totalSeconds, 0);
  const chunks = planChunks(long.video.durationSeconds, chunkSeconds).length;

  const rows = [...steps.entries()].map(([phase, step]) => ({
    step: phase,
    'wall s': fmt(step.endedAt - step.startedAt, 1),
    'peak process RSS MiB': fmt(step.peakProcessMiB, 0),
    'added by the step MiB': fmt(Math.max(0, step.peakProcessMiB - step.startProcessMiB), 0),
    'peak ffmpeg RSS MiB': fmt(step.peakChildrenMiB, 0),
    samples: step.samples,
  }));
  console.log(formatTable(rows));
  const summary = {
    'video minutes': fmt(long.video.durationSeconds / 60, 1),
    chunks,
    'missing chunks': result.missingChunks,
    'wall s': fmt(run.wallMs / 1000, 1),
    'cpu s (process + ffmpeg)': fmt((run.nodeCpuMs + run.childCpuMs) / 1000, 1),
    'on-screen s (all people)': fmt(onScreenSeconds, 0),
    'montage MiB': montageBytes === null ? 'none' : fmt(montageBytes / 2 ** 20, 1),
    'montage s': result.montage === undefined ? 'none' : fmt(result.montage.seconds, 1),
    'montage pieces': result.montage?.pieces ?? 0,
    'report.html': reportFile ? 'written' : 'missing',
  };
  console.log(formatTable([summary]));
  const path = writeResults(`long-${minutes}min-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, {
    machine,
    settings: { minutes, sampleFps, chunkSeconds, concurrency, width, height, montage: !flags['no-montage'] },
    video: { path: long.path, bytes: videoBytes, durationSeconds: long.video.durationSeconds, cached: long.cached, buildMs: Math.round(long.buildMs) },
    wallSeconds: run.wallMs / 1000,
    cpuSeconds: (run.nodeCpuMs + run.childCpuMs) / 1000,
    steps: Object.fromEntries(steps),
    chunks,
    missingChunks: result.missingChunks,
    onScreenSeconds,
    montage: montageFile === undefined ? null : { bytes: montageBytes, ...result.montage },
    warnings: result.warnings,
    report: reportFile !== undefined,
  });
  log(`results: ${path}`);
} finally {
  clearInterval(sampler);
  await rm(dir, { recursive: true, force: true });
}

/**
 * npm run bench:research [-- --runs N] [--long] [--minutes N] [--sample-fps N] [--no-montage]
 *
 * Re-searching a video for one more person against searching it in the first place, as a user
 * does it: the CLI run as a child process (`node bin/lambdaface.js search --json`), each run in a
 * fresh data dir so nothing is resumed:
 *   - first: two people (Lin-Manuel Miranda, Alex Lacamoire);
 *   - re-search: the same two plus Barack Obama, with --reuse-scan of the first.
 * Reports the median wall time of each (process start to exit), their ratio, and per phase the
 * medians of the CLI's own `timings` (start-up, runtime, upload, train, shard, recognize, montage,
 * download); the Montage step is split by when its objects landed in the embedded S3 store
 * (timeline and exports written, thumbnails, montage.mp4 cut, report rewritten). Once, a fresh
 * search with all three checks that the re-search's timeline is the same.
 * The CLI's build (bin/built-cli.js) is brought up to date first, untimed: a user pays for it once
 * after changing or updating lambdaface, not at every search, and neither run should pay it here.
 * Default: the 9-s fixture clip, 3 runs. --long: a >= --minutes (default 10) video built from
 * ../shared/data/videos (bench/long-video.ts), 1 run, --sample-fps 1 unless given (the default 4
 * takes ~25 minutes a search on 2 cores).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { childrenCpuMs, fmt, formatTable, log, machineInfo, median, RESULTS_DIR, writeResults } from './common.ts';
import { buildLongVideo } from './long-video.ts';
import type { SearchWork } from '../shared/local/search.ts';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string' },
    long: { type: 'boolean', default: false },
    minutes: { type: 'string', default: '10' },
    'sample-fps': { type: 'string' },
    'no-montage': { type: 'boolean', default: false },
  },
});

const runs = Math.max(1, Math.floor(Number(flags.runs ?? (flags.long ? 1 : 3))));
const sampleFps = flags['sample-fps'] ?? (flags.long ? '1' : undefined);
const noMontage = flags['no-montage'];
const TWO = ['lin_manuel_miranda', 'alex_lacamoire'];
const THREE = [...TWO, 'barack_obama'];
const faceFlags = (names: readonly string[]): string[] => names.flatMap((name) => ['--face', `${name}=fixtures/faces/${name}`]);

async function videoPath(): Promise<string> {
  if (!flags.long) return 'fixtures/videos/hamilton_short.mp4';
  const dir = existsSync('../shared/data/videos') ? '../shared/data/videos' : 'fixtures/videos';
  const clips = readdirSync(dir)
    .filter((file) => file.endsWith('.mp4'))
    .sort()
    .map((file) => join(dir, file));
  const long = await buildLongVideo({ clips, minutes: Number(flags.minutes), cacheDir: RESULTS_DIR, onLog: log });
  log(`${long.cached ? 'cached' : 'built'}: ${long.path} (${long.video.durationSeconds.toFixed(0)} s)`);
  return long.path;
}

interface SearchJson {
  jobId: string;
  identities: unknown[];
  timings: Record<string, number>;
  work: SearchWork;
  reusedScan?: { chunks: number; reused: number };
}

interface Run {
  wallSeconds: number;
  /** CPU seconds of the CLI and its children (ffmpeg): steadier than wall time on a shared machine. */
  cpuSeconds: number;
  phases: Record<string, number>;
  json: SearchJson;
}

/** s3rver keeps an object's bytes in `<data dir>/<bucket>/<key>._S3rver_object`. */
const OBJECT_SUFFIX = '._S3rver_object';

/** When the object `key` was last written to the embedded server's store, ms since the epoch. */
function objectTime(dataDir: string, key: string): number | undefined {
  const file = join(dataDir, 'lambdaface', key + OBJECT_SUFFIX);
  return existsSync(file) ? statSync(file).mtimeMs : undefined;
}

/** When the last object under `prefix` was written. */
function latestUnder(dataDir: string, prefix: string): number | undefined {
  const dir = join(dataDir, 'lambdaface', prefix);
  if (!existsSync(dir)) return undefined;
  const times = readdirSync(dir)
    .filter((name) => name.endsWith(OBJECT_SUFFIX))
    .map((name) => statSync(join(dir, name)).mtimeMs);
  return times.length === 0 ? undefined : Math.max(...times);
}

async function search(video: string, people: readonly string[], dataDir: string, out: string, reuse?: string): Promise<Run> {
  const args = ['bin/lambdaface.js', 'search', '--video', video, ...faceFlags(people), '--out', out, '--data-dir', dataDir, '--json'];
  if (sampleFps !== undefined && reuse === undefined) args.push('--sample-fps', sampleFps);
  if (noMontage) args.push('--no-montage');
  if (reuse !== undefined) args.push('--reuse-scan', reuse);
  const started = Date.now();
  const cpuBefore = childrenCpuMs();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ended = Date.now();
  const cpuSeconds = (childrenCpuMs() - cpuBefore) / 1000;
  if (code !== 0) throw new Error(`search failed (${code}): ${stderr.slice(-2000)}`);
  const json = JSON.parse(stdout) as SearchJson;
  const phases: Record<string, number> = { ...json.timings };
  delete phases['total'];
  // The Montage step ends where the download begins, which ends at the process's exit (within ms).
  const montageEnd = ended - (json.timings['download'] ?? 0) * 1000;
  const montageStart = montageEnd - (json.timings['montage'] ?? 0) * 1000;
  const prefix = `jobs/${json.jobId}/`;
  const timelineAt = objectTime(dataDir, `${prefix}chapters.ffmetadata`);
  const thumbnailsAt = latestUnder(dataDir, `${prefix}thumbnails/`) ?? timelineAt;
  const montageAt = objectTime(dataDir, `${prefix}montage.mp4`);
  if (timelineAt !== undefined && thumbnailsAt !== undefined) {
    phases['montage: timeline+exports'] = (timelineAt - montageStart) / 1000;
    phases['montage: thumbnails'] = (thumbnailsAt - timelineAt) / 1000;
    phases['montage: montage.mp4'] = montageAt === undefined ? 0 : (montageAt - thumbnailsAt) / 1000;
    phases['montage: report+rest'] = (montageEnd - (montageAt ?? thumbnailsAt)) / 1000;
  }
  return { wallSeconds: (ended - started) / 1000, cpuSeconds, phases, json };
}

/** A timeline without what names its job (the job id, the photos' notes): what a search found. */
async function foundIn(out: string): Promise<string> {
  const { identities, missingChunks, nearMisses } = JSON.parse(await readFile(join(out, 'timeline.json'), 'utf8')) as Record<string, unknown>;
  return JSON.stringify({ identities, missingChunks, nearMisses });
}

/** Runs `lambdaface --help`, which makes the CLI's build if the sources changed since the last one. */
async function buildCli(): Promise<void> {
  const child = spawn(process.execPath, ['bin/lambdaface.js', '--help'], { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`lambdaface --help failed (${code})`);
}

const machine = machineInfo();
await buildCli();
const video = await videoPath();
log(`bench:research: ${video}; ${runs} run(s); montage ${noMontage ? 'off' : 'on'}; load ${machine.loadAverageAtStart}`);
const firsts: Run[] = [];
const again: Run[] = [];
let equal: boolean | undefined;
for (let i = 0; i < runs; i++) {
  const work = await mkdtemp(join(tmpdir(), 'lambdaface-bench-research-'));
  try {
    const dataDir = join(work, 's3');
    const first = await search(video, TWO, dataDir, join(work, 'a'));
    log(`run ${i + 1}: first search ${fmt(first.wallSeconds)} s (${fmt(first.cpuSeconds)} CPU s)`);
    const second = await search(video, THREE, dataDir, join(work, 'b'), join(work, 'a'));
    log(
      `run ${i + 1}: re-search ${fmt(second.wallSeconds)} s (${fmt(second.cpuSeconds)} CPU s; ${second.json.work.chunksDecoded} chunks decoded, ${second.json.work.modelsLoaded.recognize} models loaded by Recognize, ${second.json.work.thumbnails.reused} of ${second.json.work.thumbnails.made} thumbnails and ${second.json.work.montagePieces.reused} of ${second.json.work.montagePieces.reused + second.json.work.montagePieces.cut} montage pieces reused)`,
    );
    firsts.push(first);
    again.push(second);
    if (i === 0) {
      const fresh = await search(video, THREE, join(work, 's3-fresh'), join(work, 'c'));
      equal = (await foundIn(join(work, 'b'))) === (await foundIn(join(work, 'c')));
      log(`fresh search with all three: ${fmt(fresh.wallSeconds)} s; timeline equal to the re-search's: ${equal}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const phaseNames = [...new Set([...firsts, ...again].flatMap((run) => Object.keys(run.phases)))];
const medianOf = (list: Run[], name: string): number => median(list.map((run) => run.phases[name] ?? 0));
const rows = [
  ...phaseNames.map((name) => ({ phase: name, 'first (s)': fmt(medianOf(firsts, name), 2), 're-search (s)': fmt(medianOf(again, name), 2) })),
  { phase: 'wall (process start to exit)', 'first (s)': fmt(median(firsts.map((r) => r.wallSeconds)), 2), 're-search (s)': fmt(median(again.map((r) => r.wallSeconds)), 2) },
  { phase: 'CPU (CLI and children)', 'first (s)': fmt(median(firsts.map((r) => r.cpuSeconds)), 2), 're-search (s)': fmt(median(again.map((r) => r.cpuSeconds)), 2) },
];
const ratio = median(firsts.map((r) => r.wallSeconds)) / median(again.map((r) => r.wallSeconds));
const cpuRatio = median(firsts.map((r) => r.cpuSeconds)) / median(again.map((r) => r.cpuSeconds));
process.stdout.write(
  `${formatTable(rows)}\n\nfirst / re-search (medians of ${runs}): wall ${fmt(ratio, 2)}x, CPU ${fmt(cpuRatio, 2)}x (load at start ${machine.loadAverageAtStart}); timeline equal to a fresh search with all three: ${equal}\n`,
);
const name = `research-${flags.long ? `long-${flags.minutes}min` : 'clip'}${noMontage ? '-no-montage' : ''}.json`;
const path = writeResults(name, {
  video,
  runs,
  montage: !noMontage,
  sampleFps: sampleFps ?? 'default',
  machine,
  ratio,
  cpuRatio,
  timelineEqual: equal,
  medians: Object.fromEntries(phaseNames.map((phase) => [phase, { first: medianOf(firsts, phase), again: medianOf(again, phase) }])),
  wallSeconds: { first: firsts.map((r) => r.wallSeconds), again: again.map((r) => r.wallSeconds) },
  cpuSeconds: { first: firsts.map((r) => r.cpuSeconds), again: again.map((r) => r.cpuSeconds) },
  work: again.map((run) => run.json.work),
});
log(`wrote ${path}`);

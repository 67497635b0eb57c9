/**
 * npm run bench:vision [-- --runs N] [--videos a.mp4 b.mp4] [--sample-fps N] [--face name=<photo|dir> ...] [--no-peer] [--no-spin-check] [--no-isolated]
 *
 * The vision core against the peer a Node user would pick (face-api on tfjs-wasm) and against the
 * floor (ffmpeg decoding alone), on the same sampled frames, in the same process and the same runs:
 *   - detection ms per frame (ours: whole frame + finer pyramid levels, and whole frame only; 1 and 2 threads),
 *   - landmarks + align + embed ms per face,
 *   - the whole scan (decode -> detect -> ... -> match) in sampled frames per second, with its
 *     per-second precision/recall/F1 against the video's truth file when there is one.
 * Then, in every run, each whole scan again alone in a child process (bench/scan-alone.ts: one
 * untimed scan, then the timed one), so neither library's heap, JIT or caches weigh on the other.
 * Every figure is the median over the runs; peer/ours ratios are taken within each run, then the
 * median. Prints tables and writes bench/results/vision.json.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { SearchOptions } from '../shared/config/options.ts';
import { resolveFaceFlags } from '../shared/cli/faces-arg.ts';
import { predictionsOfChunks, scorePredictions, type Prediction, type ScoreReport } from '../shared/eval/score.ts';
import { readTruth, type Truth } from '../shared/eval/truth.ts';
import type { GalleryIndex } from '../shared/match/matcher.ts';
import { DEFAULT_SCAN_OPTIONS, scanChunk, scanOptionsFor, type ScanOptions } from '../shared/recognize/scan.ts';
import { decodeFrames, type DecodeOptions } from '../shared/video/decode.ts';
import { probeVideo } from '../shared/video/probe.ts';
import type { VideoInfo } from '../shared/video/types.ts';
import { analyzeImage } from '../shared/vision/analyze.ts';
import { detectFaces } from '../shared/vision/detect.ts';
import { embedFaces } from '../shared/vision/embed.ts';
import type { RgbImage } from '../shared/vision/image.ts';
import { locateLandmarks } from '../shared/vision/landmarks.ts';
import { ensureModels } from '../shared/vision/models.ts';
import { buildModelsOnDemand } from '../tools/models/on-demand.ts';
import type { Detection } from '../shared/vision/nms.ts';
import { DEFAULT_ANALYZE_OPTIONS, type AnalyzeOptions, type DetectOptions } from '../shared/vision/options.ts';
import { spinCheck } from './ort-spin.ts';
import type { AlonePipeline, AloneResult, AloneSpec } from './scan-alone.ts';
import { fmt, formatTable, loadAverage, log, machineInfo, measure, median, writeResults } from './common.ts';
import { galleryOfFiles } from './our-gallery.ts';
import { buildPeerGallery, loadPeer, PEER_TOLERANCE, peerDescribe, peerDetect, peerInfo, peerScan, peerTensorCount, type PeerDetector, type PeerGallery } from './peer.ts';

const execFileAsync = promisify(execFile);

const { values: flags, positionals } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    videos: { type: 'string', multiple: true },
    'sample-fps': { type: 'string' },
    face: { type: 'string', multiple: true },
    'no-peer': { type: 'boolean', default: false },
    'no-spin-check': { type: 'boolean', default: false },
    'no-isolated': { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

const runs = Math.max(1, Number(flags.runs));
const sampleFps = flags['sample-fps'] === undefined ? SearchOptions.parse({}).sampleFps : Number(flags['sample-fps']);
// Paths after the flags count as videos too, so a shell glob after --videos works.
const given = [...(flags.videos ?? []), ...positionals];
const videos = given.length > 0 ? given : ['fixtures/videos/hamilton_short.mp4', 'fixtures/videos/crowd_walking.mp4'];
const faceFlags = flags.face ?? ['lin_manuel_miranda', 'alex_lacamoire', 'barack_obama'].map((name) => `${name}=fixtures/faces/${name}`);
const withPeer = !flags['no-peer'];
const isolated = !flags['no-isolated'];
const THREADS = [1, 2] as const;
const PEERS: readonly PeerDetector[] = ['ssd', 'tiny'];
if (!Number.isFinite(runs) || !(sampleFps > 0)) throw new Error('--runs and --sample-fps take positive numbers');

// ---- configurations ------------------------------------------------------------------------------

/** As Recognize scans (the default search, or with --no-small-faces). */
const scanOptions = (threads: number, pyramid: boolean): ScanOptions => scanOptionsFor(SearchOptions.parse({ sampleFps, smallFaces: pyramid }), threads);
const analyzeOptions = (threads: number, pyramid: boolean): AnalyzeOptions => scanOptions(threads, pyramid).analyze;
const detectOptions = (threads: number, pyramid: boolean): DetectOptions => analyzeOptions(threads, pyramid).detect;

/** The scans timed in every run: ours pyramid (default) at 1 and 2 threads, ours whole-frame at 1 thread. */
const OUR_SCANS = [
  { key: 'ours pyramid t1', threads: 1, pyramid: true },
  { key: 'ours pyramid t2', threads: 2, pyramid: true },
  { key: 'ours whole-frame t1', threads: 1, pyramid: false },
] as const;

/** The scans timed alone, each in its own process; the order rotates from run to run. */
const ALONE: readonly AlonePipeline[] = ['ours pyramid', 'ours whole-frame', ...(withPeer ? (['face-api ssd', 'face-api tiny'] as const) : [])];

async function scanAlone(spec: AloneSpec): Promise<AloneResult> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', 'bench/scan-alone.ts', JSON.stringify(spec)], { maxBuffer: 64 << 20 });
  // Libraries may print banners: the result is the last line.
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as AloneResult;
}

// ---- per-video data ------------------------------------------------------------------------------

/** The truth file next to the video's folder (<root>/videos/x.mp4 -> <root>/labels/x.per_second.csv). */
function truthPath(video: string): string | undefined {
  const path = join(dirname(video), '..', 'labels', `${basename(video, extname(video))}.per_second.csv`);
  return existsSync(path) ? path : undefined;
}

async function decodeAll(source: string, options: DecodeOptions): Promise<{ image: RgbImage; time: number }[]> {
  const frames: { image: RgbImage; time: number }[] = [];
  for await (const frame of decodeFrames(source, options)) {
    frames.push({ image: { width: frame.width, height: frame.height, data: new Uint8Array(frame.data) }, time: frame.time });
  }
  return frames;
}

interface ScoreSummary {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  falsePositiveSeconds: number;
  perIdentity: Record<string, { f1: number | null; tp: number; fp: number; fn: number }>;
}
const summarize = (report: ScoreReport): ScoreSummary => ({
  precision: report.overall.precision,
  recall: report.overall.recall,
  f1: report.overall.f1,
  falsePositiveSeconds: report.overall.falsePositiveSeconds,
  perIdentity: Object.fromEntries(report.identities.map((s) => [s.identity, { f1: s.f1, tp: s.tp, fp: s.fp, fn: s.fn }])),
});

/** One timed measurement of one pipeline in one run. */
interface Sample {
  wallMs: number;
  cpuMs: number;
  frames: number;
  /** Faces that got a descriptor (scan, per-face stage) or were detected (detection). */
  faces: number;
  /** Landmarks + align + embed time (per-face stage only), and its two parts for ours. */
  stageMs?: number;
  landmarksMs?: number;
  embedMs?: number;
}

type Samples = Map<string, Sample[]>;
const push = (samples: Samples, key: string, sample: Sample) => samples.set(key, [...(samples.get(key) ?? []), sample]);

async function benchVideo(source: string, gallery: GalleryIndex, enrolled: string[], peerGalleries: Map<PeerDetector, PeerGallery>) {
  const info: VideoInfo = await probeVideo(source);
  const decodeOptions: DecodeOptions = { sampleFps, maxWidth: DEFAULT_SCAN_OPTIONS.maxWidth, video: info };
  const frames = await decodeAll(source, decodeOptions);
  const truthFile = truthPath(source);
  const truth: Truth | undefined = truthFile ? await readTruth(truthFile) : undefined;
  const name = basename(source);
  log(`${name}: ${info.width}x${info.height}, ${info.durationSeconds.toFixed(2)} s, ${frames.length} sampled frames at ${sampleFps} fps${truthFile ? `, truth ${truthFile}` : ''}`);

  // Warm-up, untimed: sessions created, code paths compiled, wasm kernels initialised.
  for (const threads of THREADS) for (const pyramid of [true, false]) for (const f of frames.slice(0, 2)) await analyzeImage(f.image, analyzeOptions(threads, pyramid));
  if (withPeer) for (const detector of PEERS) for (const f of frames.slice(0, 2)) await peerDescribe(f.image, detector);

  const samples: Samples = new Map();
  const scores = new Map<string, ScoreSummary[]>();
  const score = (key: string, predictions: Prediction[]) => {
    if (!truth) return;
    scores.set(key, [...(scores.get(key) ?? []), summarize(scorePredictions(truth, enrolled, predictions))]);
  };
  const tensorsBefore = withPeer ? peerTensorCount() : 0;

  for (let run = 1; run <= runs; run++) {
    log(`${name}: run ${run}/${runs} (load ${loadAverage()})`);
    // The floor: ffmpeg decoding the same samples, delivered to a consumer that does nothing.
    const floor = await measure(async () => {
      let n = 0;
      for await (const frame of decodeFrames(source, decodeOptions)) n += frame.data.length > 0 ? 1 : 0;
      return n;
    });
    push(samples, 'ffmpeg decode only', { wallMs: floor.wallMs, cpuMs: floor.nodeCpuMs + floor.childCpuMs, frames: floor.value, faces: 0 });

    // Detection per frame on the decoded frames; the pyramid 1-thread detections feed the per-face stage.
    let detections: Detection[][] = [];
    for (const pyramid of [true, false]) {
      for (const threads of THREADS) {
        const m = await measure(async () => {
          const all: Detection[][] = [];
          for (const f of frames) all.push(await detectFaces(f.image, detectOptions(threads, pyramid)));
          return all;
        });
        if (pyramid && threads === 1) detections = m.value;
        const key = `ours ${pyramid ? 'pyramid' : 'whole-frame'} t${threads}`;
        push(samples, `detect: ${key}`, { wallMs: m.wallMs, cpuMs: m.nodeCpuMs, frames: frames.length, faces: m.value.flat().length });
      }
    }

    // Landmarks + align + embed on those detections, batched per frame as analyzeImage does.
    for (const threads of THREADS) {
      const m = await measure(async () => {
        let faces = 0;
        let landmarksMs = 0;
        let embedMs = 0;
        for (const [i, f] of frames.entries()) {
          const found = detections[i]!;
          const start = performance.now();
          const landmarks = await locateLandmarks(f.image, found, threads);
          const kept = landmarks.filter((l) => l.faceflag >= DEFAULT_ANALYZE_OPTIONS.minFaceflag);
          const located = performance.now();
          await embedFaces(
            f.image,
            kept.map((l) => ({ points: l.points })),
            threads,
          );
          landmarksMs += located - start;
          embedMs += performance.now() - located;
          faces += kept.length;
        }
        return { faces, landmarksMs, embedMs };
      });
      const { faces, landmarksMs, embedMs } = m.value;
      push(samples, `per-face: ours t${threads}`, { wallMs: m.wallMs, cpuMs: m.nodeCpuMs, frames: frames.length, faces, stageMs: landmarksMs + embedMs, landmarksMs, embedMs });
    }

    // The whole scan, as the recognize step runs it (decoding included).
    for (const scan of OUR_SCANS) {
      const m = await measure(() =>
        scanChunk(source, { index: 0, start: 0, end: info.durationSeconds }, gallery, scanOptions(scan.threads, scan.pyramid), { jobId: 'bench', video: info }),
      );
      const result = m.value;
      push(samples, `scan: ${scan.key}`, { wallMs: m.wallMs, cpuMs: m.nodeCpuMs + m.childCpuMs, frames: result.framesScanned, faces: result.faces.length });
      score(scan.key, predictionsOfChunks([result]));
    }

    if (isolated) {
      for (const [k] of ALONE.entries()) {
        const pipeline = ALONE[(k + run) % ALONE.length]!;
        const alone = await scanAlone({ pipeline, video: source, sampleFps, people: people.map((p) => ({ name: p.name, photos: [...p.photos] })) });
        push(samples, `alone: ${pipeline}`, { wallMs: alone.wallMs, cpuMs: Number.NaN, frames: alone.frames, faces: alone.faces });
        score(`alone: ${pipeline}`, alone.predictions);
      }
    }

    if (!withPeer) continue;
    for (const detector of PEERS) {
      const key = `face-api ${detector}`;
      const detectMs: number[] = [];
      const det = await measure(async () => {
        let faces = 0;
        for (const f of frames) {
          const start = performance.now();
          faces += (await peerDetect(f.image, detector)).length;
          detectMs.push(performance.now() - start);
        }
        return faces;
      });
      push(samples, `detect: ${key}`, { wallMs: det.wallMs, cpuMs: det.nodeCpuMs, frames: frames.length, faces: det.value });
      // Per face: the full per-frame job minus detection alone on the same frame, same run.
      const full = await measure(async () => {
        let faces = 0;
        let stageMs = 0;
        for (const [i, f] of frames.entries()) {
          const start = performance.now();
          faces += (await peerDescribe(f.image, detector)).length;
          stageMs += Math.max(0, performance.now() - start - detectMs[i]!);
        }
        return { faces, stageMs };
      });
      push(samples, `per-face: ${key}`, { wallMs: full.wallMs, cpuMs: full.nodeCpuMs, frames: frames.length, faces: full.value.faces, stageMs: full.value.stageMs });
      const peerGallery = peerGalleries.get(detector)!;
      const scan = await measure(() => peerScan(source, decodeOptions, peerGallery, detector));
      push(samples, `scan: ${key}`, { wallMs: scan.wallMs, cpuMs: scan.nodeCpuMs + scan.childCpuMs, frames: scan.value.frames, faces: scan.value.faces });
      score(key, scan.value.predictions);
    }
  }
  const leakedTensors = withPeer ? peerTensorCount() - tensorsBefore : 0;
  return { name, source, info, frames: frames.length, truthFile, samples, scores, leakedTensors };
}

// ---- reporting ----------------------------------------------------------------------------------

type VideoResult = Awaited<ReturnType<typeof benchVideo>>;

const med = (list: Sample[] | undefined, pick: (s: Sample) => number): number => (list && list.length > 0 ? median(list.map(pick)) : Number.NaN);

/** Medians of one pipeline's samples, per frame and per face. */
function stats(list: Sample[] | undefined) {
  return {
    runs: list?.length ?? 0,
    frames: med(list, (s) => s.frames),
    facesPerFrame: med(list, (s) => s.faces / s.frames),
    wallMs: med(list, (s) => s.wallMs),
    msPerFrame: med(list, (s) => s.wallMs / s.frames),
    cpuMsPerFrame: med(list, (s) => s.cpuMs / s.frames),
    framesPerSecond: med(list, (s) => (s.frames / s.wallMs) * 1000),
    msPerFace: med(list, (s) => (s.stageMs === undefined || s.faces === 0 ? Number.NaN : s.stageMs / s.faces)),
    landmarksMsPerFace: med(list, (s) => (s.landmarksMs === undefined || s.faces === 0 ? Number.NaN : s.landmarksMs / s.faces)),
    alignEmbedMsPerFace: med(list, (s) => (s.embedMs === undefined || s.faces === 0 ? Number.NaN : s.embedMs / s.faces)),
    raw: list ?? [],
  };
}

/** Per-run ratio of two pipelines' ms per frame (same run, side by side), then the median. */
function ratio(result: VideoResult, slower: string, faster: string): { median: number; perRun: number[] } {
  const a = result.samples.get(slower) ?? [];
  const b = result.samples.get(faster) ?? [];
  const perRun = a.slice(0, b.length).map((s, i) => s.wallMs / s.frames / (b[i]!.wallMs / b[i]!.frames));
  return { median: median(perRun), perRun };
}

function pipelineRows(result: VideoResult) {
  const rows: Record<string, string | number>[] = [];
  const score = (key: string) => result.scores.get(key)?.[0];
  const scanRow = (label: string, detectKey: string | null, faceKey: string | null, scanKey: string, scoreKey: string | null) => {
    const det = stats(detectKey ? result.samples.get(detectKey) : undefined);
    const face = stats(faceKey ? result.samples.get(faceKey) : undefined);
    const scan = stats(result.samples.get(scanKey));
    const s = scoreKey ? score(scoreKey) : undefined;
    rows.push({
      pipeline: label,
      'det ms/frame': fmt(det.msPerFrame),
      'det faces/frame': fmt(det.facesPerFrame, 2),
      'lm+align+embed ms/face': fmt(face.msPerFace, 2),
      '(lm | align+embed)': Number.isFinite(face.landmarksMsPerFace) ? `${fmt(face.landmarksMsPerFace, 2)} | ${fmt(face.alignEmbedMsPerFace, 2)}` : '-',
      'scan ms/frame': fmt(scan.msPerFrame),
      'scan cpu ms/frame': fmt(scan.cpuMsPerFrame),
      'sampled frames/s': fmt(scan.framesPerSecond, 1),
      'x realtime': fmt(result.info.durationSeconds / (scan.wallMs / 1000), 2),
      F1: s ? fmt(s.f1, 3) : '-',
      P: s ? fmt(s.precision, 3) : '-',
      R: s ? fmt(s.recall, 3) : '-',
      'FP s': s ? s.falsePositiveSeconds : '-',
    });
  };
  scanRow('ffmpeg decode only (floor)', null, null, 'ffmpeg decode only', null);
  scanRow('ours, pyramid (default), 1 thread', 'detect: ours pyramid t1', 'per-face: ours t1', 'scan: ours pyramid t1', 'ours pyramid t1');
  scanRow('ours, pyramid (default), 2 threads', 'detect: ours pyramid t2', 'per-face: ours t2', 'scan: ours pyramid t2', 'ours pyramid t2');
  scanRow('ours, whole frame only (--no-small-faces), 1 thread', 'detect: ours whole-frame t1', null, 'scan: ours whole-frame t1', 'ours whole-frame t1');
  scanRow('ours, whole frame only (--no-small-faces), 2 threads', 'detect: ours whole-frame t2', null, 'none', null);
  if (withPeer) {
    scanRow('face-api SSD + 68 lm + descriptor (tfjs-wasm, 1 thread)', 'detect: face-api ssd', 'per-face: face-api ssd', 'scan: face-api ssd', 'face-api ssd');
    scanRow('face-api tiny + 68 lm + descriptor (tfjs-wasm, 1 thread)', 'detect: face-api tiny', 'per-face: face-api tiny', 'scan: face-api tiny', 'face-api tiny');
  }
  return rows;
}

const RATIOS = [
  { label: 'scan: face-api SSD / ours 1 thread', slower: 'scan: face-api ssd', faster: 'scan: ours pyramid t1' },
  { label: 'scan: face-api SSD / ours 2 threads', slower: 'scan: face-api ssd', faster: 'scan: ours pyramid t2' },
  { label: 'scan: face-api tiny / ours 1 thread', slower: 'scan: face-api tiny', faster: 'scan: ours pyramid t1' },
  { label: 'scan: face-api tiny / ours 2 threads', slower: 'scan: face-api tiny', faster: 'scan: ours pyramid t2' },
  { label: 'scan: face-api SSD / ours whole frame 1 thread', slower: 'scan: face-api ssd', faster: 'scan: ours whole-frame t1' },
  { label: 'scan: face-api tiny / ours whole frame 1 thread', slower: 'scan: face-api tiny', faster: 'scan: ours whole-frame t1' },
  { label: 'detect: face-api SSD / ours pyramid 1 thread', slower: 'detect: face-api ssd', faster: 'detect: ours pyramid t1' },
  { label: 'detect: face-api tiny / ours pyramid 1 thread', slower: 'detect: face-api tiny', faster: 'detect: ours pyramid t1' },
  { label: 'scan: ours 1 thread / ffmpeg decode only', slower: 'scan: ours pyramid t1', faster: 'ffmpeg decode only' },
  { label: 'scan: ours 2 threads / ours 1 thread', slower: 'scan: ours pyramid t2', faster: 'scan: ours pyramid t1' },
] as const;

const ALONE_RATIOS = [
  { label: 'alone: face-api SSD / ours pyramid', slower: 'alone: face-api ssd', faster: 'alone: ours pyramid' },
  { label: 'alone: face-api tiny / ours pyramid', slower: 'alone: face-api tiny', faster: 'alone: ours pyramid' },
  { label: 'alone: face-api SSD / ours whole frame', slower: 'alone: face-api ssd', faster: 'alone: ours whole-frame' },
  { label: 'alone: face-api tiny / ours whole frame', slower: 'alone: face-api tiny', faster: 'alone: ours whole-frame' },
] as const;

function aloneRows(result: VideoResult) {
  const rows = ALONE.map((pipeline) => {
    const key = `alone: ${pipeline}`;
    const s = stats(result.samples.get(key));
    const f1 = result.scores.get(key)?.[0]?.f1;
    return { pipeline, 'scan ms/frame': fmt(s.msPerFrame), 'sampled frames/s': fmt(s.framesPerSecond, 1), F1: f1 === undefined ? '-' : fmt(f1, 3) };
  });
  const ratios = (withPeer ? ALONE_RATIOS : []).map((r) => ({ ...r, ...ratio(result, r.slower, r.faster) }));
  return { rows, ratios };
}

// ---- main -----------------------------------------------------------------------------------------

const machine = machineInfo(['onnxruntime-node', '@vladmandic/face-api', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@ffmpeg-installer/linux-x64']);
log(`bench:vision: ${runs} run(s), ${sampleFps} fps, videos ${videos.join(', ')}; ${machine.cpus} cpus, node ${machine.node}, load ${machine.loadAverageAtStart}`);
buildModelsOnDemand();
await ensureModels();

const people = await resolveFaceFlags(faceFlags);
const enrolled = people.map((p) => p.name);
const ourGallery = await measure(() => galleryOfFiles(people));
const gallery = ourGallery.value;
log(`our gallery: ${gallery.dlib.rows.length} descriptors of ${enrolled.length} people in ${Math.round(ourGallery.wallMs)} ms`);

const peerGalleries = new Map<PeerDetector, PeerGallery>();
const peerGalleryInfo: Record<string, unknown> = {};
let peer: Record<string, string | number | boolean> | undefined;
if (withPeer) {
  await loadPeer();
  peer = await peerInfo();
  for (const detector of PEERS) {
    const m = await measure(() => buildPeerGallery(people, detector));
    peerGalleries.set(detector, m.value);
    const missed = m.value.photos.filter((p) => !p.found).map((p) => p.source);
    peerGalleryInfo[detector] = { ms: Math.round(m.wallMs), photos: m.value.photos };
    log(
      `face-api ${detector} gallery in ${Math.round(m.wallMs)} ms; padded: ${m.value.photos.filter((p) => p.padded && p.found).length}, no face: ${missed.length ? missed.join(', ') : 'none'}`,
    );
  }
}

const results: VideoResult[] = [];
for (const video of videos) results.push(await benchVideo(video, gallery, enrolled, peerGalleries));

const out: Record<string, unknown>[] = [];
for (const result of results) {
  const rows = pipelineRows(result);
  const ratios = (withPeer ? RATIOS : RATIOS.slice(-2)).map((r) => ({ ...r, ...ratio(result, r.slower, r.faster) }));
  const f1Stable = [...result.scores.values()].every((list) => list.every((s) => s.f1 === list[0]!.f1));
  console.log(
    `\n${result.name}: ${result.info.width}x${result.info.height}, ${result.info.durationSeconds.toFixed(2)} s, ${result.frames} frames sampled at ${sampleFps} fps; medians of ${runs} run(s)${result.truthFile ? `; per-second scores vs ${result.truthFile} (${enrolled.join(', ')} enrolled)` : ''}`,
  );
  console.log(formatTable(rows));
  console.log(`\nratios of ms per sampled frame, taken within each run (median; per run):`);
  console.log(formatTable(ratios.map((r) => ({ ratio: r.label, median: `${fmt(r.median, 2)}x`, 'per run': r.perRun.map((v) => v.toFixed(2)).join(' ') }))));
  const alone = isolated ? aloneRows(result) : undefined;
  if (alone) {
    console.log(`\neach whole scan alone in its own process (one untimed scan first), 1 thread:`);
    console.log(formatTable(alone.rows));
    console.log(formatTable(alone.ratios.map((r) => ({ ratio: r.label, median: `${fmt(r.median, 2)}x`, 'per run': r.perRun.map((v) => v.toFixed(2)).join(' ') }))));
  }
  if (!f1Stable) console.log('note: a score differed between runs; the table shows the first run');
  if (result.leakedTensors !== 0) console.log(`note: ${result.leakedTensors} tfjs tensors left alive after the peer runs`);
  out.push({
    video: result.source,
    width: result.info.width,
    height: result.info.height,
    durationSeconds: result.info.durationSeconds,
    sampledFrames: result.frames,
    truth: result.truthFile ?? null,
    table: rows,
    ratios,
    alone: alone ?? null,
    pipelines: Object.fromEntries([...result.samples].map(([key, list]) => [key, stats(list)])),
    scores: Object.fromEntries(result.scores),
    scoresStableAcrossRuns: f1Stable,
    leakedTensors: result.leakedTensors,
  });
}

// Why 2 threads can lose to 1 here: the sessions alone, spinning on (ORT's default) and off.
const spin: ({ size: string } & Awaited<ReturnType<typeof spinCheck>>)[] = [];
if (!flags['no-spin-check']) {
  const sizes = [...new Set([...results.map((r) => `${r.info.width}x${r.info.height}`), '1280x720'])];
  for (const size of sizes) {
    const [width, height] = size.split('x').map(Number) as [number, number];
    log(`ORT spinning check at ${size}`);
    spin.push({ size, ...(await spinCheck(width, height, { rounds: runs })) });
  }
  console.log(
    `\nONNX sessions alone (models.ts's session options but the spinning setting; random pixels; medians of ${runs} rounds of 8 frames): detector on each level of one frame's pyramid, then the frame's work = detector + landmarks + embedder on 2 faces; intra-op spinning on (ORT's default) vs off (what models.ts sets since 13f78d5)`,
  );
  console.log(
    formatTable(
      spin.flatMap(({ size, levels, faces, rows }) =>
        rows.map((row) => ({
          frame: `${size}: ${levels} pyramid levels, ${faces} faces`,
          threads: row.threads,
          spinning: row.spinning ? 'on (default)' : 'off',
          'detector alone ms/frame': fmt(row.detectMsPerFrame),
          'det+lm+embed ms/frame': fmt(row.sequenceMsPerFrame),
          'det+lm+embed cpu ms/frame': fmt(row.sequenceCpuMsPerFrame),
        })),
      ),
    ),
  );
}

const path = writeResults('vision.json', {
  date: new Date().toISOString(),
  machine,
  loadAverageAtEnd: loadAverage(),
  runs,
  sampleFps,
  enrolled,
  gallery: { ours: { ms: Math.round(ourGallery.wallMs), descriptors: gallery.dlib.rows.length }, peer: peerGalleryInfo },
  peer: peer ?? null,
  peerTolerance: PEER_TOLERANCE,
  notes: [
    'ours: shared/vision (ONNX Runtime); scan = shared/recognize/scan.ts scanChunk (decode + detect + landmarks + align + dlib embed + tracks + FaceRes on the best faces of each track + fused match)',
    'peer: @vladmandic/face-api detectAllFaces().withFaceLandmarks().withFaceDescriptors() + FaceMatcher(0.6), default detector options; tfjs-wasm runs one thread in Node',
    'peer per-face time = full per-frame job minus detection alone on the same frame in the same run',
    'ratios are computed per run from measurements taken side by side, then the median',
    'F1: per-second, shared/eval/score.ts scorePredictions over every named face of the scan',
  ],
  videos: out,
  ortSpinningCheck: spin,
});
console.log(`\nmachine: ${machine.cpuModel}, ${machine.cpus} cpus, node ${machine.node}; load average at start ${machine.loadAverageAtStart}, at end ${loadAverage()}`);
if (peer) console.log(`peer: face-api ${machine.packages['@vladmandic/face-api']} on tfjs ${peer['backend']} (threads ${peer['wasmThreads']}, simd ${peer['simd']})`);
console.log(`written ${path}`);

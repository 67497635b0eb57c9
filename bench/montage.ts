/**
 * The montage's cost, before and after pieces: `npx tsx bench/montage.ts [minutes]` builds a 720p video
 * from the fixtures (bench/long-video.ts), plans a montage of two people on screen half the time
 * (10 s stretches every 20 s), and times (1) one ffmpeg run per cut at the source's resolution,
 * one after the other (how the montage was cut before), (2) makeMontage: pieces at most 480p, two
 * at a time, stored in an embedded S3 and joined by stream copy, and (3) a later search of the same
 * video that finds every piece already cut.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedS3 } from '../shared/local/s3-server.ts';
import type { Segment, Timeline } from '../shared/schemas/timeline.ts';
import { createS3Client } from '../shared/storage/s3.ts';
import { planMontage, type Sighting } from '../shared/timeline/montage-plan.ts';
import { cutAndConcat } from '../shared/video/edit.ts';
import { makeMontage } from '../shared/workflow/montage-pieces.ts';
import { buildLongVideo } from './long-video.ts';

const FIXTURES = new URL('../fixtures/videos/', import.meta.url).pathname;
const box = { x: 500, y: 200, width: 120, height: 120 };
/** CPU seconds of this process's finished children (ffmpeg): steadier than wall time on a shared machine. */
function childCpu(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After the command name: state is field 3, cutime and cstime are fields 16 and 17 (clock ticks, 100 a second).
  return (Number(fields[13]) + Number(fields[14])) / 100;
}
let cpuStart = 0;
const start = (): number => {
  cpuStart = childCpu();
  return performance.now();
};
const seconds = (started: number): string => `${((performance.now() - started) / 1000).toFixed(1)} s wall, ${(childCpu() - cpuStart).toFixed(1)} s ffmpeg CPU`;

const dir = await mkdtemp(join(tmpdir(), 'lambdaface-bench-montage-'));
const long = await buildLongVideo({
  clips: [join(FIXTURES, 'hamilton_short.mp4'), join(FIXTURES, 'crowd_walking.mp4')],
  minutes: Number(process.argv[2] ?? 2),
  cacheDir: join(tmpdir(), 'lambdaface-bench-video'),
});
const { video } = long;
const segment = (start: number, end: number): Segment => ({
  start,
  end,
  firstSeen: start,
  lastSeen: end - 0.25,
  bestConfidence: 1,
  bestFace: { time: start, box, confidence: 1, distance: 0.3 },
  faces: 4,
});
const ada: Segment[] = [];
const grace: Segment[] = [];
const sightings: Sighting[] = [];
for (let t = 0; t + 20 <= video.durationSeconds; t += 20) {
  ada.push(segment(t, t + 6));
  grace.push(segment(t + 4, t + 10));
  for (let x = t; x < t + 10; x += 0.25) sightings.push({ time: x, box, identity: x < t + 6 ? 'ada' : 'grace' });
}
const timeline: Timeline = {
  identities: [
    { name: 'ada', segments: ada, totalSeconds: 0 },
    { name: 'grace', segments: grace, totalSeconds: 0 },
  ],
  videoDuration: video.durationSeconds,
  sampleFps: 4,
  missingChunks: [],
};
const plan = planMontage(timeline, sightings, { capSeconds: 600, sampleFps: 4 });
console.log(
  `video ${video.width}x${video.height}, ${video.durationSeconds.toFixed(0)} s; montage ${plan.shownSeconds} s in ${plan.clips.length} pieces; load ${loadavg()[0]!.toFixed(1)}`,
);

let started = start();
const cuts = plan.clips.map((clip) => ({ start: clip.start, end: clip.end, label: 'ada, grace', boxes: clip.boxes ?? [] }));
await cutAndConcat(long.path, cuts, join(dir, 'before.mp4'), { video, boxHoldSeconds: 0.25 });
console.log(`one run per cut at ${video.height}p, in turn: ${seconds(started)}`);

const server = await startEmbeddedS3({ dir: join(dir, 's3'), buckets: ['bench'] });
const s3 = createS3Client(server.clientConfig);
try {
  const job = { bucket: 'bench', jobId: 'bench-a', video: { key: 'v', etag: 'e' }, scannedBy: undefined, options: { annotateMontage: true, sampleFps: 4 } };
  const where = { url: long.path, video, plan, tmpDir: dir, signal: undefined };
  started = start();
  const made = await makeMontage(s3, job, { ...where, montageKey: 'jobs/bench-a/montage.mp4' });
  console.log(`pieces at most 480p, joined by stream copy: ${seconds(started)} (${made.cut} cut)`);
  started = start();
  const again = await makeMontage(s3, { ...job, jobId: 'bench-b', scannedBy: 'bench-a' }, { ...where, montageKey: 'jobs/bench-b/montage.mp4' });
  console.log(`a later search of the same video: ${seconds(started)} (${again.reused} pieces found already cut)`);
} finally {
  s3.destroy();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}

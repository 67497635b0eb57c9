import { buildLongVideo } from './long-video.ts';
import { buildGallery } from '../shared/match/gallery.ts';
import { indexGallery } from '../shared/match/matcher.ts';
import { DEFAULT_SCAN_OPTIONS, scanChunk } from '../shared/recognize/scan.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
const lv = await buildLongVideo({ clips: ['fixtures/videos/hamilton_short.mp4','fixtures/videos/crowd_walking.mp4','fixtures/videos/tiny_5frames.mp4'], minutes: 1, cacheDir: 'bench/results', onLog: console.log });
console.log(lv.path, lv.video, lv.pieces, lv.buildMs);
const people = ['lin_manuel_miranda','alex_lacamoire','barack_obama'].map((name) => ({ name, photos: readdirSync(join('fixtures/faces', name)).map((f) => ({ source: join('fixtures/faces', name, f), bytes: readFileSync(join('fixtures/faces', name, f)) })) }));
let t = performance.now();
const g = indexGallery(await buildGallery(people));
console.log('gallery', performance.now() - t);
for (const threads of [1, 2]) {
  const opts = { ...DEFAULT_SCAN_OPTIONS, analyze: { ...DEFAULT_SCAN_OPTIONS.analyze, detect: { ...DEFAULT_SCAN_OPTIONS.analyze.detect, threads } } };
  t = performance.now();
  const r = await scanChunk(lv.path, { index: 0, start: 0, end: 30 }, g, opts, { jobId: 'x', video: lv.video });
  const ms = performance.now() - t;
  console.log('threads', threads, r.framesScanned, r.faces.length, ms, ms / r.framesScanned);
}

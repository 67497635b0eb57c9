/**
 * One pipeline's whole scan of one video, alone in this process: the child that bench/vision.ts
 * starts for its isolated figures, so neither library's heap, JIT or caches weigh on the other.
 * Argument: a JSON AloneSpec. Warms up with one untimed scan, times the next, prints one JSON line.
 */
import { SearchOptions } from '../shared/config/options.ts';
import { predictionsOfChunks, type Prediction } from '../shared/eval/score.ts';
import { scanChunk, scanOptionsFor } from '../shared/recognize/scan.ts';
import { probeVideo } from '../shared/video/probe.ts';
import { MAX_SCAN_WIDTH } from '../shared/vision/options.ts';
import { galleryOfFiles } from './our-gallery.ts';
import { buildPeerGallery, peerScan } from './peer.ts';

export type AlonePipeline = 'ours pyramid' | 'ours whole-frame' | 'face-api ssd' | 'face-api tiny';

export interface AloneSpec {
  pipeline: AlonePipeline;
  video: string;
  sampleFps: number;
  people: { name: string; photos: string[] }[];
}

export interface AloneResult {
  wallMs: number;
  frames: number;
  faces: number;
  predictions: Prediction[];
}

const spec = JSON.parse(process.argv[2] ?? '') as AloneSpec;
const video = await probeVideo(spec.video);

async function scanner(): Promise<() => Promise<Omit<AloneResult, 'wallMs'>>> {
  if (spec.pipeline === 'face-api ssd' || spec.pipeline === 'face-api tiny') {
    const detector = spec.pipeline === 'face-api ssd' ? 'ssd' : 'tiny';
    const gallery = await buildPeerGallery(spec.people, detector);
    return () => peerScan(spec.video, { sampleFps: spec.sampleFps, maxWidth: MAX_SCAN_WIDTH, video }, gallery, detector);
  }
  const gallery = await galleryOfFiles(spec.people);
  const options = scanOptionsFor(SearchOptions.parse({ sampleFps: spec.sampleFps, smallFaces: spec.pipeline === 'ours pyramid' }), 1);
  return async () => {
    const result = await scanChunk(spec.video, { index: 0, start: 0, end: video.durationSeconds }, gallery, options, { jobId: 'bench', video });
    return { predictions: predictionsOfChunks([result]), frames: result.framesScanned, faces: result.faces.length };
  };
}

const scan = await scanner();
await scan();
const start = performance.now();
const result = await scan();
const out: AloneResult = { wallMs: performance.now() - start, ...result };
process.stdout.write(`${JSON.stringify(out)}\n`);

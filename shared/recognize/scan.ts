import { DEFAULT_SAMPLE_FPS, type SearchOptions } from '../config/options.ts';
import type { ChunkRange, ChunkResult } from '../schemas/faces.ts';
import { nameFaces, type ScannedFace } from './name-faces.ts';
import { DEFAULT_RULE, type GalleryIndex, type MatchRule } from '../match/matcher.ts';
import { DEFAULT_TRACK_OPTIONS, type TrackOptions } from '../match/tracks.ts';
import { TrackDescriber, type SightedFace } from './track-describer.ts';
import { mediaError } from '../errors.ts';
import { decodeFrames, frameSize } from '../video/decode.ts';
import { expectedSamples } from '../video/sampling.ts';
import type { VideoInfo } from '../video/types.ts';
import { analyzeImage } from '../vision/analyze.ts';
import { modelsFingerprint } from '../vision/models.ts';
import { faceQuality } from '../vision/quality.ts';
import { DEFAULT_ANALYZE_OPTIONS, DEFAULT_DETECT_OPTIONS, MAX_SCAN_WIDTH, type AnalyzeOptions } from '../vision/options.ts';
import { roundTo } from '../numbers/round.ts';

export interface ScanOptions {
  sampleFps: number;
  analyze: AnalyzeOptions;
  rule: MatchRule;
  tracks: TrackOptions;
  /** Frames wider than this are scaled down before detection. */
  maxWidth: number;
}

export const DEFAULT_SCAN_OPTIONS: ScanOptions = {
  sampleFps: DEFAULT_SAMPLE_FPS,
  analyze: DEFAULT_ANALYZE_OPTIONS,
  rule: DEFAULT_RULE,
  tracks: DEFAULT_TRACK_OPTIONS,
  maxWidth: MAX_SCAN_WIDTH,
};

/** How a search's options and the runtime's ONNX threads translate into a scan. */
export function scanOptionsFor(options: SearchOptions, threads: number): ScanOptions {
  return {
    ...DEFAULT_SCAN_OPTIONS,
    sampleFps: options.sampleFps,
    rule: { ...DEFAULT_RULE, ...(options.threshold === undefined ? {} : { threshold: options.threshold }) },
    analyze: {
      ...DEFAULT_SCAN_OPTIONS.analyze,
      detect: { ...DEFAULT_DETECT_OPTIONS, threads, ...(options.smallFaces ? {} : { minWindowSide: null }) },
    },
  };
}

export interface ScanContext {
  jobId: string;
  /** The probe of the source (the shard step has it): frame size and start time. */
  video: VideoInfo;
  onFrame?: (framesScanned: number, facesFound: number) => void;
  /** Stops the scan: ffmpeg is killed and scanChunk rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/**
 * A chunk that yields far fewer frames than the probe promises was not looked at: a file cut short
 * after its header, or a tool that is not ffmpeg. Its empty result would read as "nobody here" and
 * be kept for every later run, so it is an error instead. (Half leaves room for variable frame
 * rates, where a long-held frame stands for several samples.)
 */
function checkFramesDecoded(framesScanned: number, chunk: ChunkRange, sampleFps: number, video: VideoInfo): void {
  const expected = expectedSamples(video, chunk.start, chunk.end, sampleFps);
  if (framesScanned >= Math.ceil(expected / 2)) return;
  // The likely cause is in the message: a failed chunk's hint does not reach the user through the map.
  throw mediaError(
    `only ${framesScanned} of the ${expected} frames expected in [${chunk.start}, ${chunk.end}) s of the video could be decoded: the file may be cut short (its header still states the full length)`,
    {
      input: 'video',
      hint: 'check that the video plays to its end; if it does, check the ffmpeg in use (LAMBDAFACE_FFMPEG)',
    },
  );
}

/**
 * Scans one chunk of a video: every sampled frame through detect -> landmarks -> align -> dlib
 * descriptor, faces linked into tracks as they come, each track's best few faces described by
 * FaceRes too, then each track named by its fused descriptor (shared/match/tracks.ts), so the
 * clear frames of a person carry the hard ones. Every face is kept, named or not, with its
 * descriptors; a named face's distance is its track's, an unnamed one's its own (dlib) to the
 * nearest identity.
 */
export async function scanChunk(source: string, chunk: ChunkRange, gallery: GalleryIndex, options: ScanOptions, context: ScanContext): Promise<ChunkResult> {
  const started = performance.now();
  const sightings: SightedFace[] = [];
  const describer = new TrackDescriber(sightings, options);
  // Boxes are stored in the source's pixels even when frames are scaled down for detection.
  const scale = context.video.width / frameSize(context.video, options.maxWidth).width;
  let framesScanned = 0;
  for await (const frame of decodeFrames(source, {
    start: chunk.start,
    end: chunk.end,
    sampleFps: options.sampleFps,
    maxWidth: options.maxWidth,
    video: context.video,
    signal: context.signal,
    // Each frame is done with before the next is asked for: FaceRes chips are copies.
    reuseFrameBuffers: true,
  })) {
    const image = { width: frame.width, height: frame.height, data: new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.length) };
    const found = (await analyzeImage(image, options.analyze)).map((face) => ({
      points: face.points,
      face: { sample: frame.index, time: frame.time, box: face.box, score: face.score, embedding: face.embedding, quality: faceQuality(face) },
    }));
    await describer.addFrame(image, frame.index, found);
    framesScanned++;
    context.onFrame?.(framesScanned, sightings.length);
  }
  await describer.finish();
  checkFramesDecoded(framesScanned, chunk, options.sampleFps, context.video);
  const scanned: ScannedFace[] = sightings.map((sighting, i) => ({
    time: roundTo(sighting.time, 6),
    box: {
      x: roundTo(sighting.box.x * scale, 1),
      y: roundTo(sighting.box.y * scale, 1),
      width: roundTo(sighting.box.width * scale, 1),
      height: roundTo(sighting.box.height * scale, 1),
    },
    score: roundTo(sighting.score, 4),
    quality: roundTo(sighting.quality, 4),
    track: `${chunk.index}-${describer.trackOf[i]}`,
    embedding: Array.from(sighting.embedding, (v) => roundTo(v, 5)),
    ...(sighting.faceres === undefined ? {} : { faceres: Array.from(sighting.faceres, (v) => roundTo(v, 5)) }),
  }));
  const faces = nameFaces(scanned, gallery, options.rule, options.tracks, scale);
  return {
    version: 3,
    jobId: context.jobId,
    models: await modelsFingerprint(),
    chunk,
    sampleFps: options.sampleFps,
    framesScanned,
    faces,
    elapsedMs: Math.round(performance.now() - started),
  };
}

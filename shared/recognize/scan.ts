import type { SearchOptions } from '../config/options.ts';
import type { ChunkRange, ChunkResult, FaceRecord } from '../schemas/faces.ts';
import { DEFAULT_RULE, matchEmbedding, type GalleryIndex, type MatchRule } from '../match/matcher.ts';
import { DEFAULT_TRACK_OPTIONS, labelTracks, linkTracks, type Sighting, type TrackOptions } from '../match/tracks.ts';
import { mediaError } from '../errors.ts';
import { decodeFrames } from '../video/decode.ts';
import { expectedSamples } from '../video/sampling.ts';
import type { VideoInfo } from '../video/types.ts';
import { analyzeImage } from '../vision/analyze.ts';
import { modelsFingerprint } from '../vision/models.ts';
import { DEFAULT_ANALYZE_OPTIONS, DEFAULT_DETECT_OPTIONS, MAX_SCAN_WIDTH, type AnalyzeOptions } from '../vision/options.ts';

export interface ScanOptions {
  sampleFps: number;
  analyze: AnalyzeOptions;
  rule: MatchRule;
  tracks: TrackOptions;
  /** Frames wider than this are scaled down before detection. */
  maxWidth: number;
}

export const DEFAULT_SCAN_OPTIONS: ScanOptions = {
  sampleFps: 4,
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

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Scans one chunk of a video: every sampled frame through detect -> landmarks -> align -> embed ->
 * then links faces into tracks and names each track by its mean descriptor, so the clear frames of
 * a person carry the hard ones. Every face is kept, named or not, with its descriptor; a named
 * face's distance is its track's, an unnamed one's its own to the nearest identity.
 */
export async function scanChunk(
  source: string,
  chunk: ChunkRange,
  gallery: GalleryIndex,
  options: ScanOptions,
  context: ScanContext,
): Promise<ChunkResult> {
  const started = performance.now();
  const sightings: (Sighting & { time: number; score: number; scale: number; distance: number })[] = [];
  let framesScanned = 0;
  for await (const frame of decodeFrames(source, {
    start: chunk.start,
    end: chunk.end,
    sampleFps: options.sampleFps,
    maxWidth: options.maxWidth,
    video: context.video,
    signal: context.signal,
  })) {
    const image = { width: frame.width, height: frame.height, data: new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.length) };
    // Boxes are reported in the source's pixels even when frames were scaled down.
    const scale = context.video.width / frame.width;
    for (const face of await analyzeImage(image, options.analyze)) {
      sightings.push({
        sample: frame.index,
        time: frame.time,
        box: face.box,
        score: face.score,
        embedding: face.embedding,
        distance: matchEmbedding(gallery, face.embedding, options.rule).distance,
        scale,
      });
    }
    framesScanned++;
    context.onFrame?.(framesScanned, sightings.length);
  }
  checkFramesDecoded(framesScanned, chunk, options.sampleFps, context.video);
  const trackOf = linkTracks(sightings, options.tracks);
  const labels = labelTracks(sightings, trackOf, gallery, options.rule, options.tracks);
  const faces: FaceRecord[] = sightings.map((sighting, i) => ({
    time: round(sighting.time, 6),
    box: {
      x: round(sighting.box.x * sighting.scale, 1),
      y: round(sighting.box.y * sighting.scale, 1),
      width: round(sighting.box.width * sighting.scale, 1),
      height: round(sighting.box.height * sighting.scale, 1),
    },
    score: round(sighting.score, 4),
    identity: labels[i]!.identity,
    distance: round(labels[i]!.identity === null ? sighting.distance : labels[i]!.distance, 4),
    confidence: round(labels[i]!.confidence, 4),
    track: `${chunk.index}-${trackOf[i]}`,
    embedding: Array.from(sighting.embedding, (v) => round(v, 5)),
  }));
  return {
    version: 2,
    jobId: context.jobId,
    models: await modelsFingerprint(),
    chunk,
    sampleFps: options.sampleFps,
    framesScanned,
    faces,
    elapsedMs: Math.round(performance.now() - started),
  };
}

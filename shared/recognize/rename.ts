import type { GalleryIndex } from '../match/matcher.ts';
import type { ChunkResult, FaceRecord } from '../schemas/faces.ts';
import { frameSize } from '../video/decode.ts';
import type { VideoInfo } from '../video/types.ts';
import { nameFaces, type ScannedFace } from './name-faces.ts';
import type { ScanOptions } from './scan.ts';

const withoutNames = ({ identity, distance, confidence, threshold, ...scanned }: FaceRecord): ScannedFace => scanned;

/**
 * A chunk result of this job made from an earlier job's scan of the same chunk: the stored faces,
 * tracks and descriptors named again with this job's gallery. No frame is decoded; the names are
 * the ones a fresh scan would give (shared/recognize/name-faces.ts).
 */
export function renameChunk(earlier: ChunkResult, gallery: GalleryIndex, options: ScanOptions, context: { jobId: string; video: VideoInfo }): ChunkResult {
  const started = performance.now();
  const scale = context.video.width / frameSize(context.video, options.maxWidth).width;
  const faces = nameFaces(earlier.faces.map(withoutNames), gallery, options.rule, options.tracks, scale);
  return { ...earlier, jobId: context.jobId, scannedBy: earlier.jobId, faces, elapsedMs: Math.round(performance.now() - started) };
}

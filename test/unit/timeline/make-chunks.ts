import { EMBEDDING_SIZE } from '../../../shared/schemas/gallery.ts';
import type { ChunkResult, FaceRecord } from '../../../shared/schemas/faces.ts';

/** A face of `identity` at `time`; the rest is filler that the timeline must carry or ignore. */
export function face(identity: string | null, time: number, extra: Partial<FaceRecord> = {}): FaceRecord {
  return {
    time,
    box: { x: 10, y: 20, width: 30, height: 40 },
    score: 0.9,
    quality: 0.5,
    identity,
    distance: identity === null ? 0.7 : 0.4,
    confidence: identity === null ? 0 : 0.8,
    track: `t-${time}`,
    embedding: new Array<number>(EMBEDDING_SIZE).fill(0),
    ...extra,
  };
}

export function chunk(index: number, start: number, end: number, faces: FaceRecord[], sampleFps = 2): ChunkResult {
  return { version: 3, jobId: 'job-1', models: 'models-1', chunk: { index, start, end }, sampleFps, framesScanned: 10, faces, elapsedMs: 5 };
}

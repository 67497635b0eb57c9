import { EMBEDDING_SIZE } from '../../../shared/schemas/gallery.ts';
import type { ChunkResult, FaceRecord } from '../../../shared/schemas/faces.ts';
import type { Segment } from '../../../shared/schemas/timeline.ts';

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

/** A timeline segment [start, end) whose other fields are filler the exports must carry or ignore. */
export function segment(start: number, end: number): Segment {
  return {
    start,
    end,
    firstSeen: start,
    lastSeen: end,
    bestConfidence: 0.9,
    bestFace: { time: start, box: { x: 1, y: 2, width: 3, height: 4 }, confidence: 0.9, distance: 0.4 },
    faces: 2,
  };
}

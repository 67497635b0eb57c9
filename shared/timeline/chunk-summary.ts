import type { ChunkResult, ChunkSightings } from '../schemas/faces.ts';
import type { UnnamedTrack } from '../schemas/chunk-summary.ts';
import { unnamedTracks } from './unknown-people.ts';

export interface ChunkSummary {
  sightings: ChunkSightings;
  /** The chunk's unnamed tracks, each with its descriptors: a track never crosses a chunk (its id is `<chunk>-<n>`). */
  tracks: UnnamedTrack[];
}

/**
 * What the merge keeps of one chunk result: its faces without their descriptors, and one
 * descriptor per unnamed track for grouping unknown people. Read chunk by chunk, a whole video's
 * per-face descriptors are never held at once. `scale`: source pixels per analysed pixel.
 */
export function summarizeChunk(result: ChunkResult, scale: number): ChunkSummary {
  const tracks = unnamedTracks([result], scale);
  const faces = result.faces.map(({ embedding: _embedding, faceres: _faceres, ...face }) => face);
  return { sightings: { ...result, faces }, tracks };
}

import { z } from 'zod';
import { Box, ChunkSightings } from './faces.ts';
import { Embedding, FaceResDescriptor } from './gallery.ts';

const seconds = z.number().finite().min(0);

/** Descriptors are held as typed arrays, outside the JS heap: a long video's shortlist holds 4,000 tracks' worth. */
const held = (values: number[]): Float64Array => Float64Array.from(values);

/**
 * An unnamed track with what grouping and the timeline need of it (shared/timeline/unknown-people.ts
 * unnamedTracks; a TrackRecord of shared/match/cluster.ts): its descriptors (six digits, stored as
 * JSON arrays, held as Float64Arrays), its faces' times and boxes, and its clearest face.
 */
export const UnnamedTrack = z.object({
  track: z.string().min(1),
  dlib: Embedding.transform(held),
  faceres: FaceResDescriptor.transform(held).optional(),
  sightings: z.number().int().min(1),
  weight: z.number().finite().min(0),
  faceWidth: z.number().finite().min(0),
  times: z.array(seconds),
  boxes: z.array(Box),
  best: z.object({ time: seconds, box: Box, quality: z.number().min(0).max(1) }),
});
export type UnnamedTrack = z.output<typeof UnnamedTrack>;

/**
 * intermediate/<jobId>/chunks/<index>.summary.json, written by Recognize beside the chunk result:
 * what Montage keeps of it (shared/timeline/chunk-summary.ts), a small part of its bytes, since
 * no face's descriptors are in it. It names the ETag of the result it was made from: Montage uses
 * it only while the result is still that object, and reads the result itself otherwise. `version`
 * is bumped whenever what a summary keeps, or how it is computed, changes (a rerun skips intact
 * results, and would otherwise trust their old summaries).
 */
export const StoredChunkSummary = z.object({
  version: z.literal(1),
  resultTag: z.string().min(1),
  /** Source pixels per analysed pixel, which the tracks' face widths were measured with. */
  scale: z.number().finite().positive(),
  sightings: ChunkSightings,
  tracks: z.array(UnnamedTrack),
});
/** A summary as written: descriptors as plain arrays, which JSON keeps. */
export type StoredChunkSummary = z.input<typeof StoredChunkSummary>;

import { z } from 'zod';
import { Box, ChunkRange } from './faces.ts';
import { SkippedPhoto } from './gallery.ts';
import { IdentityName } from './job.ts';

/**
 * When each person appears in the video: jobs/<id>/timeline.json, read back by the montage and
 * the report page. Times are seconds from the video's first decoded frame.
 */

const seconds = z.number().finite().min(0);

/** The most confident face of a segment: what the report shows as its thumbnail. */
export const BestFace = z.object({
  time: seconds,
  box: Box,
  confidence: z.number().min(0).max(1),
  distance: z.number().finite().min(0).nullable(),
  /** The threshold this face's track was named under, when the chunk result says (the report's margin). */
  threshold: z.number().finite().optional(),
});

export const Segment = z
  .object({
    /** Start of the covered interval [start, end): the first sample's time. */
    start: seconds,
    /** End of the covered interval: the last sample's time plus one sampling period, clamped to the video. */
    end: seconds,
    /** Time of the first and last face seen; the interval adds the sampling period after lastSeen. */
    firstSeen: seconds,
    lastSeen: seconds,
    bestConfidence: z.number().min(0).max(1),
    bestFace: BestFace,
    /** Number of face records merged into the segment. */
    faces: z.number().int().min(1),
  })
  .refine((segment) => segment.end >= segment.start, { message: 'a segment must not end before it starts', path: ['end'] });

export const TimelineIdentity = z.object({
  name: IdentityName,
  segments: z.array(Segment),
  /** Length of the union of the segments. */
  totalSeconds: seconds,
});

/** What enrolment said about one person's reference photos: notes (several faces, the largest taken) and photos it could not use. */
export const EnrolmentNotes = z.object({
  name: IdentityName,
  notes: z.array(z.string()),
  skipped: z.array(SkippedPhoto),
});

/**
 * A track no one was named in, just above the threshold for the identity it was nearest to
 * (shared/timeline/near-misses.ts): for a person to confirm, and then perhaps enrol, or reject.
 */
export const NearMiss = z.object({
  name: IdentityName,
  track: z.string(),
  firstSeen: seconds,
  lastSeen: seconds,
  distance: z.number().finite().min(0),
  threshold: z.number().finite(),
  bestFace: z.object({ time: seconds, box: Box }),
});

export const Timeline = z.object({
  /** The job that wrote it (its storage id): `search --reuse-scan <this timeline's folder>` reuses that job's scan. */
  jobId: z.string().min(1).optional(),
  identities: z.array(TimelineIdentity),
  videoDuration: seconds,
  sampleFps: z.number().finite().positive(),
  /**
   * Chunks with no result (the map tolerated their failure). Nobody was looked for there, so no
   * segment is bridged across them and the report must say so.
   */
  missingChunks: z.array(ChunkRange),
  /** Unnamed tracks just above the threshold, closest first. Absent in timelines written before them. */
  nearMisses: z.array(NearMiss).optional(),
  /** Per person, what enrolment said about the reference photos. Absent in timelines written before it was added. */
  enrolment: z.array(EnrolmentNotes).optional(),
});

export type BestFace = z.infer<typeof BestFace>;
export type Segment = z.infer<typeof Segment>;
export type TimelineIdentity = z.infer<typeof TimelineIdentity>;
export type EnrolmentNotes = z.infer<typeof EnrolmentNotes>;
export type Timeline = z.infer<typeof Timeline>;
export type NearMiss = z.infer<typeof NearMiss>;

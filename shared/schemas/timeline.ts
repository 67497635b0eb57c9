import { z } from 'zod';
import { Box, ChunkRange } from './faces.ts';
import { SkippedPhoto } from './gallery.ts';
import { IdentityName, UnknownPersonId } from './job.ts';

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

/** A stretch of the video where an unknown person is on screen: sightings closer than the gap tolerance, as for named people. */
export const UnknownSegment = z
  .object({ start: seconds, end: seconds, firstSeen: seconds, lastSeen: seconds, faces: z.number().int().min(1) })
  .refine((segment) => segment.end >= segment.start, { message: 'a segment must not end before it starts', path: ['end'] });

/** A face an unknown person is shown by: the clearest (highest quality) of one of their tracks. */
export const UnknownFace = z.object({ time: seconds, box: Box, quality: z.number().min(0).max(1), track: z.string() });

/**
 * Someone nobody enrolled, seen in several tracks that clustering put together
 * (shared/timeline/unknown-people.ts): enrol them with `--face <name>=cluster:<id>` and `--reuse-scan`.
 */
export const UnknownPerson = z.object({
  id: UnknownPersonId,
  /** Their tracks' ids, the heaviest (most, clearest faces) first. */
  tracks: z.array(z.string()).min(1),
  firstSeen: seconds,
  lastSeen: seconds,
  /** Length of the union of the segments. */
  totalSeconds: seconds,
  segments: z.array(UnknownSegment).min(1),
  /** Their clearest faces, one per track, best first (at most 3): the report's thumbnails. */
  bestFaces: z.array(UnknownFace).min(1).max(3),
});

/** The people nobody enrolled, grouped across the whole video (README, "Unknown people"). */
export const UnknownPeople = z.object({
  people: z.array(UnknownPerson),
  /** Unnamed tracks left out: seen once and like nobody else (noise), or without a FaceRes descriptor. */
  ignoredTracks: z.number().int().min(0),
  /** The fused distance two tracks of large faces may be apart and still be one person (the rule's threshold). */
  threshold: z.number().finite(),
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
  /** The people nobody enrolled, grouped from the unnamed tracks. Absent in timelines written before it was added. */
  unknown: UnknownPeople.optional(),
  /** Per person, what enrolment said about the reference photos. Absent in timelines written before it was added. */
  enrolment: z.array(EnrolmentNotes).optional(),
});

export type BestFace = z.infer<typeof BestFace>;
export type Segment = z.infer<typeof Segment>;
export type TimelineIdentity = z.infer<typeof TimelineIdentity>;
export type EnrolmentNotes = z.infer<typeof EnrolmentNotes>;
export type Timeline = z.infer<typeof Timeline>;
export type NearMiss = z.infer<typeof NearMiss>;
export type UnknownSegment = z.infer<typeof UnknownSegment>;
export type UnknownPerson = z.infer<typeof UnknownPerson>;
export type UnknownPeople = z.infer<typeof UnknownPeople>;

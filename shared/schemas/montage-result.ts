import { z } from 'zod';
import { EnrolmentNotes } from './timeline.ts';

/**
 * What the Montage step returns, which is the execution's output: where the outputs are and a
 * summary of who was found. One contract for the step, the local runner and `search --remote`,
 * which reads it back from Step Functions.
 */
export const MontageResult = z.object({
  jobId: z.string().min(1),
  bucket: z.string().min(1),
  outputs: z.object({
    timelineJson: z.string(),
    timelineCsv: z.string(),
    timelineVtt: z.string(),
    /** Exports for editors and players (edit list, chapters); absent from results written before them. */
    exports: z.array(z.string()).default([]),
    report: z.string(),
    montage: z.string().nullable(),
    thumbnails: z.array(z.string()),
  }),
  identities: z.array(
    z.object({
      name: z.string(),
      segments: z.number().int().min(0),
      totalSeconds: z.number().min(0),
      firstSeen: z.number().nullable(),
      lastSeen: z.number().nullable(),
    }),
  ),
  notFound: z.array(z.string()),
  missingChunks: z.number().int().min(0),
  /** The people nobody enrolled, grouped from the unnamed tracks (timeline.json has their segments and faces); absent from older results. */
  unknown: z
    .array(
      z.object({
        id: z.string(),
        firstSeen: z.number(),
        lastSeen: z.number(),
        totalSeconds: z.number().min(0),
        segments: z.number().int().min(1),
        tracks: z.number().int().min(1),
      }),
    )
    .default([]),
  /** How many unknown people there are in all: `unknown` lists at most 50 (the longest on screen). */
  unknownTotal: z.number().int().min(0).default(0),
  /** Unnamed tracks just above the threshold for someone (timeline.json has their faces); absent from older results. */
  nearMisses: z.array(z.object({ name: z.string(), firstSeen: z.number(), lastSeen: z.number(), distance: z.number(), threshold: z.number() })).default([]),
  videoDuration: z.number().min(0),
  /** Per person, enrolment's notes on the reference photos and the photos it skipped (sources as s3:// URLs). */
  photos: z.array(EnrolmentNotes).default([]),
  /**
   * For a job that reused an earlier job's scan: that job, and how many of the chunks scanned were
   * named from its stored faces (the rest had to be decoded again).
   */
  reusedScan: z.object({ from: z.string(), chunks: z.number().int().min(0), reused: z.number().int().min(0) }).optional(),
  /**
   * The montage made (absent when none was: off, nobody found, or it failed, which a warning says):
   * its length, the on-screen time it was cut from, the cap, and the spans it shortened (to their
   * first `shown` seconds) or left out (`shown` 0), the first 50 listed (the report lists all).
   * `pieces`: how many it was joined from; `reusedPieces`: how many were found already cut.
   */
  montage: z
    .object({
      seconds: z.number().min(0),
      onScreenSeconds: z.number().min(0),
      shownSeconds: z.number().min(0),
      capSeconds: z.number().min(0),
      shortened: z.number().int().min(0),
      leftOut: z.number().int().min(0),
      omitted: z.array(z.object({ start: z.number(), end: z.number(), names: z.array(z.string()), shown: z.number().min(0) })),
      pieces: z.number().int().min(0),
      reusedPieces: z.number().int().min(0),
    })
    .optional(),
  /** Thumbnails in the outputs (named and unknown people's), and how many of them were found already cut (stored-thumbnails.ts); absent from older results. */
  thumbnailCount: z.object({ made: z.number().int().min(0), reused: z.number().int().min(0) }).optional(),
  /** What the user must know to trust the result, e.g. a video too short to name anyone. */
  warnings: z.array(z.string()).default([]),
});
export type MontageResult = z.infer<typeof MontageResult>;

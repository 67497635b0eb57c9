import { z } from 'zod';
import { EnrolmentNotes } from './timeline.ts';

/**
 * What the Montage step returns, which is the execution's output: where the outputs are and a
 * summary of who was found. One contract for the step, the local runner and `search --remote`,
 * which reads it back from Step Functions.
 */
export const FinishResult = z.object({
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
  /** Unnamed tracks just above the threshold for someone (timeline.json has their faces); absent from older results. */
  nearMisses: z
    .array(z.object({ name: z.string(), firstSeen: z.number(), lastSeen: z.number(), distance: z.number(), threshold: z.number() }))
    .default([]),
  videoDuration: z.number().min(0),
  /** Per person, enrolment's notes on the reference photos and the photos it skipped (sources as s3:// URLs). */
  photos: z.array(EnrolmentNotes).default([]),
  /**
   * For a job that reused an earlier job's scan: that job, and how many of the chunks scanned were
   * named from its stored faces (the rest had to be decoded again).
   */
  reusedScan: z.object({ from: z.string(), chunks: z.number().int().min(0), reused: z.number().int().min(0) }).optional(),
  /** What the user must know to trust the result, e.g. a video too short to name anyone. */
  warnings: z.array(z.string()).default([]),
});
export type FinishResult = z.infer<typeof FinishResult>;

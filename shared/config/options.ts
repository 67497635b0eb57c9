import { z } from 'zod';

/**
 * The one schema for a search's tunable options, shared by the CLI, the job input and every handler.
 * Defaults live here and nowhere else.
 */
export const SearchOptions = z
  .object({
    /** Frames scanned per second of video. */
    sampleFps: z.number().positive().max(60).default(4),
    /** Length of one recognize task's slice of the video. */
    chunkSeconds: z.number().min(1).max(3600).default(60),
    /**
     * Largest fused distance that names a track of large faces (shared/match/matcher.ts; small faces
     * and single sightings are adjusted from it). Calibrated on photo sets; see README.
     */
    threshold: z.number().positive().max(2).optional(),
    /** Gap between two sightings of one person that still counts as one segment. */
    gapSeconds: z.number().min(0).max(600).default(1.5),
    /** Segments shorter than this are dropped from the timeline. */
    minSegmentSeconds: z.number().min(0).max(600).default(0),
    /** Chunks handed to one recognize invocation (Distributed Map ItemBatcher). */
    itemsPerBatch: z.number().int().min(1).max(100).default(1),
    /** Parallel recognize invocations; 0 lets the runtime choose (AWS: up to 10,000; locally: the cores). */
    maxConcurrency: z.number().int().min(0).max(10_000).default(0),
    /** Share of chunks allowed to fail before the whole run fails. */
    toleratedFailurePercentage: z.number().int().min(0).max(100).default(0),
    /**
     * Scan the frame's finer scales for faces under about 5% of its width (crowds, wide shots).
     * Off, only the whole frame is scanned: faster, and enough when every face is large.
     */
    smallFaces: z.boolean().default(true),
    /** Build montage.mp4 from the timeline's segments. */
    montage: z.boolean().default(true),
    /** Draw names and boxes on the montage. */
    annotateMontage: z.boolean().default(true),
  })
  .strict();

export type SearchOptions = z.infer<typeof SearchOptions>;
export type SearchOptionsInput = z.input<typeof SearchOptions>;

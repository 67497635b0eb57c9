import { z } from 'zod';

/** Frames scanned per second of video by default: see sampleFps. */
export const DEFAULT_SAMPLE_FPS = 4;

/**
 * The matching rule's defaults (shared/match/matcher.ts's MatchRule says what each means). From
 * `lambdaface eval-photos` on ../shared/data/faces (fused distances of probes to the other
 * photos' identities, a Gaussian fitted to the impostor distances): the threshold is where the
 * false-accept rate per probe and identity is 1e-3 for video-like faces (64 px); with the
 * allowance, for the hard condition's 40-px faces; a single sighting is held to 1e-4. The margin
 * refuses none of the hard condition's genuine probes that a zero margin names.
 */
export const DEFAULT_MATCH_RULE = {
  threshold: 0.53,
  smallFaceAllowance: 0.026,
  singleSightingPenalty: 0.05,
  margin: 0.04,
  softness: 0.04,
  nearMissBand: 0.05,
} as const;

/** Recognize invocations at once by default: see maxConcurrency. */
export const DEFAULT_MAX_CONCURRENCY = 400;
/** Chunks that may fail by default: see toleratedFailurePercentage. */
export const DEFAULT_TOLERATED_FAILURE_PERCENTAGE = 5;

/**
 * What one recognize invocation may be asked to do, so it finishes well inside Lambda's 900 s
 * limit whatever the video. Work is counted in sampled frames (itemsPerBatch x chunkSeconds x
 * sampleFps). The dearest frame measured (1080p crowd, 3 pyramid levels, ~5 faces) took 0.116 s
 * on one vCPU; 0.25 s allows twice that, and half the timeout is left for cold start, S3 and a
 * retry of a slow read. So 1,800 frames: 60 s chunks at up to 30 fps, or 450 s chunks at 4 fps.
 */
export const INVOCATION_BUDGET = {
  functionTimeoutSeconds: 900,
  safeShare: 0.5,
  secondsPerFrame: 0.25,
} as const;
export const MAX_FRAMES_PER_INVOCATION = Math.floor((INVOCATION_BUDGET.functionTimeoutSeconds * INVOCATION_BUDGET.safeShare) / INVOCATION_BUDGET.secondsPerFrame);

/**
 * The montage's frame height at most (480p): pieces are cut and encoded at this size, whatever the
 * source's, so the montage's cost and size follow its length, not the source's resolution.
 */
export const MONTAGE_MAX_HEIGHT = 480;

/**
 * The one schema for a search's tunable options, shared by the CLI, the job input and every handler.
 * Defaults live here and nowhere else.
 */
export const SearchOptions = z
  .object({
    /** Frames scanned per second of video. */
    sampleFps: z.number().positive().max(60).default(DEFAULT_SAMPLE_FPS),
    /** Length of one recognize task's slice of the video. */
    chunkSeconds: z.number().min(1).max(3600).default(60),
    /**
     * Largest fused distance that names a track of large faces (shared/match/matcher.ts; small faces
     * and single sightings are adjusted from it). Calibrated on photo sets; see README. Unset:
     * DEFAULT_MATCH_RULE.threshold.
     */
    threshold: z.number().positive().max(2).optional(),
    /** Gap between two sightings of one person that still counts as one segment. */
    gapSeconds: z.number().min(0).max(600).default(1.5),
    /** Segments shorter than this are dropped from the timeline. */
    minSegmentSeconds: z.number().min(0).max(600).default(0),
    /** Chunks handed to one recognize invocation (Distributed Map ItemBatcher). */
    itemsPerBatch: z.number().int().min(1).max(100).default(1),
    /**
     * Parallel recognize invocations (the Distributed Map's MaxConcurrency). 0 lets the runtime
     * choose (AWS: up to 10,000, far past an account's Lambda quota; locally: the cores). The
     * default covers a six-hour video of 60 s chunks in one wave while leaving 60% of AWS's default
     * 1,000-invocation account quota to everything else (see docs/deploy.md, "Limits").
     */
    maxConcurrency: z.number().int().min(0).max(10_000).default(DEFAULT_MAX_CONCURRENCY),
    /**
     * Share of chunks allowed to fail (after their retries) before the whole run fails. A few lost
     * chunks of a long video should not throw away the rest: they are listed in the timeline's
     * missingChunks and the report as not scanned.
     */
    toleratedFailurePercentage: z.number().int().min(0).max(100).default(DEFAULT_TOLERATED_FAILURE_PERCENTAGE),
    /**
     * Scan the frame's finer scales for faces under about 5% of its width (crowds, wide shots).
     * Off, only the whole frame is scanned: faster, and enough when every face is large.
     */
    smallFaces: z.boolean().default(true),
    /** Build montage.mp4 from the timeline's segments. */
    montage: z.boolean().default(true),
    /** Draw names and boxes on the montage. */
    annotateMontage: z.boolean().default(true),
    /**
     * Longest montage, in seconds. When everyone's on-screen time is longer, each appearance is
     * shortened to its beginning, or left out when even a couple of seconds each would not fit;
     * the result and the report list what was shortened or left out (timeline/montage-plan.ts).
     * It bounds the montage's work and size whatever the video's length.
     */
    montageMaxSeconds: z
      .number()
      .min(1)
      .max(6 * 3600)
      .default(600),
  })
  .strict();

export type SearchOptions = z.infer<typeof SearchOptions>;
export type SearchOptionsInput = z.input<typeof SearchOptions>;

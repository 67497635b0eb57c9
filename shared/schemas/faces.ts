import { z } from 'zod';
import { parseInput } from '../errors.ts';
import { Embedding, FaceResDescriptor } from './gallery.ts';
import { IdentityName } from './job.ts';

/**
 * The S3 object a recognize task writes per chunk (intermediate/<id>/chunks/<index>.json). It crosses a
 * process boundary and may come from another version of the code, so it is validated whenever read.
 */

const seconds = z.number().finite().min(0);

/** A face's box in pixels of the source video frame (not of a scaled detector input). */
export const Box = z.object({
  x: z.number().finite(),
  y: z.number().finite(),
  width: z.number().finite().min(0),
  height: z.number().finite().min(0),
});

/** One slice of the video, as listed in the chunk manifest: [start, end) in seconds. */
export const ChunkRange = z
  .object({
    index: z.number().int().min(0),
    start: seconds,
    end: seconds,
  })
  .refine((chunk) => chunk.end > chunk.start, { message: 'a chunk must end after it starts', path: ['end'] });

export const FaceRecord = z.object({
  /** Seconds from the video's first decoded frame (not the container's PTS). */
  time: seconds,
  box: Box,
  /** The detector's own score. */
  score: z.number().min(0).max(1),
  /** How much this sighting counted in its track's descriptor (size, pose, detector score; shared/vision/quality.ts). */
  quality: z.number().min(0).max(1),
  /** The enrolled person this face was matched to, or null when the matcher would not name it. */
  identity: IdentityName.nullable(),
  /**
   * Distance to the nearest enrolled identity, named or not: its track's fused distance
   * (shared/match/fusion.ts) when FaceRes described the track, else the face's own dlib distance.
   * Null in results written before distances were kept.
   */
  distance: z.number().finite().min(0).nullable(),
  confidence: z.number().min(0).max(1),
  /** The threshold its track was judged against (it depends on face size and sightings; shared/match/matcher.ts), when the distance is fused. */
  threshold: z.number().finite().optional(),
  /** For an unnamed face whose distance is fused: the identity its track was nearest to (for near misses). */
  nearest: IdentityName.optional(),
  /** Same value for the same person followed across frames; unique within the job (`<chunk>-<n>`). */
  track: z.string().min(1),
  /** Kept for every face so a new person can be searched without decoding the video again. */
  embedding: Embedding,
  /** FaceRes descriptor, for the best faces of each track (shared/recognize/track-describer.ts). */
  faceres: FaceResDescriptor.optional(),
});

/** A sample time may sit a hair past the chunk end through timestamp rounding in the decoder. */
const TIME_SLACK = 1e-3;

/** A face outside its chunk would be merged at the wrong place of the timeline. */
function facesInsideChunk(result: { chunk: { start: number; end: number }; faces: readonly { time: number }[] }, ctx: z.RefinementCtx): void {
  const { start, end } = result.chunk;
  result.faces.forEach((face, i) => {
    if (face.time < start - TIME_SLACK || face.time > end + TIME_SLACK) {
      ctx.addIssue({
        code: 'custom',
        path: ['faces', i, 'time'],
        message: `time ${face.time} is outside the chunk [${start}, ${end})`,
      });
    }
  });
}

const ChunkFields = z.object({
  version: z.literal(3),
  /** The job whose storage id this result was computed for (see shared/workflow/job.ts). */
  jobId: z.string().min(1),
  /** Which model files computed it (shared/vision/models.ts modelsFingerprint). */
  models: z.string().min(1),
  chunk: ChunkRange,
  sampleFps: z.number().finite().positive(),
  framesScanned: z.number().int().min(0),
  /** The earlier job whose stored result these faces were named from, when not scanned by this job (shared/recognize/rename.ts). */
  scannedBy: z.string().min(1).optional(),
});
const elapsedMs = z.number().finite().min(0);

export const ChunkResult = ChunkFields.extend({ faces: z.array(FaceRecord), elapsedMs }).superRefine(facesInsideChunk);

/** A face as the timeline reads it: everything but its descriptors, which only naming and grouping need. */
export const SightedFace = FaceRecord.omit({ embedding: true, faceres: true });
/** A chunk result as the timeline reads it: a whole video's descriptors need not be held at once. */
export const ChunkSightings = ChunkFields.extend({ faces: z.array(SightedFace), elapsedMs }).superRefine(facesInsideChunk);

export type Box = z.infer<typeof Box>;
export type ChunkRange = z.infer<typeof ChunkRange>;
export type FaceRecord = z.infer<typeof FaceRecord>;
export type ChunkResult = z.infer<typeof ChunkResult>;
export type SightedFace = z.infer<typeof SightedFace>;
export type ChunkSightings = z.infer<typeof ChunkSightings>;

/** Validates a chunk result read from `source` (an S3 key or path), naming it in the InputError. */
export const parseChunkResult = (value: unknown, source: string): ChunkResult =>
  parseInput(ChunkResult, value, source, 'the chunk result was not written by this version of lambdaface, or is damaged; run the job again');

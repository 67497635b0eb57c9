import { z } from 'zod';
import { Box } from './faces.ts';
import { StorageJobId, StoredVideoInfo } from './job.ts';
import { MontageResult } from './montage-result.ts';
import { EnrolmentNotes, Timeline } from './timeline.ts';

/**
 * What crosses between the three montage states (Montage -> CutPieces -> Join): the plan
 * Montage stores, one piece as a CutPieces child gets it, and what Join reads back. They
 * cross Lambda and S3 boundaries, so every one is validated where it is read.
 */

const seconds = z.number().finite().min(0);

/** shared/video/montage-filters.ts MontageSegment, as a piece of the plan. */
export const PlannedPiece = z.object({
  /** Its place in the montage (0 = first). */
  index: z.number().int().min(0),
  start: seconds,
  end: seconds,
  captions: z.array(z.object({ from: seconds, to: seconds, text: z.string() })).optional(),
  boxes: z.array(z.object({ time: seconds, box: Box, label: z.string().optional() })).optional(),
  /** pieceHash of the piece: where it is stored, intermediate/<jobId>/clips/<hash>.mp4. */
  hash: z.string().regex(/^[0-9a-f]{40}$/),
});
export type PlannedPiece = z.infer<typeof PlannedPiece>;

/** How every piece of one montage is cut (shared/video/edit.ts ClipSettings without the probe). */
export const PieceSettings = z.object({
  drawLabels: z.boolean(),
  drawBoxes: z.boolean(),
  boxHoldSeconds: z.number().finite().positive(),
  font: z.string().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  crf: z.number().int().min(0).max(51),
});
export type PieceSettings = z.infer<typeof PieceSettings>;

/** What every CutPieces child needs besides its piece: the same for all of them (ItemSelector adds it to each). */
export const CutContext = z.object({
  bucket: z.string().min(1),
  jobId: StorageJobId,
  /** The video as stored: presigned by the child, and (key and ETag) part of each piece's hash. */
  video: z.object({ key: z.string().min(1), etag: z.string().min(1) }),
  /** Montage's probe of the video, so no child probes it again. */
  info: StoredVideoInfo,
  /** An earlier job of the same video (search --reuse-scan), whose stored pieces may serve this one. */
  scannedBy: z.string().min(1).optional(),
  settings: PieceSettings,
  /** The ffmpeg build the hashes were computed for (`ffmpeg -version`'s first line). */
  ffmpeg: z.string().min(1),
});
export type CutContext = z.infer<typeof CutContext>;

/** One CutPieces child's input: `{ piece, cut }`. */
export const CutPieceEvent = z.object({ piece: PlannedPiece, cut: CutContext });

/** One CutPieces child's result (in the Map Run's ResultWriter files). */
export const CutPieceResult = z.object({ index: z.number().int().min(0), hash: z.string(), seconds: seconds, reused: z.boolean() });
export type CutPieceResult = z.infer<typeof CutPieceResult>;

/** What the report page needs, kept by Montage so Join can render it again with the montage's player. */
export const ReportModel = z.object({
  title: z.string(),
  video: z.string(),
  timeline: Timeline,
  /** [key, relative path] pairs of the report's thumbnail maps. */
  thumbnails: z.array(z.tuple([z.string(), z.string()])),
  unknownThumbnails: z.array(z.tuple([z.string(), z.string()])),
  photos: z.array(EnrolmentNotes),
  referenceFaces: z.array(z.tuple([z.string(), z.string()])),
  warnings: z.array(z.string()),
  /** What the montage's cap shortened or left out (all of it: the result lists 50). */
  plan: z.object({
    onScreenSeconds: seconds,
    shownSeconds: seconds,
    capSeconds: seconds,
    omitted: z.array(z.object({ start: seconds, end: seconds, names: z.array(z.string()), shown: seconds })),
  }),
});
export type ReportModel = z.infer<typeof ReportModel>;

/**
 * Montage's hand-off when there is a montage to make: where the pieces' list is (CutPieces' items),
 * the context each child gets, and where the report's model is. Small whatever the montage's size.
 */
export const MontageHandoff = z.object({
  bucket: z.string().min(1),
  jobId: StorageJobId,
  /** intermediate/<jobId>/montage/pieces.json: a JSON array of PlannedPiece, in montage order. */
  pieces: z.string().min(1),
  count: z.number().int().min(1),
  /** intermediate/<jobId>/montage/report.json: the ReportModel. */
  report: z.string().min(1),
  /** Where the CutPieces Map Run writes its results (the job's results prefix). */
  results: z.string().min(1),
  /** Pieces cut at once: the job's maxConcurrency (0 = as many as the service allows). */
  maxConcurrency: z.number().int().min(0),
  cut: CutContext,
});
export type MontageHandoff = z.infer<typeof MontageHandoff>;

/** What the Montage step returns: the search's result so far, and the montage still to make (null: none). */
export const MontageStepResult = z.object({ result: MontageResult, montage: MontageHandoff.nullable() });
export type MontageStepResult = z.infer<typeof MontageStepResult>;

/** Join's input: Montage's result and the CutPieces Map Run's (ResultWriterDetails). */
export const JoinEvent = z.object({
  result: MontageResult,
  montage: MontageHandoff,
  cut: z.object({ MapRunArn: z.string(), ResultWriterDetails: z.object({ Bucket: z.string().min(1), Key: z.string().min(1) }) }),
});

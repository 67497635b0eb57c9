import { describe, expect, it } from 'vitest';
import { SearchOptions } from '../../shared/config/options.ts';
import type { FaceSearchHandlers } from '../../shared/local/local-functions.ts';
import { runLocalWorkflow } from '../../shared/local/run-workflow.ts';
import { JobInput } from '../../shared/schemas/job.ts';
import { jobKeys } from '../../shared/storage/keys.ts';
import { putJson } from '../../shared/storage/s3.ts';
import type { MontagePlan } from '../../shared/timeline/montage-plan.ts';
import { MIN_PIECE_SECONDS } from '../../shared/timeline/montage-plan.ts';
import { planChunks } from '../../shared/workflow/chunks.ts';
import { planPieces } from '../../shared/workflow/montage-pieces.ts';
import { useEmbeddedS3 } from '../unit/local/embedded-s3-fixture.ts';

/**
 * Issue 10's six-hour video at the default options, through the real state machine run locally
 * (real embedded S3, the Lambda boundary faked): how many chunks it becomes, and that no state's
 * input or output nears Step Functions' 256 KB payload cap. The fakes return what the real
 * handlers return, at six-hour scale.
 */
const s3 = useEmbeddedS3('six-hour-plan');
const SIX_HOURS = 6 * 3600;
const PAYLOAD_LIMIT = 256 * 1024;
const PEOPLE = ['lin_manuel_miranda', 'alex_lacamoire', 'barack_obama'];
/** Thumbnails are one per segment, at most 40 per person (shared/workflow/montage.ts). */
const THUMBNAILS_PER_PERSON = 40;

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf-8');

describe('a six-hour video at the default options', () => {
  const options = SearchOptions.parse({});

  it('is 360 contiguous chunks of 60 s', () => {
    const chunks = planChunks(SIX_HOURS, options.chunkSeconds);
    expect(chunks).toHaveLength(360);
    expect(chunks[0]).toEqual({ index: 0, start: 0, end: 60 });
    expect(chunks.at(-1)).toEqual({ index: 359, start: 21_540, end: SIX_HOURS });
    expect(chunks.every((chunk, i) => i === 0 || chunk.start === chunks[i - 1]!.end)).toBe(true);
  });

  it("keeps every state's input and output far below 256 KB", async () => {
    const { client, bucket } = s3();
    const jobId = 'six-hours-0123456789abcdef';
    const input = JobInput.parse({
      bucket,
      jobId,
      video: { key: 'uploads/conference/day-1.mp4' },
      faces: PEOPLE.map((name) => ({ name, prefix: `uploads/conference/${name}/` })),
    });
    const job = { ...input, jobId };
    const keys = jobKeys(jobId);
    // The most pieces the default cap allows when it shortens the cuts: 600 s of pieces of
    // MIN_PIECE_SECONDS (cuts of at least MIN_CUT_SECONDS, split where the people change), each
    // captioned and boxing a face at every sample of 2 fps, three people on screen.
    const video = { durationSeconds: SIX_HOURS, width: 1280, height: 720, fps: 30, startTime: 0, fileStartTime: 0, rotation: 0, codec: 'h264', hasAudio: true };
    const box = { x: 100, y: 100, width: 80, height: 80 };
    const pieces = options.montageMaxSeconds / MIN_PIECE_SECONDS;
    const plan: MontagePlan = {
      clips: Array.from({ length: pieces }, (_, i) => {
        const start = Math.floor(i / 2) * 72 + (i % 2) * MIN_PIECE_SECONDS;
        return {
          start,
          end: start + MIN_PIECE_SECONDS,
          captions: [{ from: start, to: start + MIN_PIECE_SECONDS, text: PEOPLE.join(', ') }],
          boxes: PEOPLE.flatMap((label) => [0, 0.5].map((t) => ({ time: start + t, box, label }))),
        };
      }),
      onScreenSeconds: 16_200,
      shownSeconds: options.montageMaxSeconds,
      capSeconds: options.montageMaxSeconds,
      omitted: [],
    };
    const planned = await planPieces({ bucket, jobId, video: { key: input.video.key, etag: '"0123"' }, scannedBy: undefined, options }, plan, video);
    const seen: { step: string; event: number; result: number }[] = [];
    const measured =
      <E, R>(step: string, handler: (event: E) => Promise<R>) =>
      async (event: unknown) => {
        const result = await handler(event as E);
        seen.push({ step, event: bytes(event), result: bytes(result) });
        return result;
      };
    const handlers: FaceSearchHandlers = {
      train: measured('train', async () => ({
        bucket,
        key: keys.gallery,
        models: '0123456789abcdef',
        identities: PEOPLE.map((name) => ({ name, photos: 12, descriptors: 84, notes: [] })),
      })),
      shard: measured('shard', async () => {
        const chunks = planChunks(SIX_HOURS, job.options.chunkSeconds);
        await putJson(client, bucket, keys.chunks, chunks);
        return {
          job,
          chunks: { bucket, key: keys.chunks, count: chunks.length },
          results: { bucket, prefix: keys.results },
          video: { durationSeconds: SIX_HOURS, width: 1280, height: 720, fps: 30 },
        };
      }),
      recognize: measured('recognize', async (event: { Items: { chunk: { index: number } }[] }) => ({
        chunks: event.Items.map(({ chunk }) => ({ index: chunk.index, faces: 240, named: 200, skipped: false, decoded: true, elapsedMs: 20_000 })),
        recomputed: [],
      })),
      montage: measured('montage', async () => {
        await putJson(client, bucket, keys.montagePieces, planned.pieces);
        return {
          result: montageResult(),
          montage: {
            bucket,
            jobId,
            pieces: keys.montagePieces,
            count: planned.pieces.length,
            report: keys.montageReport,
            results: keys.results,
            maxConcurrency: options.maxConcurrency,
            cut: planned.cut,
          },
        };
      }),
      cut: measured('cut', async (event: { piece: { index: number } }) => ({ index: event.piece.index, hash: 'f'.repeat(40), seconds: 2.02, reused: false })),
      join: measured('join', async (event: { result: ReturnType<typeof montageResult> }) => ({
        ...event.result,
        montage: {
          seconds: 601.5,
          onScreenSeconds: 16_200,
          shownSeconds: 600,
          capSeconds: 600,
          shortened: 0,
          leftOut: 7800,
          omitted: Array.from({ length: 50 }, (_, i) => ({ start: i * 72 + 40, end: i * 72 + 44, names: PEOPLE, shown: 0 })),
          pieces,
          reusedPieces: 0,
        },
      })),
    };
    function montageResult() {
      return {
        jobId,
        bucket,
        outputs: {
          timelineJson: keys.timelineJson,
          timelineCsv: keys.timelineCsv,
          timelineVtt: keys.timelineVtt,
          exports: [keys.timelineEdl],
          report: keys.report,
          montage: keys.montage,
          thumbnails: PEOPLE.flatMap((name) => Array.from({ length: THUMBNAILS_PER_PERSON }, (_, i) => keys.thumbnail(`${name}-0123abcd-${i}.jpg`))),
        },
        identities: PEOPLE.map((name) => ({ name, segments: 900, totalSeconds: 5_400, firstSeen: 3, lastSeen: 21_590 })),
        notFound: [],
        missingChunks: 0,
        nearMisses: [],
        videoDuration: SIX_HOURS,
        photos: [],
        warnings: [],
      };
    }

    const run = await runLocalWorkflow({ input, handlers, s3: { client }, retryIntervalMs: 0, concurrency: 8 });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.mapRuns).toEqual([
      expect.objectContaining({ state: 'RecognizeChunks', totalItems: 360, failedItems: 0, children: 360 }),
      // The montage's pieces are bounded by the cap (600 s), not by the video's length.
      expect.objectContaining({ state: 'CutPieces', totalItems: pieces, failedItems: 0, children: pieces }),
    ]);
    expect(seen.filter((s) => s.step === 'recognize')).toHaveLength(360);
    expect(pieces).toBe(600);
    expect(seen.filter((s) => s.step === 'cut')).toHaveLength(pieces);
    for (const step of ['train', 'shard', 'montage', 'join']) expect(seen.filter((s) => s.step === step)).toHaveLength(1);
    // Every Task's input and result, and the execution's output: a tenth of the cap at most.
    for (const { step, event, result } of seen) {
      expect(event, `${step} input`).toBeLessThan(PAYLOAD_LIMIT / 10);
      expect(result, `${step} result`).toBeLessThan(PAYLOAD_LIMIT / 10);
    }
    expect(bytes(run.output)).toBeLessThan(PAYLOAD_LIMIT / 10);
  }, 120_000);
});

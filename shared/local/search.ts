import type { SearchOptionsInput } from '../config/options.ts';
import type { JobInputDraft } from '../schemas/job.ts';
import { scanOptionsOf } from '../workflow/scan-options.ts';
import { inputKey, type SourceNames } from '../storage/uploads.ts';
import { downloadJobOutputs } from '../workflow/outputs.ts';
import { parseInput } from '../errors.ts';
import { MontageResult } from '../schemas/montage-result.ts';
import type { RecognizeResult } from '../workflow/recognize.ts';
import { GallerySummary } from '../schemas/gallery.ts';
import type { SearchProgress } from '../workflow/search-progress.ts';
import type { MapProgress } from './distributed-map/run-map.ts';
import { runLocalWorkflow } from './run-workflow.ts';
import { DEFAULT_DATA_DIR, startLocalRuntime } from './runtime.ts';

export interface LocalSearchOptions {
  /** A local file or `s3://bucket/key` (in the bucket the search uses). */
  video: string;
  faces: { name: string; photos: string[]; cluster?: string }[];
  out: string;
  options: SearchOptionsInput;
  /** Parallel recognize tasks; default: the machine's cores. */
  concurrency?: number;
  /** Any S3-compatible service instead of the embedded server. */
  s3Endpoint?: string;
  bucket?: string;
  /** Where the embedded server keeps its objects. */
  dataDir?: string;
  onProgress?: (progress: SearchProgress) => void;
  /** Filled with the object URL of every local file uploaded, so messages can name the file. */
  names?: SourceNames;
  /** An earlier job whose scan of this video is named again instead of decoding it; its scan options are used. */
  reuseScan?: string;
}

export interface LocalSearchResult {
  jobId: string;
  result: MontageResult;
  files: string[];
  dataDir: string | undefined;
  elapsedSeconds: number;
  /**
   * Seconds each phase took: `startup` from the process's start to the search's (the CLI's
   * loading and checks), `runtime` (models checked, S3 server and handler threads), `upload`,
   * the steps `train`, `shard`, `recognize` (first chunk's start to last one's end) and `montage`
   * (Montage's start to Join's end; of it, `cut`: first piece's start to last one's end, and
   * `join`), each including a new handler thread's start, `download`; `total` from the process's start.
   */
  timings: Record<string, number>;
  /** What this search computed rather than reused: observable, unlike its speed. */
  work: SearchWork;
}

export interface SearchWork {
  /** Chunks whose frames were decoded (not stored already, nor named from an earlier scan). */
  chunksDecoded: number;
  /** Model sessions loaded by Train and by Recognize (vision/model-loads.ts). */
  modelsLoaded: { train: number; recognize: number };
  /** People enrolled from their photos, and people whose stored enrolment was used. */
  enrolled: string[];
  reusedEnrolments: string[];
  /** Thumbnails in the outputs, and how many were found already cut (this job's or the reused scan's) instead of cut by ffmpeg. */
  thumbnails: { made: number; reused: number };
  /** Montage pieces cut by ffmpeg, and pieces found already cut. */
  montagePieces: { cut: number; reused: number };
}

export const DEFAULT_BUCKET = 'lambdaface';

/**
 * `lambdaface search` on one machine: the same state machine and handlers as on AWS, run by the
 * local interpreter against an S3 API (the embedded server by default), with the recognize tasks
 * spread over worker threads.
 */
export async function runLocalSearch(search: LocalSearchOptions): Promise<LocalSearchResult> {
  const started = performance.now();
  const timings: Record<string, number> = { startup: started / 1000 };
  /** Adds the time `work` takes to phase `name`. */
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const from = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = (timings[name] ?? 0) + (performance.now() - from) / 1000;
    }
  };
  const bucket = search.bucket ?? DEFAULT_BUCKET;
  const runtime = await timed('runtime', () =>
    startLocalRuntime({
      bucket,
      ...(search.concurrency ? { concurrency: search.concurrency } : {}),
      ...(search.s3Endpoint ? { s3Endpoint: search.s3Endpoint } : { dataDir: search.dataDir ?? DEFAULT_DATA_DIR }),
    }),
  );
  const { s3, pool, concurrency } = runtime;
  const progress: SearchProgress = { phase: 'upload', chunksDone: 0, chunksTotal: 0, facesFound: 0 };
  const report = (update: Partial<SearchProgress>) => {
    Object.assign(progress, update);
    search.onProgress?.({ ...progress });
  };
  try {
    report({});
    const anyKey = { uploadsOnly: false, ...(search.names ? { names: search.names } : {}) };
    const uploadStarted = performance.now();
    const input: JobInputDraft = {
      bucket,
      video: {
        key: await inputKey(s3, bucket, search.video, '--video', anyKey),
        ...(search.reuseScan === undefined ? {} : { scannedBy: search.reuseScan }),
      },
      faces: await Promise.all(
        search.faces.map(async (face) =>
          face.cluster !== undefined
            ? { name: face.name, cluster: face.cluster }
            : { name: face.name, keys: await Promise.all(face.photos.map((photo) => inputKey(s3, bucket, photo, `--face ${face.name}`, anyKey))) },
        ),
      ),
      options: search.reuseScan === undefined ? search.options : { ...search.options, ...(await scanOptionsOf(s3, bucket, search.reuseScan)) },
    };
    timings['upload'] = (performance.now() - uploadStarted) / 1000;
    report({ phase: 'prepare' });
    // Stored chunk results Recognize could not reuse: said in the summary, not only in its log.
    const recomputed: string[] = [];
    const work: SearchWork = {
      chunksDecoded: 0,
      modelsLoaded: { train: 0, recognize: 0 },
      enrolled: [],
      reusedEnrolments: [],
      thumbnails: { made: 0, reused: 0 },
      montagePieces: { cut: 0, reused: 0 },
    };
    let recognizing: { from: number; to: number } | undefined;
    type Context = Parameters<typeof pool.handlers.recognize>[1];
    // `montage` is the wall time from Montage's start to the montage's end (Cut and Join
    // included); `cut` (first piece's start to last one's end) and `join` are parts of it.
    const spans = new Map<string, { from: number; to: number }>();
    const montageStep = async <T>(name: 'montage' | 'cut' | 'join', work: () => Promise<T>): Promise<T> => {
      const from = performance.now();
      try {
        return await work();
      } finally {
        for (const span of name === 'montage' ? ['montage'] : ['montage', name]) {
          const known = spans.get(span);
          spans.set(span, { from: Math.min(from, known?.from ?? from), to: performance.now() });
          timings[span] = (spans.get(span)!.to - spans.get(span)!.from) / 1000;
        }
      }
    };
    const handlers = {
      ...pool.handlers,
      train: async (event: unknown, context: Context) => {
        const result = await timed('train', () => pool.handlers.train(event, context));
        const summary = GallerySummary.safeParse(result);
        if (summary.success) {
          const { modelsLoaded, reusedEnrolments, identities } = summary.data;
          work.modelsLoaded.train += modelsLoaded;
          work.reusedEnrolments = reusedEnrolments;
          work.enrolled = identities.map((identity) => identity.name).filter((name) => !reusedEnrolments.includes(name));
        }
        return result;
      },
      shard: (event: unknown, context: Context) => timed('shard', () => pool.handlers.shard(event, context)),
      recognize: async (event: unknown, context: Context) => {
        const from = performance.now();
        const result = (await pool.handlers.recognize(event, context)) as RecognizeResult;
        recognizing = { from: Math.min(from, recognizing?.from ?? from), to: performance.now() };
        timings['recognize'] = (recognizing.to - recognizing.from) / 1000;
        report({ facesFound: progress.facesFound + result.chunks.reduce((sum, chunk) => sum + chunk.faces, 0) });
        recomputed.push(...result.recomputed);
        work.chunksDecoded += result.chunks.filter((chunk) => chunk.decoded).length;
        work.modelsLoaded.recognize += result.modelsLoaded;
        return result;
      },
      montage: (event: unknown, context: Context) => {
        report({ phase: 'montage' });
        return montageStep('montage', () => pool.handlers.montage(event, context));
      },
      cut: (event: unknown, context: Context) => {
        if (progress.phase !== 'cut') report({ phase: 'cut' });
        return montageStep('cut', () => pool.handlers.cut(event, context));
      },
      join: (event: unknown, context: Context) => {
        report({ phase: 'join' });
        return montageStep('join', () => pool.handlers.join(event, context));
      },
    };
    const run = await runLocalWorkflow({
      input,
      handlers,
      s3: { client: s3 },
      concurrency,
      onProgress: (map: MapProgress) => {
        if (map.state === 'RecognizeChunks') report({ phase: 'recognize', chunksDone: map.done, chunksTotal: map.total });
      },
    });
    const finished = parseInput(MontageResult, run.output, "the Montage step's result", 'this is a bug in lambdaface; please report it');
    const result = { ...finished, warnings: [...finished.warnings, ...recomputed.sort()] };
    if (finished.thumbnailCount) work.thumbnails = finished.thumbnailCount;
    if (finished.montage) work.montagePieces = { cut: finished.montage.pieces - finished.montage.reusedPieces, reused: finished.montage.reusedPieces };
    report({ phase: 'download' });
    const files = await timed('download', () => downloadJobOutputs(s3, result, search.out));
    timings['total'] = performance.now() / 1000;
    return { jobId: result.jobId, result, files, dataDir: runtime.server?.dir, elapsedSeconds: (performance.now() - started) / 1000, timings, work };
  } finally {
    await runtime.close();
  }
}

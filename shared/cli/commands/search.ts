import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { SearchOptionsInput } from '../../config/options.ts';
import { runLocalSearch, type LocalSearchResult } from '../../local/search.ts';
import type { FinishResult } from '../../workflow/finish.ts';
import { probeVideo } from '../../video/probe.ts';
import { resolveFaceFlags } from '../faces-arg.ts';
import { numberFlag, parseFlags } from '../flags.ts';
import { progressReporter } from '../progress.ts';

export const SEARCH_USAGE = `lambdaface search --video <path|s3://bucket/key> --face <name>=<photo|dir> [--face …] --out <dir>
  [--sample-fps N] [--chunk-seconds N] [--concurrency N] [--threshold X] [--no-small-faces]
  [--no-montage] [--s3-endpoint URL --bucket NAME] [--data-dir DIR] [--json]
  [--remote (--stack NAME | --state-machine ARN --bucket NAME) [--region R]]

Finds the enrolled people in the video and writes timeline.json/.csv/.vtt, montage.mp4,
report.html and thumbnails/ into --out. Runs the workflow on this machine against an embedded
S3 server (objects kept in --data-dir, default .lambdaface/s3), or against --s3-endpoint; with
--remote, on the deployed stack (inputs uploaded to its bucket, outputs downloaded).
--no-small-faces scans only the whole frame: faster, for footage where every face is large (it
misses faces under about 5% of the frame width).`;

export const SEARCH_FLAGS = {
  video: { type: 'string' },
  face: { type: 'string', multiple: true },
  out: { type: 'string' },
  'sample-fps': { type: 'string' },
  'chunk-seconds': { type: 'string' },
  concurrency: { type: 'string' },
  threshold: { type: 'string' },
  'no-small-faces': { type: 'boolean' },
  'no-montage': { type: 'boolean' },
  's3-endpoint': { type: 'string' },
  bucket: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  remote: { type: 'boolean' },
  stack: { type: 'string' },
  'state-machine': { type: 'string' },
  region: { type: 'string' },
} as const;

export const SearchFlags = z
  .object({
    video: z.string({ error: 'give the video with --video <path|s3://bucket/key>' }).min(1),
    face: z.array(z.string()).default([]),
    out: z.string().min(1).default('out'),
    'sample-fps': numberFlag(z.number().positive().max(60)),
    'chunk-seconds': numberFlag(z.number().min(1).max(3600)),
    concurrency: numberFlag(z.number().int().min(1).max(256)),
    threshold: numberFlag(z.number().positive().max(2)),
    'no-small-faces': z.boolean().default(false),
    'no-montage': z.boolean().default(false),
    's3-endpoint': z.url().optional(),
    bucket: z.string().min(3).optional(),
    'data-dir': z.string().optional(),
    json: z.boolean().default(false),
    remote: z.boolean().default(false),
    stack: z.string().min(1).optional(),
    'state-machine': z.string().startsWith('arn:aws', 'a state machine ARN starts with arn:aws').optional(),
    region: z.string().min(1).optional(),
  })
  .refine((flags) => flags['s3-endpoint'] === undefined || flags.bucket !== undefined, {
    message: '--s3-endpoint needs --bucket',
    path: ['bucket'],
  })
  .refine((flags) => !flags.remote || flags.stack !== undefined || (flags['state-machine'] !== undefined && flags.bucket !== undefined), {
    message: '--remote needs --stack <name>, or --state-machine <arn> with --bucket <name>',
    path: ['remote'],
  });
export type SearchFlags = z.infer<typeof SearchFlags>;

/**
 * Chunk length when the user gives none: one chunk per core for a short local video (so every
 * core works), never longer than the workflow's default.
 */
async function localChunkSeconds(video: string, concurrency: number): Promise<number | undefined> {
  if (video.startsWith('s3://')) return undefined;
  const { durationSeconds } = await probeVideo(video);
  return Math.min(60, Math.max(2, Math.ceil(durationSeconds / concurrency)));
}

/** The search options the flags set, wherever the search runs. */
function optionsFromFlags(flags: SearchFlags): SearchOptionsInput {
  return {
    ...(flags['sample-fps'] === undefined ? {} : { sampleFps: flags['sample-fps'] }),
    ...(flags.threshold === undefined ? {} : { threshold: flags.threshold }),
    ...(flags['no-small-faces'] ? { smallFaces: false } : {}),
    ...(flags['no-montage'] ? { montage: false } : {}),
  };
}

/** Runs a search from parsed flags; shared by `search` and `eval`. */
export async function searchFromFlags(flags: SearchFlags, overrides: Partial<SearchOptionsInput> = {}): Promise<LocalSearchResult> {
  const faces = await resolveFaceFlags(flags.face);
  const concurrency = flags.concurrency ?? availableParallelism();
  const chunkSeconds = flags['chunk-seconds'] ?? (await localChunkSeconds(flags.video, concurrency));
  const options: SearchOptionsInput = {
    ...optionsFromFlags(flags),
    ...(chunkSeconds === undefined ? {} : { chunkSeconds }),
    ...overrides,
  };
  const reporter = progressReporter();
  try {
    return await runLocalSearch({
      video: flags.video,
      faces,
      out: flags.out,
      options,
      concurrency,
      ...(flags['s3-endpoint'] ? { s3Endpoint: flags['s3-endpoint'] } : {}),
      ...(flags.bucket ? { bucket: flags.bucket } : {}),
      ...(flags['data-dir'] ? { dataDir: flags['data-dir'] } : {}),
      onProgress: reporter.update,
    });
  } finally {
    reporter.done();
  }
}

const clock = (seconds: number): string => `${Math.floor(seconds / 60)}:${(seconds % 60).toFixed(1).padStart(4, '0')}`;

export function formatSummary(search: Pick<LocalSearchResult, 'result' | 'files' | 'dataDir' | 'elapsedSeconds'>, out: string): string {
  const { result } = search;
  const lines = [`Searched ${clock(result.videoDuration)} of video in ${search.elapsedSeconds.toFixed(1)} s (job ${result.jobId}).`];
  for (const person of result.identities) {
    lines.push(`  ${person.name}: ${person.segments} segment(s), ${person.totalSeconds.toFixed(1)} s on screen, first ${clock(person.firstSeen ?? 0)}, last ${clock(person.lastSeen ?? 0)}`);
  }
  for (const name of result.notFound) lines.push(`  ${name}: not found`);
  if (result.missingChunks > 0) lines.push(`  WARNING: ${result.missingChunks} chunk(s) failed and were not scanned; see report.html`);
  lines.push(`Outputs in ${out}: ${search.files.map((file) => file.slice(out.length + 1)).filter((file) => !file.startsWith('thumbnails/')).join(', ')}${search.files.some((f) => f.includes('thumbnails')) ? ', thumbnails/' : ''}`);
  if (search.dataDir) lines.push(`S3 objects kept in ${search.dataDir}`);
  return lines.join('\n');
}

async function searchRemotely(flags: SearchFlags): Promise<Pick<LocalSearchResult, 'result' | 'files' | 'dataDir' | 'elapsedSeconds'>> {
  const { searchRemote } = await import('../../remote/search-remote.ts');
  const reporter = progressReporter();
  try {
    const remote = await searchRemote({
      target: flags.stack ? { stack: flags.stack } : { stateMachineArn: flags['state-machine']!, bucket: flags.bucket! },
      ...(flags.region ? { region: flags.region } : {}),
      video: flags.video,
      faces: await resolveFaceFlags(flags.face),
      options: {
        ...optionsFromFlags(flags),
        ...(flags['chunk-seconds'] === undefined ? {} : { chunkSeconds: flags['chunk-seconds'] }),
        ...(flags.concurrency === undefined ? {} : { maxConcurrency: flags.concurrency }),
      },
      out: flags.out,
      onProgress: reporter.update,
    });
    process.stderr.write(`execution: ${remote.consoleUrl}\n`);
    return { result: remote.result as unknown as FinishResult, files: remote.files, dataDir: undefined, elapsedSeconds: remote.elapsedSeconds };
  } finally {
    reporter.done();
  }
}

export async function searchCommand(argv: readonly string[]): Promise<void> {
  const flags = parseFlags('search', argv, SEARCH_FLAGS, SearchFlags);
  const search = flags.remote ? await searchRemotely(flags) : await searchFromFlags(flags);
  process.stdout.write(flags.json ? `${JSON.stringify({ ...search.result, files: search.files }, null, 2)}\n` : `${formatSummary(search, flags.out)}\n`);
}

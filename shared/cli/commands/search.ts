import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { SearchOptions, type SearchOptionsInput } from '../../config/options.ts';
import { inputError } from '../../errors.ts';
import { DEFAULT_DATA_DIR } from '../../local/runtime.ts';
import { runLocalSearch, type LocalSearchResult, type SearchWork } from '../../local/search.ts';
import { clock } from '../../report/format.ts';
import { renamePhotoSources, type SourceNames } from '../../storage/uploads.ts';
import type { MontageResult } from '../../schemas/montage-result.ts';
import { removeStagingFolders } from '../../workflow/outputs.ts';
import { probeVideo } from '../../video/probe.ts';
import { checkSource, displaySource } from '../../video/source.ts';
import { isClusterFace, resolveFaceFlags } from '../faces-arg.ts';
import { resolveReuseScan } from '../reuse-scan-arg.ts';
import { checkToolsOnce } from '../tools-check.ts';
import { numberFlag, parseFlags } from '../flags.ts';
import { prepareWritableFolder, type WritableFolder } from '../writable-folder.ts';
import { progressReporter, type ProgressReporter } from '../progress.ts';

export const SEARCH_USAGE = `lambdaface search --video <path|s3://bucket/key> [--face <name>=<photo|dir|cluster:id> …] --out <dir>
  [--sample-fps N] [--chunk-seconds N] [--concurrency N] [--threshold X] [--no-small-faces]
  [--no-montage] [--montage-max-seconds N] [--reuse-scan <job-id|earlier --out dir>] [--s3-endpoint URL --bucket NAME]
  [--data-dir DIR] [--json] [--remote (--stack NAME | --state-machine ARN --bucket NAME) [--region R]]

Finds the enrolled people in the video, groups everyone else into unknown people (u1, u2, …;
with no --face at all, that is the whole answer: who is in this video), and writes timeline.json/.csv/.vtt, montage.mp4,
report.html and thumbnails/ into --out (created if missing), replacing those of an earlier
search there once all of this run's are downloaded; other files in --out are left alone. Runs the workflow on this machine against an embedded
S3 server (objects kept in --data-dir, default .lambdaface/s3), or against --s3-endpoint; with
--remote, on the deployed stack (inputs uploaded to its bucket, outputs downloaded).
--no-small-faces scans only the whole frame: faster, for footage where every face is large (it
misses faces under about 5% of the frame width).
--montage-max-seconds caps the montage (default 600): past it, each appearance is shortened to
its first seconds, or left out; the summary and report.html say which.
--reuse-scan names the faces an earlier search of the same video found (kept in its storage) with
this search's people, without decoding the video: add or change people in seconds. The scan's
options (sampling rate, chunk length, small faces) are the earlier search's. With it,
--face <name>=cluster:<id> enrols unknown person <id> of the earlier search from its own faces.`;

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
  'montage-max-seconds': { type: 'string' },
  'reuse-scan': { type: 'string' },
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
    'montage-max-seconds': numberFlag(SearchOptions.shape.montageMaxSeconds.removeDefault()),
    'reuse-scan': z.string().min(1).optional(),
    's3-endpoint': z.url().optional(),
    bucket: z.string().min(3).optional(),
    'data-dir': z.string().optional(),
    json: z.boolean().default(false),
    remote: z.boolean().default(false),
    stack: z.string().min(1).optional(),
    'state-machine': z.string().startsWith('arn:aws', 'a state machine ARN starts with arn:aws').optional(),
    region: z.string().min(1).optional(),
  })
  .refine((flags) => flags['reuse-scan'] === undefined || (flags['sample-fps'] === undefined && flags['chunk-seconds'] === undefined && !flags['no-small-faces']), {
    message: "--reuse-scan takes the earlier search's --sample-fps, --chunk-seconds and --no-small-faces; leave them out",
    path: ['reuse-scan'],
  })
  .refine((flags) => flags['reuse-scan'] !== undefined || !flags.face.some(isClusterFace), {
    message: '--face <name>=cluster:<id> enrols an unknown person an earlier search found: name that search with --reuse-scan <job id|its --out folder>',
    path: ['face'],
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
    ...(flags['montage-max-seconds'] === undefined ? {} : { montageMaxSeconds: flags['montage-max-seconds'] }),
  };
}

/**
 * `--video` before any work: a local file must exist and be a file (said before anything probes
 * it); an `s3://` object is read where it is; any other URL is refused, since the search reads
 * the video from its bucket.
 */
async function checkVideoFlag(video: string): Promise<void> {
  if (video.startsWith('s3://')) return;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(video)) {
    throw inputError(`--video ${displaySource(video)} is a URL; a search reads a local file or an s3:// object`, {
      input: '--video',
      hint: "download the video and pass its path, or upload it to the search's bucket and pass s3://<bucket>/uploads/<file>",
    });
  }
  await checkSource(video);
}

/**
 * Runs `search` after the output folder is known to be usable: progress while it runs, "finished"
 * only when it did; on failure the progress line is cleared (the error is all that is printed)
 * and a folder the check created is removed again, so a failed search leaves nothing in --out.
 */
async function withProgress<T>(out: WritableFolder, outPath: string, search: (reporter: ProgressReporter) => Promise<T>): Promise<T> {
  const reporter = progressReporter();
  // Ctrl-C: say how to go on, and leave no half-downloaded outputs (--out itself is all old or all new).
  const interrupted = (signal: NodeJS.Signals): void => {
    reporter.fail();
    removeStagingFolders(outPath);
    process.stderr.write('interrupted: run the same command again to resume (finished chunks are kept)\n');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const result = await search(reporter);
    reporter.done();
    return result;
  } catch (error) {
    reporter.fail();
    await out.discardIfUnused();
    throw error;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}

/** Runs a search from parsed flags; shared by `search` and `eval`. `names` learns each uploaded file's object URL. */
export async function searchFromFlags(flags: SearchFlags, overrides: Partial<SearchOptionsInput>, names: SourceNames): Promise<LocalSearchResult> {
  const faces = await resolveFaceFlags(flags.face);
  await checkVideoFlag(flags.video);
  if (flags['s3-endpoint'] === undefined) await prepareWritableFolder(flags['data-dir'] ?? DEFAULT_DATA_DIR, '--data-dir');
  const out = await prepareWritableFolder(flags.out);
  const concurrency = flags.concurrency ?? availableParallelism();
  const reuseScan = flags['reuse-scan'] === undefined ? undefined : await resolveReuseScan(flags['reuse-scan']);
  return withProgress(out, flags.out, async (reporter) => {
    await checkToolsOnce();
    const chunkSeconds = reuseScan !== undefined ? undefined : (flags['chunk-seconds'] ?? (await localChunkSeconds(flags.video, concurrency)));
    const options: SearchOptionsInput = {
      ...optionsFromFlags(flags),
      ...(chunkSeconds === undefined ? {} : { chunkSeconds }),
      ...overrides,
    };
    return runLocalSearch({
      video: flags.video,
      faces,
      out: flags.out,
      options,
      concurrency,
      ...(flags['s3-endpoint'] ? { s3Endpoint: flags['s3-endpoint'] } : {}),
      ...(flags.bucket ? { bucket: flags.bucket } : {}),
      ...(flags['data-dir'] ? { dataDir: flags['data-dir'] } : {}),
      ...(reuseScan === undefined ? {} : { reuseScan }),
      onProgress: reporter.update,
      names,
    });
  });
}

/** What the search warns about (e.g. a video too short to name anyone), one line each. */
export const warningLines = (result: Pick<MontageResult, 'warnings'>): string[] => result.warnings.map((warning) => `  WARNING: ${warning}`);

/** What enrolment said about the reference photos, with the user's paths; nothing when every photo was used as is. */
export function photoLines(result: Pick<MontageResult, 'photos'>, names: ReadonlyMap<string, string>): string[] {
  const lines = renamePhotoSources(result.photos, names).flatMap((person) => [
    ...person.notes.map((note) => `  ${person.name}: ${note}`),
    ...person.skipped.map((photo) => `  ${person.name}: skipped ${photo.source}: ${photo.reason}`),
  ]);
  return lines.length === 0 ? [] : ['Reference photos:', ...lines];
}

/** Tracks nobody was named in that came close to someone: for the user to check in the report. */
export function nearMissLines(result: Pick<MontageResult, 'nearMisses'>): string[] {
  if (result.nearMisses.length === 0) return [];
  const lines = result.nearMisses.map(
    (miss) => `    ${miss.name}? ${clock(miss.firstSeen)}-${clock(miss.lastSeen)}, distance ${miss.distance.toFixed(3)} (named at ${miss.threshold.toFixed(3)} or less)`,
  );
  return ['  Near misses (not named; check them in report.html):', ...lines];
}

/** The people nobody enrolled, grouped: for the user to name with --face <name>=cluster:<id> --reuse-scan. */
export function unknownLines(result: Pick<MontageResult, 'unknown' | 'unknownTotal' | 'jobId'>): string[] {
  if (result.unknown.length === 0) return [];
  const lines = result.unknown.map(
    (person) =>
      `    ${person.id}: ${person.segments} segment(s), ${person.totalSeconds.toFixed(1)} s on screen, first ${clock(person.firstSeen)}, last ${clock(person.lastSeen)} (${person.tracks} track(s))`,
  );
  const more = result.unknownTotal - result.unknown.length;
  return [
    `  Unknown people (name one with --face <name>=cluster:<id> --reuse-scan ${result.jobId}):`,
    ...lines,
    ...(more > 0 ? [`    and ${more} more seen for less time (timeline.json and report.html list them all)`] : []),
  ];
}

/** What the montage's cap shortened or left out; nothing when it holds every moment found. */
export function montageLines(result: Pick<MontageResult, 'montage'>): string[] {
  const montage = result.montage;
  if (montage === undefined || (montage.shortened === 0 && montage.leftOut === 0)) return [];
  const listed = montage.omitted.map(
    (span) => `    ${clock(span.start)}-${clock(span.end)} ${span.names.join(', ')}: ${span.shown > 0 ? `first ${span.shown.toFixed(1)} s shown` : 'left out'}`,
  );
  const more = montage.shortened + montage.leftOut - montage.omitted.length;
  return [
    `  Montage: ${clock(montage.shownSeconds)} of the ${clock(montage.onScreenSeconds)} with someone on screen (capped at ${montage.capSeconds} s, --montage-max-seconds): ${montage.shortened} stretch(es) shortened, ${montage.leftOut} left out:`,
    ...listed,
    ...(more > 0 ? [`    and ${more} more (report.html lists them all)`] : []),
  ];
}

/** Whether a search that reused an earlier scan had to decode anything. */
export function reusedScanLine({ from, chunks, reused }: NonNullable<MontageResult['reusedScan']>): string {
  const decoded = chunks - reused;
  return decoded === 0
    ? `  Named from the scan of job ${from}: ${reused} of ${chunks} chunk(s), no frame decoded.`
    : `  Named from the scan of job ${from}: ${reused} of ${chunks} chunk(s); ${decoded} chunk(s) had to be decoded again (see the warnings).`;
}

/** What a local search reused instead of computing: enrolments, and the models naming chunks did not need. */
export function reuseLines(work: SearchWork, reusedScan: boolean): string[] {
  const lines: string[] = [];
  if (reusedScan && work.chunksDecoded === 0 && work.modelsLoaded.recognize === 0) lines.push('  Naming the stored faces loaded no model.');
  if (work.reusedEnrolments.length > 0) {
    const enrolled = work.enrolled.length === 0 ? 'nobody enrolled again, no model loaded' : `enrolled ${work.enrolled.join(', ')}`;
    lines.push(`  Reused the stored enrolment of ${work.reusedEnrolments.join(', ')} (same photos); ${enrolled}.`);
  }
  return lines;
}

export function formatSummary(
  search: Pick<LocalSearchResult, 'result' | 'files' | 'dataDir' | 'elapsedSeconds'> & { work?: SearchWork },
  out: string,
  names: ReadonlyMap<string, string>,
): string {
  const { result } = search;
  const lines = [`Searched ${clock(result.videoDuration)} of video in ${search.elapsedSeconds.toFixed(1)} s (job ${result.jobId}).`];
  for (const person of result.identities) {
    lines.push(
      `  ${person.name}: ${person.segments} segment(s), ${person.totalSeconds.toFixed(1)} s on screen, first ${clock(person.firstSeen ?? 0)}, last ${clock(person.lastSeen ?? 0)}`,
    );
  }
  for (const name of result.notFound) lines.push(`  ${name}: not found`);
  lines.push(...nearMissLines(result));
  lines.push(...unknownLines(result));
  if (result.reusedScan) lines.push(reusedScanLine(result.reusedScan));
  lines.push(...montageLines(result));
  if (search.work) lines.push(...reuseLines(search.work, result.reusedScan !== undefined));
  lines.push(...warningLines(result));
  if (result.missingChunks > 0) lines.push(`  WARNING: ${result.missingChunks} chunk(s) failed and were not scanned; see report.html`);
  lines.push(
    `Outputs in ${out}: ${search.files
      .map((file) => file.slice(out.length + 1))
      .filter((file) => !file.startsWith('thumbnails/'))
      .join(', ')}${search.files.some((f) => f.includes('thumbnails')) ? ', thumbnails/' : ''}`,
  );
  lines.push(...photoLines(result, names));
  if (search.dataDir) lines.push(`S3 objects kept in ${search.dataDir}`);
  return lines.join('\n');
}

/** Said when --remote followed an execution of the same search that already existed. */
const attachedNotice = (executionName: string): string =>
  `NOTE: this search (same video, photos and options) had already been started as execution ${executionName}: the results shown are that execution's, nothing new ran.`;

async function searchRemotely(flags: SearchFlags, names: SourceNames): Promise<Pick<LocalSearchResult, 'result' | 'files' | 'dataDir' | 'elapsedSeconds'>> {
  const { searchRemote } = await import('../../remote/search-remote.ts');
  const faces = await resolveFaceFlags(flags.face);
  await checkVideoFlag(flags.video);
  const out = await prepareWritableFolder(flags.out);
  const reuseScan = flags['reuse-scan'] === undefined ? undefined : await resolveReuseScan(flags['reuse-scan']);
  return withProgress(out, flags.out, async (reporter) => {
    const remote = await searchRemote({
      ...(reuseScan === undefined ? {} : { reuseScan }),
      target: flags.stack ? { stack: flags.stack } : { stateMachineArn: flags['state-machine']!, bucket: flags.bucket! },
      ...(flags.region ? { region: flags.region } : {}),
      video: flags.video,
      faces,
      options: {
        ...optionsFromFlags(flags),
        ...(flags['chunk-seconds'] === undefined ? {} : { chunkSeconds: flags['chunk-seconds'] }),
        ...(flags.concurrency === undefined ? {} : { maxConcurrency: flags.concurrency }),
      },
      out: flags.out,
      onProgress: reporter.update,
      names,
    });
    process.stderr.write(`execution: ${remote.consoleUrl}\n`);
    // The same search (same video, photos and options) runs once: say when this one was not started now.
    if (remote.attached) process.stderr.write(`${attachedNotice(remote.executionName)}\n`);
    return { result: remote.result, files: remote.files, dataDir: undefined, elapsedSeconds: remote.elapsedSeconds };
  });
}

export async function searchCommand(argv: readonly string[], names: SourceNames): Promise<void> {
  const flags = parseFlags('search', argv, SEARCH_FLAGS, SearchFlags);
  const search: Pick<LocalSearchResult, 'result' | 'files' | 'dataDir' | 'elapsedSeconds'> & Partial<Pick<LocalSearchResult, 'timings' | 'work'>> = flags.remote
    ? await searchRemotely(flags, names)
    : await searchFromFlags(flags, {}, names);
  const local = search.timings === undefined ? {} : { work: search.work, timings: search.timings };
  const json = { ...search.result, photos: renamePhotoSources(search.result.photos, names), files: search.files, ...local };
  process.stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : `${formatSummary(search, flags.out, names)}\n`);
}

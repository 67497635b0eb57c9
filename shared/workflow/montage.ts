import { createHash } from 'node:crypto';
import { z } from 'zod';
import { mapLimit } from '../async/map-limit.ts';
import { parseInput } from '../errors.ts';
import { renderReport } from '../report/html.ts';
import { DEFAULT_CLUSTER_RULE } from '../match/cluster.ts';
import { DEFAULT_RULE } from '../match/matcher.ts';
import { referenceFaces } from '../report/reference-photos.ts';
import { ChunkResult, type ChunkRange, type ChunkSightings } from '../schemas/faces.ts';
import type { MontageResult } from '../schemas/montage-result.ts';
import type { MontageHandoff, MontageStepResult, ReportModel } from '../schemas/montage-pieces.ts';
import { GallerySummary } from '../schemas/gallery.ts';
import { Job, JobRecord } from '../schemas/job.ts';
import type { EnrolmentNotes, Timeline } from '../schemas/timeline.ts';
import { jobKeys, lastSegment } from '../storage/keys.ts';
import { getJson, presignGet, putJson, putText, s3Url } from '../storage/s3.ts';
import { renamePhotoSources } from '../storage/uploads.ts';
import { toFfmetadataChapters, toVttChapters } from '../timeline/chapters.ts';
import { toEdl } from '../timeline/edit-list.ts';
import { toCsv, toJson, toWebVtt } from '../timeline/export.ts';
import { summarizeChunk } from '../timeline/chunk-summary.ts';
import { buildTimeline } from '../timeline/merge.ts';
import { TrackShortlist, type ShortlistedTracks } from '../timeline/track-shortlist.ts';
import { namedSightings, planMontage } from '../timeline/montage-plan.ts';
import { tooShortToName } from '../timeline/too-short.ts';
import { probeVideo } from '../video/probe.ts';
import { ChunkManifest } from './chunks.ts';
import type { HandlerContext } from './context.ts';
import { montageFailure } from './montage-failure.ts';
import { planPieces } from './montage-pieces.ts';
import { reportInput } from './report-model.ts';
import { chunkMismatch, readReusable } from './reuse.ts';
import { storeThumbnails, type ThumbnailSource } from './stored-thumbnails.ts';
import { storeUnknownPeople, unknownPeopleOf, unknownSummary } from './unknown-people.ts';
import { analysedScale, storedChunkSummary } from './chunk-summaries.ts';

export const FinishEvent = z.object({
  job: Job,
  /** Train's result: carries what enrolment said about each person's photos. */
  gallery: GallerySummary,
  chunks: z.object({ bucket: z.string(), key: z.string() }).passthrough(),
});
type FinishEvent = z.infer<typeof FinishEvent>;

/** Most thumbnails made per person: a long video can have hundreds of segments. */
const MAX_THUMBNAILS_PER_PERSON = 40;
const CHUNK_READ_PARALLELISM = 16;

/**
 * What Montage keeps of every chunk the manifest lists (shared/timeline/chunk-summary.ts): no face's
 * descriptors, and of the unnamed tracks' only those grouping can use, so memory does not grow with
 * the video. Read from the summary Recognize stored beside the result when it is provably that
 * result's (shared/workflow/chunk-summaries.ts), else made from the result, read by its key (never
 * by listing the prefix, which could hold anything) and checked to be this job's, from the
 * gallery's models. A chunk whose result is absent or unusable is left out, so the timeline
 * reports it as not scanned.
 */
async function readChunkSummaries(
  event: FinishEvent,
  context: HandlerContext,
  manifest: readonly ChunkRange[],
  scale: number,
): Promise<{ chunks: ChunkSightings[]; tracks: ShortlistedTracks; rejected: string[] }> {
  const { job, gallery } = event;
  const keys = jobKeys(job.jobId);
  const shortlist = new TrackShortlist(DEFAULT_CLUSTER_RULE.maxTracks);
  const results = await mapLimit(manifest, CHUNK_READ_PARALLELISM, async (chunk) => {
    const expected = { jobId: job.jobId, models: gallery.models, chunk, sampleFps: job.options.sampleFps };
    let summary = await storedChunkSummary(context.s3, job.bucket, expected, scale);
    if (summary === undefined) {
      const stored = await readReusable(
        context.s3,
        job.bucket,
        keys.chunkFaces(chunk.index),
        ChunkResult,
        (result) => chunkMismatch(result, expected),
        'the chunk counts as not scanned; run the job again to scan it',
      );
      if (!stored.reuse) return { rejected: stored.rejected };
      summary = summarizeChunk(stored.value, scale);
    }
    shortlist.add(chunk.index, summary.tracks);
    return { sightings: summary.sightings };
  });
  return {
    chunks: results.flatMap((read) => (read.sightings === undefined ? [] : [read.sightings])),
    tracks: shortlist.result(),
    rejected: results.flatMap((read) => (read.rejected === undefined ? [] : [read.rejected])),
  };
}

/**
 * Montage: merges every chunk's faces into the timeline, writes it as JSON, CSV and WebVTT (and
 * for editors as an edit list and chapter markers), takes a thumbnail of each segment's best face,
 * writes the report page, and plans the montage: its pieces (intermediate/<id>/montage/pieces.json)
 * for the CutPieces map to cut in parallel and Join to join. Returns the search's result and
 * that plan's hand-off (null: no montage to make, or its plan failed, which a warning says).
 */
export async function montageJob(raw: unknown, context: HandlerContext): Promise<MontageStepResult> {
  const event = parseInput(FinishEvent, raw, 'montage input');
  const { job } = event;
  const photos: EnrolmentNotes[] = event.gallery.identities.map(({ name, notes, skipped }) => ({ name, notes, skipped }));
  // Outputs name photos by their file names; the result keeps the s3:// URLs, which the CLI maps back to the user's paths.
  const shownPhotos = renamePhotoSources(photos, photoFileNames(job));
  const { s3 } = context;
  const keys = jobKeys(job.jobId);
  const url = await presignGet(s3, job.bucket, job.video.key, 6 * 3600);
  // Shard's probe of this very object (the record names its ETag), as Recognize uses it; a probe only for older records.
  const record = await getJson(s3, job.bucket, keys.record, JobRecord);
  const video = record.probe ?? (await probeVideo(url));
  const manifest = await getJson(s3, event.chunks.bucket, event.chunks.key, ChunkManifest);
  const { chunks, tracks, rejected } = await readChunkSummaries(event, context, manifest, analysedScale(video));
  const source: ThumbnailSource = { bucket: job.bucket, jobId: job.jobId, video: record.video, scannedBy: job.video.scannedBy };
  const timeline = buildTimeline(chunks, {
    sampleFps: job.options.sampleFps,
    videoDuration: video.durationSeconds,
    gapTolerance: job.options.gapSeconds,
    minDuration: job.options.minSegmentSeconds,
    manifest,
    nearMissBand: DEFAULT_RULE.nearMissBand,
  });
  const unknown = unknownPeopleOf(tracks, { video, sampleFps: job.options.sampleFps, gapTolerance: job.options.gapSeconds, missingChunks: timeline.missingChunks });
  timeline.unknown = unknown.section;
  // The key's last segment is the user's file name (uploads are stored as uploads/<hash>/<name>).
  const videoName = lastSegment(job.video.key);
  const exports = [keys.timelineEdl, keys.chaptersVtt, keys.chaptersFfmetadata];
  await Promise.all([
    putText(s3, job.bucket, keys.timelineJson, toJson({ jobId: job.jobId, ...timeline, enrolment: shownPhotos }), 'application/json'),
    putText(s3, job.bucket, keys.timelineCsv, toCsv(timeline), 'text/csv'),
    putText(s3, job.bucket, keys.timelineVtt, toWebVtt(timeline), 'text/vtt'),
    putText(s3, job.bucket, keys.timelineEdl, toEdl(timeline, { clipName: videoName, fps: video.fps, hasAudio: video.hasAudio }), 'text/plain'),
    putText(s3, job.bucket, keys.chaptersVtt, toVttChapters(timeline), 'text/vtt'),
    putText(s3, job.bucket, keys.chaptersFfmetadata, toFfmetadataChapters(timeline), 'text/plain'),
  ]);

  // ffmpeg is killed when the time limit nears, so the step fails with a message instead of being killed.
  const read = { url, video, signal: context.deadline?.signal };
  const wanted = timeline.identities.flatMap((identity) =>
    identity.segments.slice(0, MAX_THUMBNAILS_PER_PERSON).map((segment, i) => ({ identity: identity.name, i, name: thumbnailName(identity.name, i), face: segment.bestFace })),
  );
  let reusedThumbnails = await storeThumbnails(s3, source, wanted, read);
  const thumbnails = new Map(wanted.map(({ identity, i, name }) => [`${identity}/${i}`, `thumbnails/${name}`]));
  const unknownFaces = await storeUnknownPeople(s3, { ...source, models: event.gallery.models }, unknown, read);
  const unknownThumbnails = unknownFaces.thumbnails;
  reusedThumbnails += unknownFaces.reused;

  const tooShort = tooShortToName(video, job.options.sampleFps);
  // Stored objects that could not be used are named, so a rerun's repairs are not silent.
  const warnings = [...(tooShort === null ? [] : [tooShort]), ...event.gallery.recomputed, ...rejected];
  const references = await referenceFaces(s3, event.gallery.bucket, event.gallery.key);
  warnings.push(...references.problems);
  const plan = planMontage(timeline, namedSightings(chunks), { capSeconds: job.options.montageMaxSeconds, sampleFps: job.options.sampleFps });
  // What the page shows, kept for Join, which renders it again with the montage's player.
  const model: ReportModel = {
    title: videoName,
    video: videoName,
    timeline,
    thumbnails: [...thumbnails],
    unknownThumbnails: [...unknownThumbnails],
    photos: shownPhotos,
    referenceFaces: [...references.faces],
    warnings,
    plan: { onScreenSeconds: plan.onScreenSeconds, shownSeconds: plan.shownSeconds, capSeconds: plan.capSeconds, omitted: plan.omitted },
  };
  const writeReport = () => putText(s3, job.bucket, keys.report, renderReport(reportInput(model, null)), 'text/html');
  // The timeline and report exist before the montage is tried: a montage that fails costs only itself.
  await writeReport();
  const result: MontageResult = {
    jobId: job.jobId,
    bucket: job.bucket,
    outputs: {
      timelineJson: keys.timelineJson,
      timelineCsv: keys.timelineCsv,
      timelineVtt: keys.timelineVtt,
      exports,
      report: keys.report,
      montage: null,
      thumbnails: [...thumbnails.values(), ...unknownThumbnails.values()].sort().map((path) => keys.prefix + path),
    },
    identities: summarize(timeline),
    notFound: job.faces.map((face) => face.name).filter((name) => !timeline.identities.some((identity) => identity.name === name)),
    missingChunks: timeline.missingChunks.length,
    unknown: unknownSummary(unknown.section),
    unknownTotal: unknown.section.people.length,
    nearMisses: (timeline.nearMisses ?? []).map(({ name, firstSeen, lastSeen, distance, threshold }) => ({ name, firstSeen, lastSeen, distance, threshold })),
    videoDuration: timeline.videoDuration,
    photos,
    ...(job.video.scannedBy === undefined
      ? {}
      : { reusedScan: { from: job.video.scannedBy, chunks: chunks.length, reused: chunks.filter((chunk) => chunk.scannedBy !== undefined).length } }),
    thumbnailCount: { made: thumbnails.size + unknownThumbnails.size, reused: reusedThumbnails },
    warnings,
  };
  if (!job.options.montage || plan.clips.length === 0) return { result, montage: null };
  // The pieces are cut by the CutPieces map and joined by Join: here they are only planned.
  try {
    const { pieces, cut } = await planPieces({ bucket: job.bucket, jobId: job.jobId, video: record.video, scannedBy: job.video.scannedBy, options: job.options }, plan, video);
    await Promise.all([putJson(s3, job.bucket, keys.montagePieces, pieces), putJson(s3, job.bucket, keys.montageReport, model)]);
    const montage: MontageHandoff = {
      bucket: job.bucket,
      jobId: job.jobId,
      pieces: keys.montagePieces,
      count: pieces.length,
      report: keys.montageReport,
      results: keys.results,
      maxConcurrency: job.options.maxConcurrency,
      cut,
    };
    return { result, montage };
  } catch (error) {
    warnings.push(montageFailure(error));
    await writeReport();
    return { result, montage: null };
  }
}

/**
 * A thumbnail's file name: the person's name made safe for a key, to be readable, plus a short
 * hash of the exact name, because making names safe maps different ones (`lin m'x`, `lin_m_x`) to
 * the same text and one person's thumbnails would overwrite the other's.
 */
export function thumbnailName(identity: string, segment: number): string {
  const readable = identity.replace(/[^A-Za-z0-9_-]/g, '_');
  const hash = createHash('sha256').update(identity, 'utf8').digest('hex').slice(0, 8);
  return `${readable}-${hash}-${segment}.jpg`;
}

/**
 * The report's names for the reference photos: the file name (the upload key's last segment is
 * the user's file name), or the path below a photo prefix, instead of the whole s3:// URL.
 */
function photoFileNames(job: Job): Map<string, string> {
  const names = new Map<string, string>();
  for (const face of job.faces) {
    for (const key of face.keys) names.set(s3Url(job.bucket, key), lastSegment(key));
    if (face.prefix !== undefined) names.set(s3Url(job.bucket, face.prefix.endsWith('/') ? face.prefix : `${face.prefix}/`), '');
  }
  return names;
}

function summarize(timeline: Timeline): MontageResult['identities'] {
  return timeline.identities.map((identity) => ({
    name: identity.name,
    segments: identity.segments.length,
    totalSeconds: identity.totalSeconds,
    firstSeen: identity.segments[0]?.firstSeen ?? null,
    lastSeen: identity.segments.at(-1)?.lastSeen ?? null,
  }));
}

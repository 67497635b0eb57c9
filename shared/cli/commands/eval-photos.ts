import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { degradedEmbedding, HARD, VIDEO_LIKE, type Degradation } from '../../eval/degrade.ts';
import { evaluatePhotos, type LabelledEmbedding } from '../../eval/photos.ts';
import { rank1, strangersAccepted, tarAtFar, type Distance } from '../../eval/verification.ts';
import { euclidean } from '../../match/distance.ts';
import { findReferenceFace, skippedPhoto, type FoundFace } from '../../match/gallery.ts';
import { DEFAULT_ANALYZE_OPTIONS } from '../../vision/options.ts';
import { ensureModels } from '../../vision/models.ts';
import { facesFromIdentityFolders } from '../faces-arg.ts';
import { parseFlags } from '../flags.ts';

export const EVAL_PHOTOS_USAGE = `lambdaface eval-photos --faces <dir of identity folders> [--json]

Embeds every photo exactly as enrolment does and reports leave-one-out rank-1 accuracy and the
best single-threshold same/different pair accuracy (the threshold is where the matcher's
default comes from). Then, per condition (clean; video-like: face ${VIDEO_LIKE.faceWidth} px, JPEG q${VIDEO_LIKE.jpegQuality};
hard: face ${HARD.faceWidth} px, blur ${HARD.blur}, JPEG q${HARD.jpegQuality}, face and landmarks found again), every photo
is a probe against the clean photos of everyone but itself: rank-1, the genuine acceptance (TAR)
at impostor acceptance (FAR) 1e-2 and 1e-3, and the share of strangers accepted at 95% genuine
acceptance, each identity held out in turn.`;

const Flags = z.object({ faces: z.string({ error: 'give the photo folder with --faces <dir>' }).min(1), json: z.boolean().default(false) });

interface Photo {
  identity: string;
  source: string;
  found: FoundFace;
}

const CONDITIONS: readonly Degradation[] = [VIDEO_LIKE, HARD];

interface ConditionFigures {
  /** Photos whose degraded copy had no face found again: left out of this condition's figures. */
  notDetected: number;
  rank1: number;
  tarAtFar: { far: number; tar: number; threshold: number }[];
  strangersAcceptedAt95: number;
}

/**
 * Every photo whose probe exists is a probe against the clean photos of everyone but itself
 * (shared/eval/verification.ts): the figures say how a distance threshold behaves when most faces
 * belong to nobody enrolled.
 */
function openSetFigures(photos: readonly Photo[], probes: readonly (Float32Array | null)[]): ConditionFigures {
  const kept = photos.flatMap((photo, i) => (probes[i] ? [{ identity: photo.identity, source: photo.source, enrolled: photo.found.face.embedding, probe: probes[i] }] : []));
  const distance: Distance = (probe, gallery) => euclidean(kept[probe]!.probe, kept[gallery]!.enrolled);
  return {
    notDetected: photos.length - kept.length,
    rank1: rank1(kept, distance).rate,
    tarAtFar: tarAtFar(kept, distance, [1e-2, 1e-3]).map(({ far, tar, threshold }) => ({ far, tar, threshold })),
    strangersAcceptedAt95: strangersAccepted(kept, () => distance, 0.95).strangersAccepted,
  };
}

/** Every photo's reference face; a photo without one is left out and listed, as enrolment does. */
async function referenceFaces(dir: string): Promise<{ photos: Photo[]; skipped: string[] }> {
  const photos: Photo[] = [];
  const skipped: string[] = [];
  for (const person of await facesFromIdentityFolders(dir)) {
    for (const source of person.photos) {
      const photo = { source, bytes: await readFile(source) };
      try {
        photos.push({ identity: person.name, source, found: await findReferenceFace(photo, person.name, DEFAULT_ANALYZE_OPTIONS) });
      } catch (error) {
        skipped.push(skippedPhoto(photo, error).reason);
      }
    }
  }
  return { photos, skipped };
}

const describeFigures = (name: string, figures: ConditionFigures): string =>
  `${name}: rank-1 ${figures.rank1.toFixed(3)}, ${figures.tarAtFar.map(({ far, tar, threshold }) => `TAR@FAR${far} ${tar.toFixed(3)} (d<${threshold.toFixed(3)})`).join(', ')}, strangers accepted at 95% genuine ${figures.strangersAcceptedAt95.toFixed(3)}${figures.notDetected > 0 ? ` (${figures.notDetected} faces no longer found, left out)` : ''}`;

export async function evalPhotosCommand(argv: readonly string[]): Promise<void> {
  const flags = parseFlags('eval-photos', argv, { faces: { type: 'string' }, json: { type: 'boolean' } }, Flags);
  await ensureModels();
  const { photos, skipped } = await referenceFaces(flags.faces);
  const degraded = new Map<string, (Float32Array | null)[]>();
  for (const condition of CONDITIONS) {
    const embeddings: (Float32Array | null)[] = [];
    for (const photo of photos) embeddings.push(await degradedEmbedding(photo.found, condition, DEFAULT_ANALYZE_OPTIONS));
    degraded.set(condition.name, embeddings);
  }
  const videoLike = degraded.get(VIDEO_LIKE.name)!;
  const labelled: LabelledEmbedding[] = photos.map((photo, i) => ({
    identity: photo.identity,
    source: photo.source,
    embedding: photo.found.face.embedding,
    ...(videoLike[i] ? { videoLike: videoLike[i] } : {}),
  }));
  const result = evaluatePhotos(labelled);
  const conditions: Record<string, ConditionFigures> = { clean: openSetFigures(photos, photos.map((photo) => photo.found.face.embedding)) };
  for (const condition of CONDITIONS) conditions[condition.name] = openSetFigures(photos, degraded.get(condition.name)!);

  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...result, conditions, skipped }, null, 2)}\n`);
    return;
  }
  const lines = [
    `${result.photos} photos of ${result.identities} people${skipped.length > 0 ? ` (${skipped.length} skipped: no usable face)` : ''}`,
    `rank-1 (leave one out): ${result.rank1.toFixed(4)} over ${result.rank1Photos} photos`,
    `pair accuracy: ${result.pairAccuracy.toFixed(4)} at threshold ${result.bestThreshold.toFixed(3)} (${result.pairs.same} same, ${result.pairs.different} different pairs)`,
    ...(result.videoLike
      ? [`video-like (face ${VIDEO_LIKE.faceWidth} px, JPEG q${VIDEO_LIKE.jpegQuality}) vs photos: pair accuracy ${result.videoLike.pairAccuracy.toFixed(4)} at threshold ${result.videoLike.bestThreshold.toFixed(3)} (the matcher's default threshold comes from here)`]
      : []),
    `same-person distance: median ${result.sameDistance.median.toFixed(3)}, p95 ${result.sameDistance.p95.toFixed(3)}, max ${result.sameDistance.max.toFixed(3)}`,
    `different-person distance: min ${result.differentDistance.min.toFixed(3)}, p5 ${result.differentDistance.p05.toFixed(3)}, median ${result.differentDistance.median.toFixed(3)}`,
    'open set, each photo a probe against everyone\'s clean photos but its own:',
    ...Object.entries(conditions).map(([name, figures]) => `  ${describeFigures(name, figures)}`),
    ...result.rank1Misses.map((miss) => `  miss: ${miss.source} (${miss.identity}) nearest is ${miss.nearest} at ${miss.distance.toFixed(3)}`),
    ...skipped.map((reason) => `  skipped: ${reason}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

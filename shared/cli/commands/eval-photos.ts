import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { calibrateCondition, calibratePairs, fusionFrom, nearestRow, probeDistances, type ConditionCalibration, type EnrolledPhoto, type ProbeFace } from '../../eval/calibrate.ts';
import { degradedFace, HARD, VIDEO_LIKE, type DegradedFace, type Degradation } from '../../eval/degrade.ts';
import { evaluatePhotos, type LabelledEmbedding } from '../../eval/photos.ts';
import { rank1, strangersAccepted, tarAtFar, type Distance } from '../../eval/verification.ts';
import { euclidean } from '../../match/distance.ts';
import { DEFAULT_FUSION, fusedDistance } from '../../match/fusion.ts';
import { enrolIdentity, findReferenceFace, skippedPhoto, type FoundFace } from '../../match/gallery.ts';
import { DEFAULT_RULE, SMALL_FACE } from '../../match/matcher.ts';
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
acceptance, each identity held out in turn: for dlib alone and for the fused distance search uses.
Last, the calibration: each descriptor's impostor distances on the video-like copies (the
fusion's normalization), the fused thresholds at FAR 1e-2/1e-3/1e-4 per condition, and what the
default rule names there.`;

const Flags = z.object({ faces: z.string({ error: 'give the photo folder with --faces <dir>' }).min(1), json: z.boolean().default(false) });

interface Photo {
  identity: string;
  source: string;
  found: FoundFace;
  /** The photo enrolled on its own, every row of both descriptors, as search enrols it. */
  enrolled: EnrolledPhoto;
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
function openSetFigures(photos: readonly Photo[], probes: readonly (DegradedFace | null)[], descriptor: 'dlib' | 'fused'): ConditionFigures {
  const kept = photos.flatMap((photo, i) => (probes[i] ? [{ identity: photo.identity, source: photo.source, photo, probe: probes[i] }] : []));
  const distance: Distance =
    descriptor === 'dlib'
      ? (probe, gallery) => euclidean(kept[probe]!.probe.dlib, kept[gallery]!.photo.found.face.embedding)
      : (probe, gallery) => {
          const { enrolled } = kept[gallery]!.photo;
          const { dlib, faceres } = kept[probe]!.probe;
          return fusedDistance(nearestRow(enrolled.dlib, dlib), nearestRow(enrolled.faceres, faceres));
        };
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
        const found = await findReferenceFace(photo, person.name, DEFAULT_ANALYZE_OPTIONS);
        const { embeddings, faceres } = await enrolIdentity(person.name, [photo]);
        photos.push({ identity: person.name, source, found, enrolled: { identity: person.name, source, dlib: embeddings, faceres } });
      } catch (error) {
        skipped.push(skippedPhoto(photo, error).reason);
      }
    }
  }
  return { photos, skipped };
}

const describeFigures = (name: string, figures: ConditionFigures): string =>
  `${name}: rank-1 ${figures.rank1.toFixed(3)}, ${figures.tarAtFar.map(({ far, tar, threshold }) => `TAR@FAR${far} ${tar.toFixed(3)} (d<${threshold.toFixed(3)})`).join(', ')}, strangers accepted at 95% genuine ${figures.strangersAcceptedAt95.toFixed(3)}${figures.notDetected > 0 ? ` (${figures.notDetected} faces no longer found, left out)` : ''}`;

const describeCalibration = (name: string, c: ConditionCalibration): string =>
  `${name} (${c.probes} probes, ${c.impostorPairs} impostor pairs): fused impostors mean ${c.fusedImpostors.mean.toFixed(3)} sd ${c.fusedImpostors.std.toFixed(4)}; ` +
  `threshold ${c.thresholds.map((t) => `@FAR${t.far} ${t.gaussian.toFixed(3)} (empirical ${t.empirical.toFixed(3)})`).join(', ')}; ` +
  `default rule at ${c.rule.faceWidth} px: named right ${c.rule.namedRight.toFixed(3)}, wrong ${c.rule.namedWrong.toFixed(3)}, strangers named ${c.rule.strangersNamed.toFixed(3)}`;

/** The face width each condition stands for, in the matching rule's terms. */
const CONDITION_FACE_WIDTH: Record<string, number> = { clean: 150, [VIDEO_LIKE.name]: SMALL_FACE.to, [HARD.name]: SMALL_FACE.from };

export async function evalPhotosCommand(argv: readonly string[]): Promise<void> {
  const flags = parseFlags('eval-photos', argv, { faces: { type: 'string' }, json: { type: 'boolean' } }, Flags);
  await ensureModels();
  const { photos, skipped } = await referenceFaces(flags.faces);
  const probes = new Map<string, (DegradedFace | null)[]>([
    ['clean', photos.map((photo) => ({ dlib: photo.found.face.embedding, faceres: Float32Array.from(photo.enrolled.faceres[0]!) }))],
  ]);
  for (const condition of CONDITIONS) {
    const faces: (DegradedFace | null)[] = [];
    for (const photo of photos) faces.push(await degradedFace(photo.found, condition, DEFAULT_ANALYZE_OPTIONS));
    probes.set(condition.name, faces);
  }
  const videoLike = probes.get(VIDEO_LIKE.name)!;
  const labelled: LabelledEmbedding[] = photos.map((photo, i) => ({
    identity: photo.identity,
    source: photo.source,
    embedding: photo.found.face.embedding,
    ...(videoLike[i] ? { videoLike: videoLike[i].dlib } : {}),
  }));
  const result = evaluatePhotos(labelled);
  const conditions: Record<string, { dlib: ConditionFigures; fused: ConditionFigures }> = {};
  const rows = new Map<string, ReturnType<typeof probeDistances>>();
  for (const [name, faces] of probes) {
    conditions[name] = { dlib: openSetFigures(photos, faces, 'dlib'), fused: openSetFigures(photos, faces, 'fused') };
    const kept: ProbeFace[] = photos.flatMap((photo, i) => (faces[i] ? [{ identity: photo.identity, source: photo.source, ...faces[i] }] : []));
    rows.set(
      name,
      probeDistances(
        kept,
        photos.map((photo) => photo.enrolled),
      ),
    );
  }
  const calibration = {
    fusion: fusionFrom(rows.get(VIDEO_LIKE.name)!),
    fusionInUse: DEFAULT_FUSION,
    rule: DEFAULT_RULE,
    conditions: Object.fromEntries([...rows].map(([name, row]) => [name, calibrateCondition(row, DEFAULT_FUSION, DEFAULT_RULE, CONDITION_FACE_WIDTH[name]!)])),
    // Unknown people are grouped by comparing one video face with another, never with a photo: degraded probes against each other.
    pairs: Object.fromEntries(
      CONDITIONS.map((condition) => {
        const faces = probes.get(condition.name)!;
        return [
          condition.name,
          calibratePairs(
            photos.flatMap((photo, i) => (faces[i] ? [{ identity: photo.identity, source: photo.source, ...faces[i] }] : [])),
            DEFAULT_FUSION,
          ),
        ];
      }),
    ),
  };

  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...result, conditions, calibration, skipped }, null, 2)}\n`);
    return;
  }
  const lines = [
    `${result.photos} photos of ${result.identities} people${skipped.length > 0 ? ` (${skipped.length} skipped: no usable face)` : ''}`,
    `rank-1 (leave one out): ${result.rank1.toFixed(4)} over ${result.rank1Photos} photos`,
    `pair accuracy: ${result.pairAccuracy.toFixed(4)} at threshold ${result.bestThreshold.toFixed(3)} (${result.pairs.same} same, ${result.pairs.different} different pairs)`,
    ...(result.videoLike
      ? [
          `video-like (face ${VIDEO_LIKE.faceWidth} px, JPEG q${VIDEO_LIKE.jpegQuality}) vs photos: pair accuracy ${result.videoLike.pairAccuracy.toFixed(4)} at threshold ${result.videoLike.bestThreshold.toFixed(3)}`,
        ]
      : []),
    `same-person distance: median ${result.sameDistance.median.toFixed(3)}, p95 ${result.sameDistance.p95.toFixed(3)}, max ${result.sameDistance.max.toFixed(3)}`,
    `different-person distance: min ${result.differentDistance.min.toFixed(3)}, p5 ${result.differentDistance.p05.toFixed(3)}, median ${result.differentDistance.median.toFixed(3)}`,
    "open set, each photo a probe against everyone's clean photos but its own:",
    ...Object.entries(conditions).flatMap(([name, figures]) => [`  ${describeFigures(`${name}, dlib`, figures.dlib)}`, `  ${describeFigures(`${name}, fused`, figures.fused)}`]),
    `calibration: impostor distances of the video-like copies: dlib mean ${calibration.fusion.dlib.mean.toFixed(3)} sd ${calibration.fusion.dlib.std.toFixed(4)}, FaceRes mean ${calibration.fusion.faceres.mean.toFixed(3)} sd ${calibration.fusion.faceres.std.toFixed(4)} (in use: ${JSON.stringify(DEFAULT_FUSION)})`,
    ...Object.entries(calibration.conditions).map(([name, c]) => `  ${describeCalibration(name, c)}`),
    ...Object.entries(calibration.pairs).map(
      ([name, c]) =>
        `  ${name} face against ${name} face (clustering unknown people; ${c.genuinePairs} genuine, ${c.impostorPairs} impostor pairs): fused impostors mean ${c.fusedImpostors.mean.toFixed(3)} sd ${c.fusedImpostors.std.toFixed(4)}; threshold ${c.thresholds.map((t) => `@FAR${t.far} ${t.gaussian.toFixed(3)} (empirical ${t.empirical.toFixed(3)}, genuine pairs kept ${t.genuineAccepted.toFixed(3)})`).join(', ')}`,
    ),
    ...result.rank1Misses.map((miss) => `  miss: ${miss.source} (${miss.identity}) nearest is ${miss.nearest} at ${miss.distance.toFixed(3)}`),
    ...skipped.map((reason) => `  skipped: ${reason}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

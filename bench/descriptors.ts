/**
 * `npm run bench:descriptors -- [--faces DIR] [--face-width PX]` (writes bench/results/descriptors-<PX>px.json):
 * how well each face descriptor
 * separates people when the probe is hard and the gallery is clean.
 *
 * Every photo of DIR (one folder per person; default ../shared/data/faces) is enrolled as it is.
 * Its probe is the same photo made hard: shrunk so the face is 40 px wide, blurred (sigma 0.7),
 * JPEG quality 50, and the face found again on that image (detector + FaceMesh, so the probe's
 * alignment is as rough as a video face's). A probe is never compared with its own photo.
 *
 * Descriptors: dlib (face-api's 128-D, the pipeline's today), HSE FaceRes (1024-D, ArcFace chip
 * at 224, BGR minus ImageNet means, L2-normalized), variants of FaceRes that change one thing
 * (raw, not normalized; fed plain RGB as vladmandic/human does; a looser chip), and dlib +
 * FaceRes fused: each distance z-normalized on the impostor pairs of the clean gallery, then
 * summed. Figures: rank-1, TAR at FAR 1e-2 and 1e-3, and the share of strangers accepted at 95%
 * genuine acceptance with whole identities held out. Also the gender head's accuracy per input.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { degradePhoto, HARD, refindFace } from '../shared/eval/degrade.ts';
import { impostorMoments, rank1, strangersAccepted, tarAtFar, zNormalized, type Distance, type Sample } from '../shared/eval/verification.ts';
import { euclidean } from '../shared/match/distance.ts';
import { facesFromIdentityFolders } from '../shared/cli/faces-arg.ts';
import { findReferenceFace, skippedPhoto } from '../shared/match/gallery.ts';
import { sampleInto, type Point } from '../shared/vision/affine.ts';
import { alignmentTransform, ALIGNED_SIZE, ARCFACE_CHIP_224, NO_JITTER, type ChipFrame, type FivePoints } from '../shared/vision/align.ts';
import type { AnalyzedFace } from '../shared/vision/analyze.ts';
import { l2Normalize } from '../shared/vision/embed-faceres.ts';
import type { RgbImage } from '../shared/vision/image.ts';
import { ensureModels, FACERES_EMBEDDER, loadModel } from '../shared/vision/models.ts';
import { buildModelsOnDemand } from '../tools/models/on-demand.ts';
import { DEFAULT_ANALYZE_OPTIONS } from '../shared/vision/options.ts';
import { fmt, formatTable, log, machineInfo, median, writeResults } from './common.ts';

const { values: flags } = parseArgs({
  options: {
    faces: { type: 'string', default: '../shared/data/faces' },
    'face-width': { type: 'string', default: '40' },
  },
});
/** The hard condition of `lambdaface eval-photos`, at the face width asked for. */
const HARD_PROBE = { ...HARD, faceWidth: Number(flags['face-width']) };
/** Who is a woman in ../shared/data/faces (for the gender head's accuracy); everyone else is a man. */
const WOMEN = new Set(['kaley_cuoco', 'melissa_rauch', 'mayim_bialik', 'rose_leslie']);

// ---- FaceRes feeds ---------------------------------------------------------------------------

/** The ImageNet means the graph subtracts, in RGB order. */
const MEANS_RGB = [123.68, 116.779, 103.939] as const;

/**
 * How the chip reaches the network. 'bgr' is the model's input as built (the graph swaps to BGR
 * and subtracts the means). 'rgb' makes the network see plain RGB 0..255, as vladmandic/human
 * feeds it: the chip is pre-swapped and the means added back, so the graph's own step undoes itself.
 */
type Feed = 'bgr' | 'rgb';

/** The ArcFace chip with `context` times more of the surroundings (the template shrunk about the centre). */
function looserChip(chip: ChipFrame, context: number): ChipFrame {
  const c = chip.size / 2;
  const move = (p: Point): Point => ({ x: c + (p.x - c) / context, y: c + (p.y - c) / context });
  const t = chip.template;
  return { size: chip.size, template: { leftEye: move(t.leftEye), rightEye: move(t.rightEye), nose: move(t.nose), leftMouth: move(t.leftMouth), rightMouth: move(t.rightMouth) } };
}
const LOOSE_CHIP = looserChip(ARCFACE_CHIP_224, 1.25);

async function runFaceRes(image: RgbImage, points: FivePoints, chip: ChipFrame, feed: Feed): Promise<{ raw: Float32Array; male: number }> {
  const size = chip.size;
  const input = new Float32Array(size * size * 3);
  sampleInto(image, alignmentTransform(points, NO_JITTER, chip), size, size, input);
  if (feed === 'rgb') {
    for (let p = 0; p < input.length; p += 3) {
      const [r, g, b] = [input[p]!, input[p + 1]!, input[p + 2]!];
      input[p] = b + MEANS_RGB[0];
      input[p + 1] = g + MEANS_RGB[1];
      input[p + 2] = r + MEANS_RGB[2];
    }
  }
  const session = await loadModel('faceres-embedder');
  const out = await session.run({ image: new ort.Tensor('float32', input, [1, size, size, 3]) });
  return { raw: (out[FACERES_EMBEDDER.outputs.descriptor.name]!.data as Float32Array).slice(), male: (out[FACERES_EMBEDDER.outputs.gender.name]!.data as Float32Array)[0]! };
}

interface Descriptors {
  dlib: Float32Array;
  faceres: Float32Array;
  faceresRaw: Float32Array;
  faceresRgb: Float32Array;
  faceresLoose: Float32Array;
  male: { bgr: number; rgb: number };
}

async function describeFace(image: RgbImage, face: AnalyzedFace): Promise<Descriptors> {
  const main = await runFaceRes(image, face.points, ARCFACE_CHIP_224, 'bgr');
  const rgb = await runFaceRes(image, face.points, ARCFACE_CHIP_224, 'rgb');
  const loose = await runFaceRes(image, face.points, LOOSE_CHIP, 'bgr');
  return {
    dlib: face.embedding,
    faceres: l2Normalize(main.raw.slice()),
    faceresRaw: main.raw,
    faceresRgb: l2Normalize(rgb.raw),
    faceresLoose: l2Normalize(loose.raw),
    male: { bgr: main.male, rgb: rgb.male },
  };
}

// ---- the run ---------------------------------------------------------------------------------

interface Item extends Sample {
  gallery: Descriptors;
  probe: Descriptors;
  woman: boolean;
}

async function main(): Promise<void> {
  buildModelsOnDemand();
  await ensureModels();
  const people = await facesFromIdentityFolders(flags.faces);
  const photos = people.flatMap((person) => person.photos.map((path) => ({ identity: person.name, path })));
  log(`${photos.length} photos of ${people.length} people in ${flags.faces}`);
  const items: Item[] = [];
  const lost: { source: string; reason: string }[] = [];
  const probeFaceWidths: number[] = [];
  for (const { identity, path } of photos) {
    const photo = { source: path, bytes: await readFile(path) };
    let found;
    try {
      found = await findReferenceFace(photo, identity, DEFAULT_ANALYZE_OPTIONS);
    } catch (error) {
      lost.push(skippedPhoto(photo, error));
      continue;
    }
    const degraded = await degradePhoto(found, HARD_PROBE);
    const again = await refindFace(degraded, DEFAULT_ANALYZE_OPTIONS);
    if (!again) {
      lost.push({ source: path, reason: `face not found again at ${Math.round(degraded.box.width)} px` });
      continue;
    }
    probeFaceWidths.push(again.face.box.width);
    items.push({
      identity,
      source: path,
      woman: WOMEN.has(identity),
      gallery: await describeFace(found.image, found.face),
      probe: await describeFace(again.image, again.face),
    });
    if (items.length % 20 === 0) log(`${items.length} photos described`);
  }
  log(`${items.length} probes; ${lost.length} photos left out`);

  // Distances: probe i against the clean gallery photo j.
  type Key = 'dlib' | 'faceres' | 'faceresRaw' | 'faceresRgb' | 'faceresLoose';
  const plain =
    (key: Key): Distance =>
    (i, j) =>
      euclidean(items[i]!.probe[key], items[j]!.gallery[key]);
  const clean =
    (key: Key): Distance =>
    (i, j) =>
      euclidean(items[i]!.gallery[key], items[j]!.gallery[key]);
  // Fusion weights come from the clean gallery's impostor pairs only: what a deployment has.
  const fused = (include?: (index: number) => boolean): Distance => {
    const dlib = zNormalized(plain('dlib'), impostorMoments(items, clean('dlib'), include));
    const faceres = zNormalized(plain('faceres'), impostorMoments(items, clean('faceres'), include));
    return (i, j) => dlib(i, j) + faceres(i, j);
  };
  const fusedAll = fused();
  const descriptors: { name: string; distance: Distance; forFold: (heldOut: string) => Distance }[] = [
    { name: 'dlib 128-D', distance: plain('dlib'), forFold: () => plain('dlib') },
    { name: 'FaceRes 1024-D (ArcFace 224, BGR-mean, L2)', distance: plain('faceres'), forFold: () => plain('faceres') },
    { name: 'FaceRes, not L2-normalized', distance: plain('faceresRaw'), forFold: () => plain('faceresRaw') },
    { name: 'FaceRes fed plain RGB (as human)', distance: plain('faceresRgb'), forFold: () => plain('faceresRgb') },
    { name: 'FaceRes, chip with 1.25x context', distance: plain('faceresLoose'), forFold: () => plain('faceresLoose') },
    { name: 'dlib + FaceRes (z-normalized sum)', distance: fusedAll, forFold: (heldOut) => fused((index) => items[index]!.identity !== heldOut) },
  ];

  const rows = descriptors.map(({ name, distance, forFold }) => {
    const r1 = rank1(items, distance);
    const [far2, far3] = tarAtFar(items, distance, [1e-2, 1e-3]);
    const open = strangersAccepted(items, forFold, 0.95);
    return { name, rank1: r1, far2: far2!, far3: far3!, open };
  });

  const genderAccuracy = (pick: (d: Descriptors) => number, side: 'gallery' | 'probe') => items.filter((item) => pick(item[side]) < 0.5 === item.woman).length / items.length;
  const gender = {
    'clean, BGR-mean (as built)': genderAccuracy((d) => d.male.bgr, 'gallery'),
    'hard, BGR-mean (as built)': genderAccuracy((d) => d.male.bgr, 'probe'),
    'clean, plain RGB (as human)': genderAccuracy((d) => d.male.rgb, 'gallery'),
    'hard, plain RGB (as human)': genderAccuracy((d) => d.male.rgb, 'probe'),
  };

  // Time per face, one thread, batch of one (the chip is made once; this is the network alone).
  const timing = async (name: 'face-embedder' | 'faceres-embedder', size: number): Promise<number> => {
    const session = await loadModel(name);
    const input = new ort.Tensor('float32', new Float32Array(size * size * 3).fill(128), [1, size, size, 3]);
    const times: number[] = [];
    for (let k = 0; k < 15; k++) {
      const t0 = performance.now();
      await session.run({ image: input });
      times.push(performance.now() - t0);
    }
    return median(times.slice(3));
  };
  const ms = { dlib: await timing('face-embedder', ALIGNED_SIZE), faceres: await timing('faceres-embedder', ARCFACE_CHIP_224.size) };

  const table = rows.map(({ name, rank1: r1, far2, far3, open }) => ({
    descriptor: name,
    'rank-1': fmt(r1.rate, 3),
    'TAR@FAR1e-2': fmt(far2.tar, 3),
    'TAR@FAR1e-3': fmt(far3.tar, 3),
    'strangers accepted @95% GAR': fmt(open.strangersAccepted, 3),
  }));
  console.log(`\nHard probes (face ${HARD_PROBE.faceWidth} px, blur ${HARD_PROBE.blur}, JPEG q${HARD_PROBE.jpegQuality}, re-landmarked) vs clean gallery`);
  console.log(
    `${items.length} probes of ${new Set(items.map((i) => i.identity)).size} people; rank-1 over ${rows[0]!.rank1.probes} probes; ` +
      `${rows[0]!.far3.genuinePairs} genuine / ${rows[0]!.far3.impostorPairs} impostor pairs; ${rows[0]!.open.strangers} stranger probes over ${rows[0]!.open.folds.length} folds`,
  );
  console.log(`probe face width after re-detection: median ${fmt(median(probeFaceWidths), 1)} px`);
  console.log(formatTable(table));
  console.log('\nGender head accuracy (women: kaley_cuoco, melissa_rauch, mayim_bialik, rose_leslie)');
  console.log(formatTable(Object.entries(gender).map(([input, accuracy]) => ({ input, accuracy: fmt(accuracy, 3) }))));
  console.log(`\nNetwork time per face (1 thread, batch 1, median): dlib ${fmt(ms.dlib, 1)} ms, FaceRes ${fmt(ms.faceres, 1)} ms`);
  if (lost.length > 0) console.log(`\nLeft out (${lost.length}):\n${lost.map((l) => `  ${l.source}: ${l.reason}`).join('\n')}`);

  const path = writeResults(`descriptors-${HARD_PROBE.faceWidth}px.json`, {
    machine: machineInfo(['onnxruntime-node', 'sharp']),
    faces: flags.faces,
    hard: HARD_PROBE,
    probes: items.length,
    lost,
    rows: rows.map(({ name, rank1: r1, far2, far3, open }) => ({
      descriptor: name,
      rank1: r1.rate,
      rank1Probes: r1.probes,
      rank1Misses: r1.misses,
      tarAtFar: [far2, far3],
      strangersAccepted: open.strangersAccepted,
      strangers: open.strangers,
      folds: open.folds,
    })),
    gender,
    networkMsPerFace: ms,
  });
  log(`wrote ${path}`);
}

await main();

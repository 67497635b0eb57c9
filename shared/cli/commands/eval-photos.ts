import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { videoLikeEmbedding, VIDEO_LIKE } from '../../eval/degrade.ts';
import { evaluatePhotos, type LabelledEmbedding } from '../../eval/photos.ts';
import { findReferenceFace } from '../../match/gallery.ts';
import { DEFAULT_ANALYZE_OPTIONS } from '../../vision/options.ts';
import { ensureModels } from '../../vision/models.ts';
import { facesFromIdentityFolders } from '../faces-arg.ts';
import { parseFlags } from '../flags.ts';

export const EVAL_PHOTOS_USAGE = `lambdaface eval-photos --faces <dir of identity folders> [--json]

Embeds every photo exactly as enrolment does and reports leave-one-out rank-1 accuracy and the
best single-threshold same/different pair accuracy (the threshold is where the matcher's
default comes from).`;

const Flags = z.object({ faces: z.string({ error: 'give the photo folder with --faces <dir>' }).min(1), json: z.boolean().default(false) });

export async function evalPhotosCommand(argv: readonly string[]): Promise<void> {
  const flags = parseFlags('eval-photos', argv, { faces: { type: 'string' }, json: { type: 'boolean' } }, Flags);
  await ensureModels();
  const items: LabelledEmbedding[] = [];
  for (const person of await facesFromIdentityFolders(flags.faces)) {
    for (const photo of person.photos) {
      const found = await findReferenceFace({ source: photo, bytes: await readFile(photo) }, person.name, DEFAULT_ANALYZE_OPTIONS);
      items.push({ identity: person.name, source: photo, embedding: found.face.embedding, videoLike: await videoLikeEmbedding(found) });
    }
  }
  const result = evaluatePhotos(items);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const lines = [
    `${result.photos} photos of ${result.identities} people`,
    `rank-1 (leave one out): ${result.rank1.toFixed(4)} over ${result.rank1Photos} photos`,
    `pair accuracy: ${result.pairAccuracy.toFixed(4)} at threshold ${result.bestThreshold.toFixed(3)} (${result.pairs.same} same, ${result.pairs.different} different pairs)`,
    ...(result.videoLike
      ? [`video-like (face ${VIDEO_LIKE.faceWidth} px, JPEG q${VIDEO_LIKE.jpegQuality}) vs photos: pair accuracy ${result.videoLike.pairAccuracy.toFixed(4)} at threshold ${result.videoLike.bestThreshold.toFixed(3)} (the matcher's default threshold comes from here)`]
      : []),
    `same-person distance: median ${result.sameDistance.median.toFixed(3)}, p95 ${result.sameDistance.p95.toFixed(3)}, max ${result.sameDistance.max.toFixed(3)}`,
    `different-person distance: min ${result.differentDistance.min.toFixed(3)}, p5 ${result.differentDistance.p05.toFixed(3)}, median ${result.differentDistance.median.toFixed(3)}`,
    ...result.rank1Misses.map((miss) => `  miss: ${miss.source} (${miss.identity}) nearest is ${miss.nearest} at ${miss.distance.toFixed(3)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

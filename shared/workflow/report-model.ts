import type { MontagePlayer, ReportInput } from '../report/html.ts';
import type { ReportModel } from '../schemas/montage-pieces.ts';

/**
 * The report page's input from its stored model: Montage writes the page without a montage, and
 * Join writes it again from the same model with the montage's player (or its failure).
 */
export function reportInput(model: ReportModel, montage: MontagePlayer | null): ReportInput {
  return {
    title: model.title,
    timeline: model.timeline,
    thumbnails: new Map(model.thumbnails),
    unknownThumbnails: new Map(model.unknownThumbnails),
    montage,
    video: model.video,
    photos: model.photos,
    referenceFaces: new Map(model.referenceFaces),
    warnings: model.warnings,
  };
}

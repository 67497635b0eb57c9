import type { Gallery } from '../schemas/gallery.ts';
import { euclidean } from './distance.ts';

/**
 * Open-set matching rule. Calibrated on photo sets (see `lambdaface eval-photos`), never on the
 * videos it is checked on.
 */
export interface MatchRule {
  /** Largest distance to an identity's nearest gallery descriptor that still names the face. */
  threshold: number;
  /**
   * How much nearer the best identity must be than the runner-up. Look-alikes (brothers, a
   * stranger between two enrolled people) sit at similar distances to both; naming either would
   * be a guess.
   */
  margin: number;
  /** Width of the logistic that turns distance into confidence (0.5 at the threshold). */
  softness: number;
}

/**
 * Calibrated on the photo set ../shared/data/faces with `lambdaface eval-photos` (README,
 * "Calibration"), never on the videos: the threshold is the pair-accuracy optimum of video-like
 * copies of the photos (faces shrunk to 64 px and JPEG-compressed) against the clean photos
 * (0.579; photo against photo it is 0.560). The margin keeps leave-one-out genuine acceptance on
 * the photos within one point of its maximum (98.3% vs 99.1%) while refusing look-alikes.
 */
export const DEFAULT_RULE: MatchRule = { threshold: 0.58, margin: 0.08, softness: 0.04 };

export interface Match {
  identity: string | null;
  /** Distance to the nearest identity, named or not. */
  distance: number;
  nearest: string;
  /** Distance to the runner-up identity (Infinity with one identity enrolled). */
  runnerUpDistance: number;
  confidence: number;
}

/** Flattened gallery for fast repeated matching. */
export interface GalleryIndex {
  names: string[];
  /** Identity index of each row. */
  owner: Int32Array;
  rows: Float32Array[];
}

export function indexGallery(gallery: Gallery): GalleryIndex {
  const names = gallery.identities.map((identity) => identity.name);
  const owner: number[] = [];
  const rows: Float32Array[] = [];
  gallery.identities.forEach((identity, index) => {
    for (const embedding of identity.embeddings) {
      owner.push(index);
      rows.push(Float32Array.from(embedding));
    }
  });
  return { names, owner: Int32Array.from(owner), rows };
}

/** Nearest-descriptor distance per identity. */
export function identityDistances(index: GalleryIndex, embedding: ArrayLike<number>): Float64Array {
  const best = new Float64Array(index.names.length).fill(Infinity);
  for (let i = 0; i < index.rows.length; i++) {
    const owner = index.owner[i]!;
    const d = euclidean(index.rows[i]!, embedding);
    if (d < best[owner]!) best[owner] = d;
  }
  return best;
}

export const confidenceOf = (distance: number, rule: MatchRule): number =>
  1 / (1 + Math.exp((distance - rule.threshold) / rule.softness));

export function matchEmbedding(index: GalleryIndex, embedding: ArrayLike<number>, rule: MatchRule): Match {
  const distances = identityDistances(index, embedding);
  let first = 0;
  let second = -1;
  for (let i = 1; i < distances.length; i++) {
    if (distances[i]! < distances[first]!) {
      second = first;
      first = i;
    } else if (second < 0 || distances[i]! < distances[second]!) {
      second = i;
    }
  }
  const distance = distances[first]!;
  const runnerUpDistance = second < 0 ? Infinity : distances[second]!;
  const named = distance <= rule.threshold && runnerUpDistance - distance >= rule.margin;
  return {
    identity: named ? index.names[first]! : null,
    distance,
    nearest: index.names[first]!,
    runnerUpDistance,
    confidence: named ? confidenceOf(distance, rule) : 0,
  };
}

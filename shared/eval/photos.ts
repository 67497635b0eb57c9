import { euclidean } from '../match/distance.ts';

export interface LabelledEmbedding {
  identity: string;
  source: string;
  embedding: ArrayLike<number>;
  /** The same face as a video would show it (shared/eval/degrade.ts), when calibrating for video. */
  videoLike?: ArrayLike<number>;
}

export interface PhotoEvaluation {
  photos: number;
  identities: number;
  /** Leave-one-out nearest-neighbour accuracy over photos whose identity has another photo. */
  rank1: number;
  rank1Photos: number;
  rank1Misses: { source: string; identity: string; nearest: string; distance: number }[];
  /** Same/different accuracy over all pairs at the best single distance threshold. */
  pairAccuracy: number;
  bestThreshold: number;
  pairs: { same: number; different: number };
  /** Distances that bound the classes: how much room a threshold has. */
  sameDistance: { median: number; p95: number; max: number };
  differentDistance: { min: number; p05: number; median: number };
  /**
   * Pair accuracy and best threshold of video-like copies against the other clean photos: the
   * threshold lambdaface's matcher uses (video faces are blurred and compressed).
   */
  videoLike?: { pairAccuracy: number; bestThreshold: number };
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;

/**
 * Leave-one-out rank-1 and the best-threshold pair accuracy: the two figures that say whether a
 * descriptor separates these people, and where a distance threshold belongs.
 */
export function evaluatePhotos(items: readonly LabelledEmbedding[]): PhotoEvaluation {
  const n = items.length;
  const distance: number[][] = items.map(() => new Array<number>(n).fill(0));
  const same: number[] = [];
  const different: number[] = [];
  const pairs: { d: number; same: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = euclidean(items[i]!.embedding, items[j]!.embedding);
      distance[i]![j] = d;
      distance[j]![i] = d;
      const isSame = items[i]!.identity === items[j]!.identity;
      (isSame ? same : different).push(d);
      pairs.push({ d, same: isSame });
    }
  }

  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.identity, (counts.get(item.identity) ?? 0) + 1);
  const rank1Misses: PhotoEvaluation['rank1Misses'] = [];
  let rank1Photos = 0;
  let rank1Hits = 0;
  for (let i = 0; i < n; i++) {
    if ((counts.get(items[i]!.identity) ?? 0) < 2) continue;
    rank1Photos++;
    let nearest = -1;
    for (let j = 0; j < n; j++) {
      if (j !== i && (nearest < 0 || distance[i]![j]! < distance[i]![nearest]!)) nearest = j;
    }
    if (items[nearest]!.identity === items[i]!.identity) rank1Hits++;
    else {
      rank1Misses.push({
        source: items[i]!.source,
        identity: items[i]!.identity,
        nearest: items[nearest]!.identity,
        distance: distance[i]![nearest]!,
      });
    }
  }

  const clean = bestThreshold(pairs);
  const videoPairs: { d: number; same: boolean }[] = [];
  if (items.every((item) => item.videoLike !== undefined)) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i !== j) videoPairs.push({ d: euclidean(items[i]!.videoLike!, items[j]!.embedding), same: items[i]!.identity === items[j]!.identity });
      }
    }
  }
  same.sort((p, q) => p - q);
  different.sort((p, q) => p - q);
  return {
    photos: n,
    identities: counts.size,
    rank1: rank1Photos > 0 ? rank1Hits / rank1Photos : NaN,
    rank1Photos,
    rank1Misses,
    pairAccuracy: clean.accuracy,
    bestThreshold: clean.threshold,
    pairs: { same: same.length, different: different.length },
    sameDistance: { median: quantile(same, 0.5), p95: quantile(same, 0.95), max: same.at(-1) ?? NaN },
    differentDistance: { min: different[0] ?? NaN, p05: quantile(different, 0.05), median: quantile(different, 0.5) },
    ...(videoPairs.length > 0 ? { videoLike: (({ accuracy, threshold }) => ({ pairAccuracy: accuracy, bestThreshold: threshold }))(bestThreshold(videoPairs)) } : {}),
  };
}

/** Sweeps thresholds between consecutive sorted distances, predicting "same" when d <= threshold. */
function bestThreshold(pairs: { d: number; same: boolean }[]): { accuracy: number; threshold: number } {
  const sorted = [...pairs].sort((p, q) => p.d - q.d);
  let correct = sorted.filter((pair) => !pair.same).length;
  let best = correct;
  let threshold = sorted.length > 0 ? sorted[0]!.d / 2 : 0;
  for (let k = 0; k < sorted.length; k++) {
    correct += sorted[k]!.same ? 1 : -1;
    const next = sorted[k + 1]?.d ?? sorted[k]!.d + 0.1;
    if (correct > best && next > sorted[k]!.d) {
      best = correct;
      threshold = (sorted[k]!.d + next) / 2;
    }
  }
  return { accuracy: sorted.length > 0 ? best / sorted.length : NaN, threshold };
}

/**
 * Verification and open-set figures for a descriptor on labelled photos, where every photo is in
 * the gallery (clean) and has a probe copy (e.g. degraded like video). A probe is never compared
 * with the gallery entry made from its own photo.
 *
 * Distances are given as a function `distance(probe, galleryEntry)` of indexes into the same
 * list of samples, so fused or normalized distances need no matrices of their own.
 */

export interface Sample {
  identity: string;
  /** The photo both the probe and the gallery entry were made from. */
  source: string;
}

export type Distance = (probe: number, gallery: number) => number;

export interface Moments {
  mean: number;
  std: number;
  pairs: number;
}

/** Mean and standard deviation of `distance` over pairs of samples of different identities. */
export function impostorMoments(samples: readonly Sample[], distance: Distance, include: (index: number) => boolean = () => true): Moments {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < samples.length; i++) {
    if (!include(i)) continue;
    for (let j = i + 1; j < samples.length; j++) {
      if (!include(j) || samples[i]!.identity === samples[j]!.identity) continue;
      const d = distance(i, j);
      n++;
      sum += d;
      sumSq += d * d;
    }
  }
  if (n < 2) throw new RangeError('need at least two impostor pairs');
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sumSq / n - mean * mean)), pairs: n };
}

/** `distance` shifted and scaled so impostor distances have mean 0 and deviation 1. */
export const zNormalized =
  (distance: Distance, moments: Moments): Distance =>
  (i, j) =>
    (distance(i, j) - moments.mean) / moments.std;

/** Every probe whose identity has another photo in the gallery: the ones a closed-set search can get right. */
const answerable = (samples: readonly Sample[], i: number, heldOut?: string): boolean =>
  samples.some((s, j) => j !== i && s.identity === samples[i]!.identity && s.source !== samples[i]!.source && s.identity !== heldOut);

export interface Rank1 {
  rate: number;
  probes: number;
  misses: { source: string; identity: string; nearest: string }[];
}

/** Nearest-neighbour identification: the share of probes whose nearest gallery photo is of the same person. */
export function rank1(samples: readonly Sample[], distance: Distance): Rank1 {
  let hits = 0;
  let probes = 0;
  const misses: Rank1['misses'] = [];
  for (let i = 0; i < samples.length; i++) {
    if (!answerable(samples, i)) continue;
    probes++;
    let nearest = -1;
    let best = Infinity;
    for (let j = 0; j < samples.length; j++) {
      if (samples[j]!.source === samples[i]!.source) continue;
      const d = distance(i, j);
      if (d < best) {
        best = d;
        nearest = j;
      }
    }
    if (samples[nearest]!.identity === samples[i]!.identity) hits++;
    else misses.push({ source: samples[i]!.source, identity: samples[i]!.identity, nearest: samples[nearest]!.identity });
  }
  return { rate: probes > 0 ? hits / probes : NaN, probes, misses };
}

export interface TarAtFar {
  far: number;
  tar: number;
  threshold: number;
  genuinePairs: number;
  impostorPairs: number;
}

/**
 * True acceptance at fixed false-acceptance rates over all probe-gallery pairs: the threshold is
 * the largest that accepts (d < threshold) at most `far` of the impostor pairs.
 */
export function tarAtFar(samples: readonly Sample[], distance: Distance, fars: readonly number[]): TarAtFar[] {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    for (let j = 0; j < samples.length; j++) {
      if (samples[i]!.source === samples[j]!.source) continue;
      (samples[i]!.identity === samples[j]!.identity ? genuine : impostor).push(distance(i, j));
    }
  }
  impostor.sort((a, b) => a - b);
  return fars.map((far) => {
    const threshold = impostor[Math.floor(far * impostor.length)] ?? Infinity;
    const accepted = genuine.filter((d) => d < threshold).length;
    return { far, tar: genuine.length > 0 ? accepted / genuine.length : NaN, threshold, genuinePairs: genuine.length, impostorPairs: impostor.length };
  });
}

export interface OpenSet {
  /** Strangers accepted / stranger probes, over every fold. */
  strangersAccepted: number;
  strangers: number;
  accepted: number;
  genuineAcceptance: number;
  /** Per held-out identity: how many of its probes were accepted as someone enrolled. */
  folds: { heldOut: string; strangers: number; accepted: number; threshold: number }[];
}

/**
 * Open-set acceptance with whole identities held out: for each identity in turn, the gallery is
 * everyone else's photos and that identity's probes are strangers. The threshold accepts
 * `genuineAcceptance` of the enrolled probes (each by its nearest photo of its own identity,
 * its own photo excluded); a stranger is accepted when its nearest gallery photo is within it.
 * `distanceFor` gives the distance for a fold (so normalization can use only that fold's gallery).
 */
export function strangersAccepted(samples: readonly Sample[], distanceFor: (heldOut: string) => Distance, genuineAcceptance = 0.95): OpenSet {
  const identities = [...new Set(samples.map((s) => s.identity))].sort();
  const folds: OpenSet['folds'] = [];
  for (const heldOut of identities) {
    const distance = distanceFor(heldOut);
    const genuine: number[] = [];
    for (let i = 0; i < samples.length; i++) {
      if (samples[i]!.identity === heldOut || !answerable(samples, i, heldOut)) continue;
      let best = Infinity;
      for (let j = 0; j < samples.length; j++) {
        if (samples[j]!.identity === samples[i]!.identity && samples[j]!.source !== samples[i]!.source) best = Math.min(best, distance(i, j));
      }
      genuine.push(best);
    }
    genuine.sort((a, b) => a - b);
    const threshold = genuine[Math.max(0, Math.ceil(genuineAcceptance * genuine.length) - 1)] ?? -Infinity;
    let strangers = 0;
    let accepted = 0;
    for (let i = 0; i < samples.length; i++) {
      if (samples[i]!.identity !== heldOut) continue;
      strangers++;
      let best = Infinity;
      for (let j = 0; j < samples.length; j++) if (samples[j]!.identity !== heldOut) best = Math.min(best, distance(i, j));
      if (best <= threshold) accepted++;
    }
    folds.push({ heldOut, strangers, accepted, threshold });
  }
  const strangers = folds.reduce((n, f) => n + f.strangers, 0);
  const accepted = folds.reduce((n, f) => n + f.accepted, 0);
  return { strangersAccepted: strangers > 0 ? accepted / strangers : NaN, strangers, accepted, genuineAcceptance, folds };
}

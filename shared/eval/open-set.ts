/**
 * Open-set figures of a descriptor on labelled photos: every photo is enrolled clean, and each one
 * is also a probe (clean, or degraded the way video shows faces) matched against the enrolled
 * photos of everyone, never against its own original. The figures say how a distance threshold
 * behaves when most faces belong to nobody enrolled.
 */

export interface OpenSetItem {
  identity: string;
  source: string;
  /** The clean photo's descriptor, as enrolment stores it. */
  enrolled: Float32Array;
  /** The probe's descriptor; null when no face was found in the degraded copy (a miss). */
  probe: Float32Array | null;
}

export interface OpenSetFigures {
  probes: number;
  /** Probes whose degraded copy had no detectable face: they count as misses in every figure. */
  notDetected: number;
  /** Nearest identity correct, over probes whose identity has another photo. */
  rank1: number;
  /** Genuine acceptance at the distance where this share of impostor comparisons is accepted. */
  tarAtFar: { far: number; tar: number; threshold: number }[];
  /**
   * Each identity held out in turn, with the threshold accepting 95% of the other identities'
   * genuine probes: the share of the held-out identity's probes accepted as someone enrolled.
   */
  strangersAcceptedAt95: number;
}

export type Distance = (a: Float32Array, b: Float32Array) => number;

/** Distances of one probe to each identity (nearest enrolled photo), its own photo excluded. */
function identityDistances(items: readonly OpenSetItem[], index: number, distance: Distance): Map<string, number> {
  const probe = items[index]!.probe;
  const nearest = new Map<string, number>();
  if (probe === null) return nearest;
  items.forEach((item, j) => {
    if (j === index) return;
    const d = distance(probe, item.enrolled);
    if (d < (nearest.get(item.identity) ?? Infinity)) nearest.set(item.identity, d);
  });
  return nearest;
}

/** The largest threshold accepting at most `share` of `sorted` (ascending impostor distances). */
function thresholdAccepting(sorted: readonly number[], share: number): number {
  let accepted = Math.floor(share * sorted.length);
  // Ties at the boundary would let one more through: step below them.
  while (accepted > 0 && accepted < sorted.length && sorted[accepted] === sorted[accepted - 1]) accepted--;
  return accepted === 0 ? (sorted[0] ?? Infinity) - 1e-9 : sorted[accepted - 1]!;
}

const acceptedShare = (values: readonly number[], threshold: number): number =>
  values.length === 0 ? NaN : values.filter((value) => value <= threshold).length / values.length;

/** The distance accepting `share` of `sorted` (ascending) genuine values: the `share` quantile. */
function genuineQuantile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return -Infinity;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

export function evaluateOpenSet(items: readonly OpenSetItem[], distance: Distance, fars: readonly number[] = [1e-2, 1e-3]): OpenSetFigures {
  const perProbe = items.map((item, i) => ({ identity: item.identity, detected: item.probe !== null, distances: identityDistances(items, i, distance) }));
  const photosOf = new Map<string, number>();
  for (const item of items) photosOf.set(item.identity, (photosOf.get(item.identity) ?? 0) + 1);
  const hasGenuine = (identity: string): boolean => (photosOf.get(identity) ?? 0) > 1;

  // Genuine: a probe against its own identity's other photos (Infinity when not detected: a miss).
  const genuine: { identity: string; d: number }[] = [];
  const impostor: number[] = [];
  let rank1Hits = 0;
  let rank1Probes = 0;
  for (const probe of perProbe) {
    if (hasGenuine(probe.identity)) {
      genuine.push({ identity: probe.identity, d: probe.distances.get(probe.identity) ?? Infinity });
      rank1Probes++;
      let best: string | undefined;
      for (const [identity, d] of probe.distances) if (best === undefined || d < probe.distances.get(best)!) best = identity;
      if (best === probe.identity) rank1Hits++;
    }
    for (const [identity, d] of probe.distances) if (identity !== probe.identity) impostor.push(d);
  }
  impostor.sort((p, q) => p - q);
  const genuineValues = genuine.map((g) => g.d);
  const tarAtFar = fars.map((far) => {
    const threshold = thresholdAccepting(impostor, far);
    return { far, tar: acceptedShare(genuineValues, threshold), threshold };
  });

  let strangers = 0;
  let strangersAccepted = 0;
  for (const held of photosOf.keys()) {
    const others = genuine.filter((g) => g.identity !== held).map((g) => g.d).sort((p, q) => p - q);
    const threshold = genuineQuantile(others, 0.95);
    for (const probe of perProbe) {
      if (probe.identity !== held) continue;
      strangers++;
      let nearestOther = Infinity;
      for (const [identity, d] of probe.distances) if (identity !== held && d < nearestOther) nearestOther = d;
      if (nearestOther <= threshold) strangersAccepted++;
    }
  }

  return {
    probes: items.length,
    notDetected: perProbe.filter((probe) => !probe.detected).length,
    rank1: rank1Probes > 0 ? rank1Hits / rank1Probes : NaN,
    tarAtFar,
    strangersAcceptedAt95: strangers > 0 ? strangersAccepted / strangers : NaN,
  };
}

import { euclidean } from '../match/distance.ts';
import { fusedDistance, type Fusion, type ImpostorMoments } from '../match/fusion.ts';
import { decide, thresholdFor, type MatchRule } from '../match/matcher.ts';

/** One reference photo enrolled on its own, exactly as enrolment does it (every row of both descriptors). */
export interface EnrolledPhoto {
  identity: string;
  source: string;
  dlib: readonly ArrayLike<number>[];
  faceres: readonly ArrayLike<number>[];
}

/** A probe face: a photo made to look like video (shared/eval/degrade.ts). */
export interface ProbeFace {
  identity: string;
  source: string;
  dlib: ArrayLike<number>;
  faceres: ArrayLike<number>;
}

/** What the matcher sees for one probe: per identity, the nearest row of each descriptor over that identity's other photos. */
export interface ProbeDistances {
  identity: string;
  to: Map<string, { dlib: number; faceres: number }>;
}

/** The distance from `v` to the nearest of `rows`. */
export const nearestRow = (rows: readonly ArrayLike<number>[], v: ArrayLike<number>): number => Math.min(...rows.map((row) => euclidean(row, v)));

/** The photo a probe was made from is never its own reference. */
export function probeDistances(probes: readonly ProbeFace[], enrolled: readonly EnrolledPhoto[]): ProbeDistances[] {
  return probes.map((probe) => {
    const to = new Map<string, { dlib: number; faceres: number }>();
    for (const photo of enrolled) {
      if (photo.source === probe.source) continue;
      const d = { dlib: nearestRow(photo.dlib, probe.dlib), faceres: nearestRow(photo.faceres, probe.faceres) };
      const best = to.get(photo.identity);
      to.set(photo.identity, best ? { dlib: Math.min(best.dlib, d.dlib), faceres: Math.min(best.faceres, d.faceres) } : d);
    }
    return { identity: probe.identity, to };
  });
}

const impostors = (rows: readonly ProbeDistances[], pick: (d: { dlib: number; faceres: number }) => number): number[] =>
  rows.flatMap((row) => [...row.to].flatMap(([identity, d]) => (identity === row.identity ? [] : [pick(d)])));

function moments(values: readonly number[]): ImpostorMoments {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length) };
}

/** The fusion's normalization: each descriptor's impostor distances (probe to another identity). */
export function fusionFrom(rows: readonly ProbeDistances[]): Fusion {
  return { dlib: moments(impostors(rows, (d) => d.dlib)), faceres: moments(impostors(rows, (d) => d.faceres)) };
}

/** Standard normal quantiles of the false-accept rates reported. */
const NORMAL_QUANTILE = { 1e-2: -2.3263, 1e-3: -3.0902, 1e-4: -3.719 } as const;
export const CALIBRATION_FARS = [1e-2, 1e-3, 1e-4] as const;

export interface ConditionCalibration {
  probes: number;
  impostorPairs: number;
  fusedImpostors: ImpostorMoments;
  /**
   * The fused threshold accepting `far` of the impostor pairs: from a Gaussian fitted to them (stable
   * with a few thousand pairs) and the empirical quantile (at 1e-3 it rests on two or three pairs).
   */
  thresholds: { far: number; gaussian: number; empirical: number }[];
  /** Share of probes the rule names right, names wrong, or leaves unnamed, faces taken as `faceWidth` px. */
  rule: { faceWidth: number; namedRight: number; namedWrong: number; unnamed: number; strangersNamed: number };
}

/**
 * How the fused distance behaves on one condition's probes, and what the matching rule does with
 * them: each probe against every identity (its own photo left out), and again with its own
 * identity left out as a stranger.
 */
export function calibrateCondition(rows: readonly ProbeDistances[], fusion: Fusion, rule: MatchRule, faceWidth: number): ConditionCalibration {
  const fused = (d: { dlib: number; faceres: number }) => fusedDistance(d.dlib, d.faceres, fusion);
  const values = impostors(rows, fused).sort((p, q) => p - q);
  const fit = moments(values);
  const threshold = thresholdFor(rule, faceWidth, false);
  const nameOf = (distances: [string, number][]): string | null => {
    const { first, named } = decide(
      distances.map(([, d]) => d),
      threshold,
      rule.margin,
    );
    return named ? distances[first]![0] : null;
  };
  let right = 0;
  let wrong = 0;
  let strangers = 0;
  for (const row of rows) {
    const distances = [...row.to].map(([identity, d]): [string, number] => [identity, fused(d)]);
    const named = nameOf(distances);
    if (named === row.identity) right++;
    else if (named !== null) wrong++;
    if (nameOf(distances.filter(([identity]) => identity !== row.identity)) !== null) strangers++;
  }
  const n = rows.length;
  return {
    probes: n,
    impostorPairs: values.length,
    fusedImpostors: fit,
    thresholds: CALIBRATION_FARS.map((far) => ({
      far,
      gaussian: fit.mean + NORMAL_QUANTILE[far] * fit.std,
      empirical: values[Math.floor(far * values.length)] ?? NaN,
    })),
    rule: { faceWidth, namedRight: right / n, namedWrong: wrong / n, unnamed: (n - right - wrong) / n, strangersNamed: strangers / n },
  };
}

/**
 * How the fused distance behaves between two single faces, neither of them enrolled: what
 * clustering compares (one unnamed track against another, shared/match/cluster.ts), where the
 * matcher compares a face with the nearest of a person's photos. Every pair of probes of
 * different people (the impostors, a Gaussian fitted to them as for the matcher) and of the same
 * person (the genuine pairs, to say what a threshold keeps).
 */
export interface PairCalibration {
  genuinePairs: number;
  impostorPairs: number;
  fusedImpostors: ImpostorMoments;
  thresholds: { far: number; gaussian: number; empirical: number; genuineAccepted: number }[];
}

export function calibratePairs(probes: readonly ProbeFace[], fusion: Fusion): PairCalibration {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < probes.length; i++) {
    for (let j = i + 1; j < probes.length; j++) {
      const a = probes[i]!;
      const b = probes[j]!;
      const d = fusedDistance(euclidean(a.dlib, b.dlib), euclidean(a.faceres, b.faceres), fusion);
      (a.identity === b.identity ? genuine : impostor).push(d);
    }
  }
  impostor.sort((p, q) => p - q);
  const fit = moments(impostor);
  return {
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
    fusedImpostors: fit,
    thresholds: CALIBRATION_FARS.map((far) => {
      const gaussian = fit.mean + NORMAL_QUANTILE[far] * fit.std;
      return { far, gaussian, empirical: impostor[Math.floor(far * impostor.length)] ?? NaN, genuineAccepted: genuine.filter((d) => d <= gaussian).length / genuine.length };
    }),
  };
}

import { inputError } from '../errors.ts';
import type { ChunkResult } from '../schemas/faces.ts';
import type { Timeline } from '../schemas/timeline.ts';
import type { Truth } from './truth.ts';

/** The system reported `identity` at `time` (seconds from the first frame). */
export interface Prediction {
  identity: string;
  time: number;
}

/**
 * Per-second counts over (second, identity) cells. Precision is null when nothing was predicted
 * and recall null when there was nothing to find: a number there would claim a success or
 * failure that did not happen (the table prints "n/a"). F1 is 2tp / (2tp + fp + fn), so it is 0
 * whenever there was something to find or something was predicted and nothing was right, and
 * null only when both are empty.
 */
export interface Counts {
  tp: number;
  fp: number;
  fn: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Seconds predicted where the truth says absent; overall: distinct seconds with at least one. */
  falsePositiveSeconds: number;
  /** Cells marked `?` in the truth, left out of every count above. */
  excluded: number;
  /** Predicted (second, identity) cells past the truth's last second: the video has ended there. */
  outsideTruth: number;
}

export interface IdentityScore extends Counts {
  identity: string;
}

export interface ScoreReport {
  /** The truth file scored against. */
  file: string;
  /** Seconds in the truth. */
  seconds: number;
  /** One entry per enrolled identity, in the order given. */
  identities: IdentityScore[];
  /** Micro-averaged over every (second, enrolled identity) cell. */
  overall: Counts;
  /** Truth columns of people who were not enrolled: nobody could have found them. */
  unscoredColumns: string[];
}

/** Seconds in which each identity was predicted. */
export type PredictedSeconds = ReadonlyMap<string, ReadonlySet<number>>;

/** A second counts as predicted for X when X is reported at any t with floor(t) = s. */
export function scorePredictions(truth: Truth, enrolled: readonly string[], predictions: readonly Prediction[]): ScoreReport {
  const predicted = new Map<string, Set<number>>();
  for (const { identity, time } of predictions) {
    if (!Number.isFinite(time)) throw inputError(`prediction of ${identity} has time ${time}`, { input: 'predictions' });
    addSecond(predicted, identity, Math.floor(time));
  }
  return scoreSeconds(truth, enrolled, predicted);
}

/**
 * Scores a timeline's segments. A segment [a, b) covers seconds floor(a) .. ceil(b) - 1, so gaps
 * the merge bridged count as predicted: this scores the timeline a user sees. Enrolled defaults to
 * every identity of the truth and of the timeline.
 */
export function scoreSegments(truth: Truth, timeline: Timeline, enrolled?: readonly string[]): ScoreReport {
  const names = enrolled ?? [
    ...truth.identities,
    ...timeline.identities
      .map((identity) => identity.name)
      .filter((name) => !truth.identities.includes(name))
      .sort(),
  ];
  return scoreSeconds(truth, names, secondsOfSegments(timeline));
}

/** Every named face of the chunk results as a prediction. */
export const predictionsOfChunks = (chunks: readonly ChunkResult[]): Prediction[] =>
  chunks.flatMap((result) => result.faces.flatMap((face) => (face.identity === null ? [] : [{ identity: face.identity, time: face.time }])));

/** Segment ends are rounded to microseconds: an end of exactly 3 s must not claim second 3. */
const END_SLACK = 1e-9;

export function secondsOfSegments(timeline: Timeline): Map<string, Set<number>> {
  const predicted = new Map<string, Set<number>>();
  for (const { name, segments } of timeline.identities) {
    for (const { start, end } of segments) {
      const first = Math.floor(start);
      const last = Math.max(first, Math.ceil(end - END_SLACK) - 1);
      for (let second = first; second <= last; second++) addSecond(predicted, name, second);
    }
  }
  return predicted;
}

function addSecond(predicted: Map<string, Set<number>>, identity: string, second: number): void {
  const seconds = predicted.get(identity) ?? new Set<number>();
  seconds.add(second);
  predicted.set(identity, seconds);
}

/** The scoring itself: every (second, enrolled identity) cell of the truth. */
export function scoreSeconds(truth: Truth, enrolled: readonly string[], predicted: PredictedSeconds): ScoreReport {
  const enrolledSet = new Set(enrolled);
  if (enrolledSet.size !== enrolled.length) {
    throw inputError(`an identity is enrolled twice: ${enrolled.join(', ')}`, { input: 'enrolled' });
  }
  for (const identity of predicted.keys()) {
    if (!enrolledSet.has(identity)) {
      throw inputError(`"${identity}" was predicted but is not enrolled`, {
        input: 'predictions',
        hint: 'score against the gallery the predictions were made with',
      });
    }
  }

  const inTruth = new Set(truth.seconds);
  const falsePositiveSeconds = new Set<number>();
  const identities = enrolled.map((identity): IdentityScore => {
    const seconds = predicted.get(identity) ?? new Set<number>();
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let excluded = 0;
    for (const second of truth.seconds) {
      const value = truth.value(second, identity);
      const hit = seconds.has(second);
      if (value === '?') {
        excluded += 1;
      } else if (value === 1) {
        if (hit) tp += 1;
        else fn += 1;
      } else if (hit) {
        fp += 1;
        falsePositiveSeconds.add(second);
      }
    }
    const outsideTruth = [...seconds].filter((second) => !inTruth.has(second)).length;
    return { identity, ...ratios(tp, fp, fn), falsePositiveSeconds: fp, excluded, outsideTruth };
  });

  const sum = (key: 'tp' | 'fp' | 'fn' | 'excluded' | 'outsideTruth') => identities.reduce((total, score) => total + score[key], 0);
  const overall: Counts = {
    ...ratios(sum('tp'), sum('fp'), sum('fn')),
    falsePositiveSeconds: falsePositiveSeconds.size,
    excluded: sum('excluded'),
    outsideTruth: sum('outsideTruth'),
  };
  return {
    file: truth.file,
    seconds: truth.seconds.length,
    identities,
    overall,
    unscoredColumns: truth.identities.filter((name) => !enrolledSet.has(name)),
  };
}

function ratios(tp: number, fp: number, fn: number): Pick<Counts, 'tp' | 'fp' | 'fn' | 'precision' | 'recall' | 'f1'> {
  return {
    tp,
    fp,
    fn,
    precision: tp + fp === 0 ? null : tp / (tp + fp),
    recall: tp + fn === 0 ? null : tp / (tp + fn),
    f1: tp + fp + fn === 0 ? null : (2 * tp) / (2 * tp + fp + fn),
  };
}

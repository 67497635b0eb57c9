import { DEFAULT_MATCH_RULE } from '../config/options.ts';
import type { Gallery } from '../schemas/gallery.ts';
import { euclidean } from './distance.ts';
import { fusedDistance } from './fusion.ts';

/**
 * Open-set matching rule on fused distances (shared/match/fusion.ts). Calibrated on photo sets
 * with `lambdaface eval-photos` (README, "Calibration"), never on the videos it is checked on.
 */
export interface MatchRule {
  /** Largest fused distance to an identity that names a track of faces `SMALL_FACE.to` px wide or more. */
  threshold: number;
  /**
   * Added to the threshold for faces `SMALL_FACE.from` px wide or less (linearly in between).
   * Shrunk, blurred faces sit further from everyone, strangers included: the same false-accept
   * rate allows a larger distance.
   */
  smallFaceAllowance: number;
  /**
   * Taken off the threshold for a track seen once (a short shot at a low sampling rate): one
   * sighting is weaker evidence than a track's average, so it must clear a stricter bar.
   */
  singleSightingPenalty: number;
  /**
   * How much nearer the best identity must be than the runner-up. Look-alikes (siblings, a
   * stranger between two enrolled people) sit at similar distances to both; naming either would
   * be a guess. Small, so the clearly nearest of many enrolled people is still named.
   */
  margin: number;
  /** Width of the logistic that turns distance into confidence (0.5 at the threshold). */
  softness: number;
  /**
   * An unnamed track this close above its threshold is reported as a near miss, for a person to
   * confirm or reject: on the photos, the band where the false-accept rate grows from 1e-3 to 1e-2.
   */
  nearMissBand: number;
}

/** Face widths (px, in the analysed frame) of the photo set's hard and video-like conditions. */
export const SMALL_FACE = { from: 40, to: 64 } as const;

/** The rule a search uses unless told otherwise; its values and why are in config/options.ts. */
export const DEFAULT_RULE: MatchRule = DEFAULT_MATCH_RULE;

/** The threshold for a track by the width of its faces and how often it was seen. */
export function thresholdFor(rule: MatchRule, faceWidth: number, single: boolean): number {
  const small = Math.min(1, Math.max(0, (SMALL_FACE.to - faceWidth) / (SMALL_FACE.to - SMALL_FACE.from)));
  return rule.threshold + small * rule.smallFaceAllowance - (single ? rule.singleSightingPenalty : 0);
}

/** A face (or a track's average face) as both descriptors see it. */
export interface FaceDescriptor {
  dlib: ArrayLike<number>;
  /** Absent where FaceRes was not run (a track too far from everyone to be worth it). */
  faceres?: ArrayLike<number> | undefined;
}

interface DescriptorRows {
  /** Identity index of each row. */
  owner: Int32Array;
  rows: Float32Array[];
}

/** Flattened gallery for fast repeated matching. */
export interface GalleryIndex {
  names: string[];
  dlib: DescriptorRows;
  faceres: DescriptorRows;
}

function rowsOf(gallery: Gallery, pick: (identity: Gallery['identities'][number]) => readonly (readonly number[])[]): DescriptorRows {
  const owner: number[] = [];
  const rows: Float32Array[] = [];
  gallery.identities.forEach((identity, index) => {
    for (const row of pick(identity)) {
      owner.push(index);
      rows.push(Float32Array.from(row));
    }
  });
  return { owner: Int32Array.from(owner), rows };
}

export function indexGallery(gallery: Gallery): GalleryIndex {
  return {
    names: gallery.identities.map((identity) => identity.name),
    dlib: rowsOf(gallery, (identity) => identity.embeddings),
    faceres: rowsOf(gallery, (identity) => identity.faceres),
  };
}

function nearestPerIdentity(rows: DescriptorRows, identities: number, descriptor: ArrayLike<number>): Float64Array {
  const best = new Float64Array(identities).fill(Infinity);
  for (let i = 0; i < rows.rows.length; i++) {
    const owner = rows.owner[i]!;
    const d = euclidean(rows.rows[i]!, descriptor);
    if (d < best[owner]!) best[owner] = d;
  }
  return best;
}

/**
 * Distance to each identity's nearest gallery row: fused when the face has a FaceRes descriptor,
 * dlib's alone otherwise.
 */
export function identityDistances(index: GalleryIndex, descriptor: FaceDescriptor): Float64Array {
  const dlib = nearestPerIdentity(index.dlib, index.names.length, descriptor.dlib);
  if (descriptor.faceres === undefined) return dlib;
  const faceres = nearestPerIdentity(index.faceres, index.names.length, descriptor.faceres);
  return dlib.map((d, i) => fusedDistance(d, faceres[i]!));
}

export const confidenceOf = (distance: number, threshold: number, softness: number): number => 1 / (1 + Math.exp((distance - threshold) / softness));

export interface Match {
  identity: string | null;
  /** Distance to the nearest identity, named or not. */
  distance: number;
  nearest: string;
  /** Distance to the runner-up identity (Infinity with one identity enrolled). */
  runnerUpDistance: number;
  confidence: number;
}

/**
 * The open-set decision on a face's distance to each identity: the nearest (its index, -1 with no
 * identity), whether it is named (within `threshold`, and `margin` nearer than the runner-up),
 * and the runner-up's distance (Infinity with one identity). The one place the rule is applied:
 * matching and the calibration both call it.
 */
export function decide(distances: ArrayLike<number>, threshold: number, margin: number): { first: number; named: boolean; runnerUpDistance: number } {
  if (distances.length === 0) return { first: -1, named: false, runnerUpDistance: Infinity };
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
  const runnerUpDistance = second < 0 ? Infinity : distances[second]!;
  return { first, named: distances[first]! <= threshold && runnerUpDistance - distances[first]! >= margin, runnerUpDistance };
}

/** The nearest identity, named when it is within `threshold` and the rule's margin allows. */
export function matchDescriptor(index: GalleryIndex, descriptor: FaceDescriptor, rule: MatchRule, threshold = rule.threshold): Match {
  const distances = identityDistances(index, descriptor);
  const { first, named, runnerUpDistance } = decide(distances, threshold, rule.margin);
  const distance = distances[first]!;
  return {
    identity: named ? index.names[first]! : null,
    distance,
    nearest: index.names[first]!,
    runnerUpDistance,
    confidence: named ? confidenceOf(distance, threshold, rule.softness) : 0,
  };
}

import { matchDescriptor, type GalleryIndex, type MatchRule } from '../match/matcher.ts';
import { labelTracks, type TrackOptions } from '../match/tracks.ts';
import type { FaceRecord } from '../schemas/faces.ts';
import { roundTo } from '../numbers/round.ts';

/** What a scan finds about one face before anyone is named: everything a chunk result keeps of it but the names. */
export type ScannedFace = Omit<FaceRecord, 'identity' | 'distance' | 'confidence' | 'threshold'>;

/**
 * Names the faces of one chunk by their tracks (shared/match/tracks.ts labelTracks) against a
 * gallery. A scan calls it on the faces as it stores them, and a search that reuses an earlier
 * scan calls it on the stored faces, so both give the same names from the same numbers.
 * `scale` is source pixels per analysed-frame pixel: boxes are stored in the source's.
 */
export function nameFaces(faces: readonly ScannedFace[], gallery: GalleryIndex, rule: MatchRule, tracks: TrackOptions, scale: number): FaceRecord[] {
  // Nobody enrolled: nothing to name or measure against; the faces are kept for grouping and later searches.
  if (gallery.names.length === 0) return faces.map((face) => ({ ...face, identity: null, distance: null, confidence: 0 }));
  const trackNumbers = new Map<string, number>();
  const trackOf = faces.map((face) => {
    if (!trackNumbers.has(face.track)) trackNumbers.set(face.track, trackNumbers.size);
    return trackNumbers.get(face.track)!;
  });
  const evidence = faces.map((face) => ({
    box: { x: face.box.x / scale, y: face.box.y / scale, width: face.box.width / scale, height: face.box.height / scale },
    embedding: face.embedding,
    quality: face.quality,
    faceres: face.faceres,
  }));
  const labels = labelTracks(evidence, trackOf, gallery, rule, tracks);
  return faces.map((face, i) => {
    const label = labels[i]!;
    const distance = label.fused ? label.distance : matchDescriptor(gallery, { dlib: face.embedding }, rule).distance;
    return {
      ...face,
      identity: label.identity,
      distance: roundTo(distance, 4),
      confidence: roundTo(label.confidence, 4),
      ...(label.fused ? { threshold: roundTo(label.threshold, 4) } : {}),
      ...(label.fused && label.identity === null ? { nearest: label.nearest } : {}),
    };
  });
}

import { fusedDistance } from '../../../shared/match/fusion.ts';
import { EMBEDDING_SIZE, FACERES_SIZE, type Gallery } from '../../../shared/schemas/gallery.ts';

/** A 128-D descriptor that is `coordinates` in its first dimensions and 0 elsewhere. */
export function vec(...coordinates: number[]): number[] {
  const out = new Array<number>(EMBEDDING_SIZE).fill(0);
  coordinates.forEach((value, i) => (out[i] = value));
  return out;
}

/** A FaceRes-sized unit vector along axis `axis`. */
export function unitAt(axis: number): number[] {
  const out = new Array<number>(FACERES_SIZE).fill(0);
  out[axis] = 1;
  return out;
}

/**
 * The FaceRes row every test identity gets, and the descriptor test faces carry: they are sqrt(2)
 * apart, so FaceRes puts a face equally far from everyone and the fused distance is a fixed
 * increasing function of the dlib distance (`asFused`), which the tests reason in.
 */
export const GALLERY_FACERES = unitAt(0);
export const FACE_FACERES = unitAt(1);
export const asFused = (dlib: number): number => fusedDistance(dlib, Math.SQRT2);

/** A gallery from name -> dlib descriptors (photo reports filled with placeholders). */
export function gallery(people: Record<string, number[][]>, faceres: Record<string, number[][]> = {}): Gallery {
  return {
    version: 2,
    identities: Object.entries(people).map(([name, embeddings]) => ({
      name,
      photos: [{ source: `${name}.jpg`, facesFound: 1, box: { x: 0, y: 0, width: 100, height: 100 }, padded: false }],
      embeddings,
      faceres: faceres[name] ?? [GALLERY_FACERES],
      skipped: [],
    })),
  };
}

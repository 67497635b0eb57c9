import { EMBEDDING_SIZE, type Gallery } from '../../../shared/schemas/gallery.ts';

/** A 128-D descriptor that is `coordinates` in its first dimensions and 0 elsewhere. */
export function vec(...coordinates: number[]): number[] {
  const out = new Array<number>(EMBEDDING_SIZE).fill(0);
  coordinates.forEach((value, i) => (out[i] = value));
  return out;
}

/** A gallery from name -> descriptors (photo reports filled with placeholders). */
export function gallery(people: Record<string, number[][]>): Gallery {
  return {
    version: 1,
    identities: Object.entries(people).map(([name, embeddings]) => ({
      name,
      photos: [{ source: `${name}.jpg`, facesFound: 1, box: { x: 0, y: 0, width: 100, height: 100 }, padded: false }],
      embeddings,
      skipped: [],
    })),
  };
}

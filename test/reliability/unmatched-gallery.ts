import type { Gallery } from '../../shared/schemas/gallery.ts';

/** A one-person gallery that no face in the fixture clips matches: for tests that need a scan, not names. */
export const UNMATCHED_GALLERY: Gallery = {
  version: 2,
  identities: [
    {
      name: 'nobody',
      photos: [{ source: 'synthetic', facesFound: 1, box: { x: 0, y: 0, width: 1, height: 1 }, padded: false }],
      embeddings: [Array.from({ length: 128 }, (_, i) => (i === 0 ? 1 : 0))],
      faceres: [Array.from({ length: 1024 }, (_, i) => (i === 0 ? 1 : 0))],
      skipped: [],
    },
  ],
};

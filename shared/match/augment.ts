import { NO_JITTER, type Jitter } from '../vision/align.ts';

export interface Augmentation {
  jitter: Jitter;
  gain: number;
}

const variant = (jitter: Partial<Jitter>, gain = 1): Augmentation => ({ jitter: { ...NO_JITTER, ...jitter }, gain });

/**
 * The variants each reference photo is enrolled with: as is, mirrored, turned a few degrees either
 * way, framed a little tighter and looser, darker and brighter. A video shows a face tilted, lit
 * and framed a little differently from the photo; descriptors of such variants widen the gallery
 * the same way. A fixed set rather than random draws, so a gallery does not depend on the order
 * its photos were listed in.
 */
export const AUGMENTATIONS: readonly Augmentation[] = [
  variant({}),
  variant({ flip: true }),
  variant({ rotation: 0.09 }),
  variant({ rotation: -0.09, flip: true }),
  variant({ scale: 1.06 }),
  variant({ scale: 0.94, flip: true }),
  variant({}, 0.75),
  variant({ flip: true }, 1.25),
];

/**
 * The views each reference photo is described by FaceRes with: as is and mirrored. At 1024 values
 * a row, all of the variants above would make the gallery four times heavier to store, load in
 * every Lambda and match against; the calibration (README) is measured with these two.
 */
export const FACERES_VIEWS: readonly Augmentation[] = [variant({}), variant({ flip: true })];

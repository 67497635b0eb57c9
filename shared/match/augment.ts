import type { Jitter } from '../vision/align.ts';
import { NO_JITTER } from '../vision/align.ts';

export interface Augmentation {
  jitter: Jitter;
  gain: number;
}

/** Small deterministic PRNG (mulberry32) so a gallery trains to the same bytes every time. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The variants each reference photo is enrolled with: as is, mirrored, and `count` random small
 * changes of framing and brightness. A video shows a face turned, tilted, lit and framed a little
 * differently from the photo; descriptors of such variants widen the gallery the same way.
 */
export function augmentations(count: number, seed: number): Augmentation[] {
  const next = random(seed);
  const between = (low: number, high: number): number => low + (high - low) * next();
  const variants: Augmentation[] = [
    { jitter: NO_JITTER, gain: 1 },
    { jitter: { ...NO_JITTER, flip: true }, gain: 1 },
  ];
  for (let i = 0; i < count; i++) {
    variants.push({
      jitter: {
        rotation: between(-0.1, 0.1),
        scale: between(0.93, 1.07),
        shiftX: between(-3, 3),
        shiftY: between(-3, 3),
        flip: next() < 0.5,
      },
      gain: between(0.75, 1.25),
    });
  }
  return variants;
}

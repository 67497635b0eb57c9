/**
 * Model inputs are large (a detector level of a 640-px frame is 0.8 MB of floats, a FaceRes chip
 * 0.6 MB) and made for every frame. Allocating each one afresh cost more than filling it: measured
 * on a 352x192 detector level, 8-10 ms to allocate and fill against 1.3 ms to fill a reused one,
 * the difference being fresh pages and the collections V8 runs for external memory. So inputs are
 * taken from here and given back once the model has run.
 *
 * Whoever takes a buffer must write every element before reading any: a buffer given back is
 * handed out again as it was left.
 */
const free = new Map<number, Float32Array[]>();
/** Buffers kept per length: enough for the few inputs of one frame in flight. */
const KEPT_PER_LENGTH = 8;
/** Distinct lengths kept: batches of varying size must not hoard memory. */
const KEPT_LENGTHS = 32;

export function takeScratch(length: number): Float32Array {
  return free.get(length)?.pop() ?? new Float32Array(length);
}

export function giveBackScratch(buffer: Float32Array): void {
  const list = free.get(buffer.length);
  if (list) {
    if (list.length < KEPT_PER_LENGTH) list.push(buffer);
    return;
  }
  if (free.size >= KEPT_LENGTHS) free.delete(free.keys().next().value!);
  free.set(buffer.length, [buffer]);
}

/** Runs `use` on a scratch buffer of `length` floats and gives it back when `use` settles. */
export async function withScratch<T>(length: number, use: (buffer: Float32Array) => Promise<T>): Promise<T> {
  const buffer = takeScratch(length);
  try {
    return await use(buffer);
  } finally {
    giveBackScratch(buffer);
  }
}

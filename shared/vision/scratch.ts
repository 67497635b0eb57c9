/**
 * Float32 buffers for model inputs, reused from one run to the next. Every sampled frame needs
 * about a megabyte of them (detector levels, landmark and descriptor batches), and a fresh typed
 * array that size costs several times what filling it does: the kernel hands out and zeroes new
 * pages, and V8 collects garbage sooner for the external memory (resampling a 640x360 frame's two
 * detector levels took 7.7 ms into fresh arrays, 1.8 ms into reused ones, here). A lease is
 * exclusive until its run has finished, so callers that analyse photos concurrently never write
 * into a buffer ONNX Runtime is still reading.
 */

/** Buffers kept for reuse; a scan leases one at a time, photo enrolment a few at once. */
const MAX_KEPT = 4;
const idle: Float32Array[] = [];

/** Whole powers of two, so a batch that grows by one face still fits the buffer it used before. */
const capacityFor = (length: number): number => 2 ** Math.ceil(Math.log2(Math.max(length, 1)));

function lease(length: number): Float32Array {
  let best = -1;
  for (let i = 0; i < idle.length; i++) {
    if (idle[i]!.length >= length && (best < 0 || idle[i]!.length < idle[best]!.length)) best = i;
  }
  return best >= 0 ? idle.splice(best, 1)[0]! : new Float32Array(capacityFor(length));
}

function giveBack(buffer: Float32Array): void {
  idle.push(buffer);
  if (idle.length <= MAX_KEPT) return;
  // Over the limit, the smallest goes: the large ones are the expensive ones to make again.
  idle.sort((a, b) => b.length - a.length);
  idle.length = MAX_KEPT;
}

/**
 * Runs `use` with a buffer of exactly `length` values, reused from an earlier call when one is
 * free. Its contents are left over from that call: `use` must write every value it reads.
 */
export async function withScratch<T>(length: number, use: (values: Float32Array) => Promise<T>): Promise<T> {
  const buffer = lease(length);
  try {
    return await use(buffer.subarray(0, length));
  } finally {
    giveBack(buffer);
  }
}

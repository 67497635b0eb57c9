import { describe, expect, it } from 'vitest';
import { MAX_FRAMES_PER_INVOCATION, SearchOptions } from '../../../shared/config/options.ts';
import { LambdafaceError } from '../../../shared/errors.ts';
import { checkInvocationWork } from '../../../shared/workflow/shard.ts';

const refusal = (options: Parameters<typeof SearchOptions.parse>[0]): LambdafaceError => {
  try {
    checkInvocationWork(SearchOptions.parse(options));
  } catch (error) {
    if (error instanceof LambdafaceError) return error;
    throw error;
  }
  throw new Error('the plan was accepted');
};

describe('Shard bounds the work of one recognize invocation', () => {
  it('fits 1,800 sampled frames in half of the 900 s timeout at 0.25 s a frame', () => {
    expect(MAX_FRAMES_PER_INVOCATION).toBe(1800);
  });

  it('accepts the defaults and a plan exactly at the bound', () => {
    expect(() => checkInvocationWork(SearchOptions.parse({}))).not.toThrow();
    expect(() => checkInvocationWork(SearchOptions.parse({ chunkSeconds: 450, sampleFps: 4 }))).not.toThrow();
    expect(() => checkInvocationWork(SearchOptions.parse({ chunkSeconds: 60, sampleFps: 30 }))).not.toThrow();
  });

  it('refuses an hour-long chunk at 4 fps, naming the option and the largest value that fits', () => {
    const error = refusal({ chunkSeconds: 3600 });
    expect(error.kind).toBe('InputError');
    expect(error.input).toBe('options.chunkSeconds');
    expect(error.message).toContain('one recognize invocation would scan 14,400 frames (itemsPerBatch 1 x chunkSeconds 3,600 x sampleFps 4)');
    expect(error.message).toContain('at most 1,800 fit in 50% of the 900 s Lambda timeout');
    expect(error.hint).toBe('lower chunkSeconds to at most 450, or sampleFps to at most 0.5');
  });

  it('counts every chunk of a batch, and offers a smaller batch', () => {
    const error = refusal({ itemsPerBatch: 100 });
    expect(error.message).toContain('24,000 frames');
    expect(error.hint).toBe('lower chunkSeconds to at most 4, or itemsPerBatch to at most 7, or sampleFps to at most 0.3');
  });

  it('refuses 60 fps on a default chunk', () => {
    expect(refusal({ sampleFps: 60 }).hint).toContain('sampleFps to at most 30');
  });
});

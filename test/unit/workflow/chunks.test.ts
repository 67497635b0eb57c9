import { describe, expect, it } from 'vitest';
import { LambdafaceError } from '../../../shared/errors.ts';
import { ChunkManifest, planChunks } from '../../../shared/workflow/chunks.ts';

describe('planChunks', () => {
  it('cuts the real duration into chunks, the last one short', () => {
    expect(planChunks(150, 60)).toEqual([
      { index: 0, start: 0, end: 60 },
      { index: 1, start: 60, end: 120 },
      { index: 2, start: 120, end: 150 },
    ]);
  });

  it('makes a video shorter than one chunk one chunk', () => {
    expect(planChunks(9.175843, 60)).toEqual([{ index: 0, start: 0, end: 9.175843 }]);
  });

  it('folds a tail of a few frames into the previous chunk', () => {
    expect(planChunks(120.2, 60)).toEqual([
      { index: 0, start: 0, end: 60 },
      { index: 1, start: 60, end: 120.2 },
    ]);
  });

  it('covers the video exactly, without gaps, and validates as a manifest', () => {
    const chunks = planChunks(3601.5, 7);
    expect(chunks[0]!.start).toBe(0);
    expect(chunks.at(-1)!.end).toBe(3601.5);
    chunks.slice(1).forEach((chunk, i) => expect(chunk.start).toBe(chunks[i]!.end));
    expect(ChunkManifest.safeParse(chunks).success).toBe(true);
  });

  it('refuses a video without duration', () => {
    expect(() => planChunks(0, 60)).toThrow(LambdafaceError);
    expect(() => planChunks(Number.NaN, 60)).toThrow(/no duration/);
  });
});

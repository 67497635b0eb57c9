import { describe, expect, it } from 'vitest';
import { LambdafaceError } from '../../../shared/errors.ts';
import { ChunkResult, parseChunkResult } from '../../../shared/schemas/faces.ts';
import { chunk, face } from './make-chunks.ts';

describe('ChunkResult schema', () => {
  it('accepts a well-formed chunk result, round-tripped through JSON', () => {
    const value = chunk(3, 30, 40, [face('barack_obama', 30.5), face(null, 39.5, { distance: null })]);
    expect(parseChunkResult(JSON.parse(JSON.stringify(value)), 'jobs/j/chunks/3.json')).toEqual(value);
  });

  it('rejects an embedding of the wrong size', () => {
    const value = chunk(0, 0, 10, [face('a', 1, { embedding: [1, 2, 3] })]);
    expect(ChunkResult.safeParse(value).success).toBe(false);
  });

  it('rejects a face outside its chunk, naming the field', () => {
    const value = chunk(1, 10, 20, [face('a', 25)]);
    expect(() => parseChunkResult(value, 'jobs/j/chunks/1.json')).toThrow(/jobs\/j\/chunks\/1\.json.*faces\.0\.time/);
  });

  it('rejects a chunk that ends before it starts and an unknown version', () => {
    expect(ChunkResult.safeParse(chunk(0, 10, 5, [])).success).toBe(false);
    expect(ChunkResult.safeParse({ ...chunk(0, 0, 5, []), version: 1 }).success).toBe(false);
  });

  it('throws an InputError naming the source', () => {
    try {
      parseChunkResult({ version: 1 }, 'jobs/j/chunks/7.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LambdafaceError);
      expect((error as LambdafaceError).kind).toBe('InputError');
      expect((error as LambdafaceError).input).toBe('jobs/j/chunks/7.json');
    }
  });
});

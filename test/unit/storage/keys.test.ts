import { describe, expect, it } from 'vitest';
import { LambdafaceError } from '../../../shared/errors.ts';
import { checkJobId, jobKeys, jobPrefix, uploadKey } from '../../../shared/storage/keys.ts';

describe('job key layout', () => {
  it('puts results under jobs/<jobId>/ and intermediates under intermediate/<jobId>/, so each kind can expire by prefix', () => {
    const keys = jobKeys('a1b2c3');
    expect(jobPrefix('a1b2c3')).toBe('jobs/a1b2c3/');
    expect(keys.intermediatePrefix).toBe('intermediate/a1b2c3/');
    expect(keys.record).toBe('intermediate/a1b2c3/job.json');
    expect(keys.gallery).toBe('intermediate/a1b2c3/gallery.json');
    expect(keys.chunks).toBe('intermediate/a1b2c3/chunks.json');
    expect(keys.chunkFaces(7)).toBe('intermediate/a1b2c3/chunks/7.json');
    expect(keys.chunkSummary(7)).toBe('intermediate/a1b2c3/chunks/7.summary.json');
    expect(keys.results).toBe('intermediate/a1b2c3/results');
    expect(keys.unknownPeople).toBe('intermediate/a1b2c3/unknown-people.json');
    expect(keys.montagePieces).toBe('intermediate/a1b2c3/montage/pieces.json');
    expect(keys.montageReport).toBe('intermediate/a1b2c3/montage/report.json');
    expect(keys.clip('ab12')).toBe('intermediate/a1b2c3/clips/ab12.mp4');
    expect(keys.thumb('cd34')).toBe('intermediate/a1b2c3/thumbs/cd34.jpg');
    expect([keys.timelineJson, keys.timelineCsv, keys.timelineVtt]).toEqual(['jobs/a1b2c3/timeline.json', 'jobs/a1b2c3/timeline.csv', 'jobs/a1b2c3/timeline.vtt']);
    expect(keys.montage).toBe('jobs/a1b2c3/montage.mp4');
    expect(keys.report).toBe('jobs/a1b2c3/report.html');
    expect(keys.thumbnail('seg-1.jpg')).toBe('jobs/a1b2c3/thumbnails/seg-1.jpg');
    const intermediate = new Set([keys.intermediatePrefix, keys.record, keys.gallery, keys.chunks, keys.results, keys.unknownPeople, keys.montagePieces, keys.montageReport]);
    for (const key of Object.values(keys)) {
      if (typeof key === 'string') expect(key.startsWith(intermediate.has(key) ? keys.intermediatePrefix : keys.prefix), key).toBe(true);
    }
  });

  it.each(['', '../other', 'a/b', '.hidden', 'with space', 'x'.repeat(129)])('rejects the unsafe job id %j', (jobId) => {
    expect(() => checkJobId(jobId)).toThrow(LambdafaceError);
    expect(() => jobKeys(jobId)).toThrow(/not a safe S3 key segment/);
  });

  it('rejects chunk indexes that are not non-negative integers', () => {
    expect(() => jobKeys('j1').chunkFaces(-1)).toThrow(/chunk index/);
    expect(() => jobKeys('j1').chunkFaces(1.5)).toThrow(/chunk index/);
    expect(() => jobKeys('j1').chunkSummary(-1)).toThrow(/chunk index/);
  });

  it('builds upload keys from checked segments', () => {
    expect(uploadKey('abc123', 'talk.mp4')).toBe('uploads/abc123/talk.mp4');
    expect(() => uploadKey('..', 'x')).toThrow(/upload key segment/);
    expect(() => uploadKey()).toThrow(/at least one segment/);
  });
});

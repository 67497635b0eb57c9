import { describe, expect, it } from 'vitest';
import { SAMPLE_SLACK_US, sampleIndexAt, sampleRange, selectExpression } from '../../../shared/video/sampling.ts';

describe('sampleRange', () => {
  it('takes the samples whose times fall in [start, end)', () => {
    expect(sampleRange(0, 5, 1)).toEqual({ first: 0, last: 4 });
    expect(sampleRange(5, 9.18, 1)).toEqual({ first: 5, last: 9 });
    expect(sampleRange(0, 9.18, 2)).toEqual({ first: 0, last: 18 });
    expect(sampleRange(8.5, 9, 5)).toEqual({ first: 43, last: 44 });
  });

  it('is not thrown off by floating point at the boundaries', () => {
    // 0.3 * 10 is 3.0000000000000004: sample 3 (time 0.3) still belongs to [0.3, 0.6).
    expect(sampleRange(0.3, 0.6, 10)).toEqual({ first: 3, last: 5 });
    expect(sampleRange(0.1, 0.7, 10)).toEqual({ first: 1, last: 6 });
  });

  it('runs to the end of the video when end is Infinity', () => {
    expect(sampleRange(2.2, Infinity, 1)).toEqual({ first: 3, last: Infinity });
  });

  it('gives adjacent chunks adjacent sample ranges, wherever the boundaries fall', () => {
    for (const fps of [0.5, 1, 2, 3, 5, 7.5, 29.97]) {
      const bounds = [0, 0.1, 1.7, 3.3333333, 5, 6.05, 9.18, 61.2];
      for (let i = 0; i + 2 < bounds.length; i++) {
        const a = sampleRange(bounds[i]!, bounds[i + 1]!, fps);
        const b = sampleRange(bounds[i + 1]!, bounds[i + 2]!, fps);
        expect(b.first, `fps ${fps} at ${bounds[i + 1]}`).toBe(a.last + 1);
      }
    }
  });
});

describe('sampleIndexAt', () => {
  it('gives a frame the sample at or just before its time', () => {
    expect(sampleIndexAt(0, 1)).toBe(0);
    expect(sampleIndexAt(1_001_001, 1)).toBe(1);
    expect(sampleIndexAt(999_999, 1)).toBe(1); // within the µs rounding slack of 1 s
    expect(sampleIndexAt(1_000_000 - SAMPLE_SLACK_US - 1, 1)).toBe(0);
    expect(sampleIndexAt(200_000, 5)).toBe(1);
    expect(sampleIndexAt(41_708, 23.976023976023978)).toBe(1);
  });
});

describe('selectExpression', () => {
  it('passes the first decoded frame and the first frame of each sample from `first` on', () => {
    const expression = selectExpression(2, 10);
    expect(expression).toBe(
      `isnan(prev_pts)+gt(floor(((pts+${SAMPLE_SLACK_US})*2)/1000000),floor(((prev_pts+${SAMPLE_SLACK_US})*2)/1000000))*gte(floor(((pts+${SAMPLE_SLACK_US})*2)/1000000),10)`,
    );
  });

  it('writes the rate with full precision, so ffmpeg and sampleIndexAt compute the same index', () => {
    expect(selectExpression(30000 / 1001, 0)).toContain(`*${String(30000 / 1001)})`);
  });
});

import { describe, expect, it } from 'vitest';
import { SearchOptions } from '../../../shared/config/options.ts';
import { DEFAULT_RULE } from '../../../shared/match/matcher.ts';
import { DEFAULT_DETECT_OPTIONS } from '../../../shared/vision/options.ts';
import { scanOptionsFor } from '../../../shared/recognize/scan.ts';

describe('scanOptionsFor', () => {
  it('scans the whole pyramid by default, with the runtime threads and the calibrated rule', () => {
    const scan = scanOptionsFor(SearchOptions.parse({}), 2);
    expect(scan.sampleFps).toBe(4);
    expect(scan.rule).toEqual(DEFAULT_RULE);
    expect(scan.analyze.detect).toEqual({ ...DEFAULT_DETECT_OPTIONS, threads: 2 });
    expect(scan.analyze.detect.minWindowSide).not.toBeNull();
  });

  it('scans only the whole frame with smallFaces off, and takes the user threshold and sampling', () => {
    const scan = scanOptionsFor(SearchOptions.parse({ smallFaces: false, threshold: 0.5, sampleFps: 2 }), 1);
    expect(scan.analyze.detect.minWindowSide).toBeNull();
    expect(scan.rule.threshold).toBe(0.5);
    expect(scan.rule.margin).toBe(DEFAULT_RULE.margin);
    expect(scan.sampleFps).toBe(2);
  });
});

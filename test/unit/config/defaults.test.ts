import { describe, expect, it } from 'vitest';
import { SearchOptions } from '../../../shared/config/options.ts';

describe('search option defaults are safe at scale', () => {
  it('bounds the Distributed Map below the default account quota instead of leaving it at 10,000', () => {
    const { maxConcurrency } = SearchOptions.parse({});
    expect(maxConcurrency).toBeGreaterThan(0);
    expect(maxConcurrency).toBeLessThan(1000);
    // a six-hour video of 60 s chunks still runs in one wave
    expect(maxConcurrency).toBeGreaterThanOrEqual(360);
  });

  it('tolerates a few failed chunks (they are reported as not scanned) rather than none', () => {
    const { toleratedFailurePercentage } = SearchOptions.parse({});
    expect(toleratedFailurePercentage).toBeGreaterThan(0);
    expect(toleratedFailurePercentage).toBeLessThanOrEqual(10);
  });

  it('still lets a job ask for the old behaviour explicitly', () => {
    expect(SearchOptions.parse({ maxConcurrency: 0, toleratedFailurePercentage: 0 })).toMatchObject({ maxConcurrency: 0, toleratedFailurePercentage: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import { AWS_PRICES, estimateCost, measureChunk, type EstimateInput } from '../../shared/remote/index.ts';
import { SearchOptions } from '../../shared/config/options.ts';

const SIX_HOURS: EstimateInput = {
  videoSeconds: 6 * 3600,
  chunkSeconds: 60,
  sampleFps: 2,
  memoryMb: 2048,
  concurrency: 0,
  secondsPerChunkMeasured: 15,
  arch: 'x86_64',
};

describe('estimateCost', () => {
  it('fans a six-hour video out to one wave of 360 workers', () => {
    const estimate = estimateCost(SIX_HOURS);
    expect(estimate).toMatchObject({ chunks: 360, batches: 360, concurrency: 360, waves: 1, lambdaSecondsPerChunk: 15 });
    // one wave of 15 s plus a 2 s cold start, between prepare and montage
    expect(estimate.wallSeconds.recognize).toBe(17);
    expect(estimate.wallSeconds.total).toBe(estimate.wallSeconds.prepare + 17 + estimate.wallSeconds.montage);
  });

  it('prices GB-seconds, requests and state transitions with the design brief\'s prices', () => {
    const estimate = estimateCost(SIX_HOURS);
    const recognizeGbS = (360 * 15 + 360 * 2) * 2;
    const fixedGbS = 10 * 2 + 2 * 0.5 + 60 * (3538 / 1024);
    expect(estimate.gbSeconds).toBeCloseTo(recognizeGbS + fixedGbS, 1);
    expect(estimate.dollars.lambdaCompute).toBeCloseTo((recognizeGbS + fixedGbS) * 0.0000166667, 4);
    expect(estimate.dollars.lambdaRequests).toBeCloseTo((360 + 3) * 0.2e-6, 4);
    expect(estimate.dollars.stateTransitions).toBeCloseTo((8 + 360 * 3) * 0.000025, 4);
    expect(estimate.dollars.total).toBeCloseTo(estimate.dollars.lambdaCompute + estimate.dollars.lambdaRequests + estimate.dollars.stateTransitions, 3);
    expect(estimate.dollars.total).toBeLessThan(1);
  });

  it('is cheaper on arm64 by the price ratio, same time', () => {
    const x86 = estimateCost(SIX_HOURS);
    const arm = estimateCost({ ...SIX_HOURS, arch: 'arm64' });
    expect(arm.wallSeconds).toEqual(x86.wallSeconds);
    expect(arm.dollars.lambdaCompute / x86.dollars.lambdaCompute).toBeCloseTo(AWS_PRICES.lambdaPerGbSecond.arm64 / AWS_PRICES.lambdaPerGbSecond.x86_64, 2);
    expect(arm.assumptions.join('\n')).toMatch(/arm64 \(Graviton\)/);
  });

  it('runs in waves under a concurrency limit, and batches cut transitions', () => {
    const limited = estimateCost({ ...SIX_HOURS, concurrency: 100 });
    expect(limited).toMatchObject({ concurrency: 100, waves: 4 });
    expect(limited.wallSeconds.recognize).toBe(4 * 15 + 2);
    const batched = estimateCost({ ...SIX_HOURS, itemsPerBatch: 4 });
    expect(batched).toMatchObject({ batches: 90, concurrency: 90, waves: 1 });
    expect(batched.wallSeconds.recognize).toBe(4 * 15 + 2);
    expect(batched.dollars.stateTransitions).toBeLessThan(estimateCost(SIX_HOURS).dollars.stateTransitions);
  });

  it('slows chunks down below one vCPU and scales work with the sampling rate', () => {
    expect(estimateCost({ ...SIX_HOURS, memoryMb: 1769 }).lambdaSecondsPerChunk).toBe(15);
    expect(estimateCost({ ...SIX_HOURS, memoryMb: 10240 }).lambdaSecondsPerChunk).toBe(15);
    expect(estimateCost({ ...SIX_HOURS, memoryMb: 884 }).lambdaSecondsPerChunk).toBeCloseTo(30, 1);
    expect(estimateCost({ ...SIX_HOURS, sampleFps: 4, measuredSampleFps: 2 }).lambdaSecondsPerChunk).toBe(30);
  });

  it('states its assumptions', () => {
    const text = estimateCost(SIX_HOURS).assumptions.join('\n');
    for (const needle of ['vCPU', '$0.0000166667', '$0.025 per 1,000 state transitions', 'cold start', 'not counted']) expect(text).toContain(needle);
  });

  it('rejects nonsense with an InputError', () => {
    expect(() => estimateCost({ ...SIX_HOURS, videoSeconds: 0 })).toThrow(/videoSeconds must be a positive number/);
    expect(() => estimateCost({ ...SIX_HOURS, memoryMb: 20_000 })).toThrow(/memory must be 128-10240 MB/);
    expect(() => estimateCost({ ...SIX_HOURS, concurrency: -1 })).toThrow(/concurrency/);
  });
});

describe('measureChunk', () => {
  it('times one real chunk of a local video with the recognize pipeline', async () => {
    const search = SearchOptions.parse({ chunkSeconds: 20, sampleFps: 1 });
    const measured = await measureChunk({ video: 'fixtures/videos/hamilton_short.mp4', search, threads: 1 });
    expect(measured.chunk.start).toBe(0);
    // the whole video (its probed duration counts from the first frame, at PTS 0.844 s)
    expect(measured.chunk.end).toBe(measured.videoSeconds);
    expect(measured.videoSeconds).toBeGreaterThan(9);
    expect(measured.frames).toBeGreaterThanOrEqual(9);
    expect(measured.faces).toBeGreaterThan(0);
    expect(measured.scanSeconds).toBeGreaterThan(0);
    // the video is half a chunk long: the time is scaled to a whole one
    expect(measured.secondsPerChunk).toBeCloseTo(measured.scanSeconds * (20 / (measured.chunk.end - measured.chunk.start)), 6);
  });
});

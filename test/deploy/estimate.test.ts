import { describe, expect, it } from 'vitest';
import { AWS_PRICES, estimateCost, measureChunk, MONTAGE_MODEL, S3_PRICES, type EstimateInput } from '../../shared/remote/index.ts';
import { CUT_MODEL, JOIN_MODEL } from '../../shared/remote/estimate.ts';
import { measurePiece, onScreen } from '../../shared/remote/measure.ts';
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

/** The arithmetic without the defaults' retries, montage and S3 terms, so each can be checked alone. */
const BARE: EstimateInput = { ...SIX_HOURS, retryShare: 0, montage: false, onScreenShare: 0, segmentsPerMinute: 0 };
const montageFixed = (chunks: number) => MONTAGE_MODEL.fixedSeconds + chunks * MONTAGE_MODEL.secondsPerChunkRead;

describe('estimateCost', () => {
  it('fans a six-hour video out to one wave of 360 workers', () => {
    const estimate = estimateCost(BARE);
    expect(estimate).toMatchObject({ chunks: 360, batches: 360, concurrency: 360, concurrencyLimitedBy: 'batches', waves: 1, lambdaSecondsPerChunk: 15, retries: 0 });
    // one wave of 15 s plus a 2 s cold start, between prepare and montage
    expect(estimate.wallSeconds.recognize).toBe(17);
    expect(estimate.wallSeconds.montage).toBeCloseTo(montageFixed(360), 1);
    expect(estimate.wallSeconds.total).toBeCloseTo(estimate.wallSeconds.prepare + 17 + estimate.wallSeconds.montage, 1);
  });

  it('prices GB-seconds, requests, state transitions and S3 requests', () => {
    const estimate = estimateCost(BARE);
    const recognizeGbS = (360 * 15 + 360 * 2) * 2;
    const fixedGbS = 10 * 2 + 2 * 0.5 + montageFixed(360) * (MONTAGE_MODEL.memoryMb / 1024);
    expect(estimate.gbSeconds).toBeCloseTo(recognizeGbS + fixedGbS, 1);
    expect(estimate.dollars.lambdaCompute).toBeCloseTo((recognizeGbS + fixedGbS) * 0.0000166667, 4);
    expect(estimate.dollars.lambdaRequests).toBeCloseTo((360 + 3) * 0.2e-6, 4);
    expect(estimate.dollars.stateTransitions).toBeCloseTo((9 + 360 * 3) * 0.000025, 4);
    // per chunk: 5 reads and a write; montage reads each chunk result; prepare 4 reads, 2 writes;
    // montage 12 writes; the map reads its items once and writes its results in 3 objects
    expect(estimate.s3Requests).toEqual({ gets: 4 + 360 * 5 + 360 + 1, puts: 2 + 360 + 12 + 3 });
    expect(estimate.dollars.s3Requests).toBeCloseTo((5 + 360 * 6) * S3_PRICES.perGet + 377 * S3_PRICES.perPut, 4);
    const { lambdaCompute, lambdaRequests, stateTransitions, s3Requests, total } = estimate.dollars;
    expect(total).toBeCloseTo(lambdaCompute + lambdaRequests + stateTransitions + s3Requests, 3);
    expect(total).toBeLessThan(1);
  });

  it("applies the account's concurrency quota (1,000 by default) as a ceiling, and says so", () => {
    const twelveHours = { ...BARE, videoSeconds: 24 * 3600, concurrency: 0 };
    const capped = estimateCost(twelveHours);
    expect(capped).toMatchObject({ batches: 1440, concurrency: 1000, concurrencyLimitedBy: 'account quota', waves: 2 });
    expect(capped.assumptions.join('\n')).toContain("capped by the account's Lambda concurrency quota of 1000");
    const newAccount = estimateCost({ ...SIX_HOURS, accountConcurrency: 50 });
    expect(newAccount).toMatchObject({ concurrency: 50, concurrencyLimitedBy: 'account quota', waves: 8 });
    expect(estimateCost({ ...BARE, concurrency: 100 })).toMatchObject({ concurrency: 100, concurrencyLimitedBy: 'maxConcurrency', waves: 4 });
    expect(() => estimateCost({ ...BARE, accountConcurrency: 0 })).toThrow(/account concurrency quota/);
  });

  it('counts retried invocations in time, GB-seconds, requests and transitions', () => {
    const bare = estimateCost(BARE);
    const retried = estimateCost({ ...BARE, retryShare: 0.05 });
    expect(retried.retries).toBe(18);
    expect(retried.wallSeconds.recognize).toBe(bare.wallSeconds.recognize + 15);
    expect(retried.gbSeconds - bare.gbSeconds).toBeCloseTo(18 * 15 * 2, 1);
    expect(retried.dollars.lambdaRequests).toBeCloseTo((360 + 18 + 3) * 0.2e-6, 4);
    expect(retried.dollars.stateTransitions).toBeCloseTo((9 + 360 * 3 + 18 * 2) * 0.000025, 4);
    expect(retried.s3Requests.gets - bare.s3Requests.gets).toBe(18 * 5);
  });

  it('cuts the montage pieces side by side: its time grows with on-screen time only through the join, its cost with every piece', () => {
    const quiet = estimateCost({ ...BARE, montage: true, onScreenShare: 0.01, segmentsPerMinute: 0.5, montageMaxSeconds: 3600 });
    const busy = estimateCost({ ...BARE, montage: true, onScreenShare: 0.1, segmentsPerMinute: 0.5, montageMaxSeconds: 3600 });
    expect(busy.montage).toMatchObject({ onScreenSeconds: 2160, shownSeconds: 2160, segments: 180, thumbnails: 120, pieces: 180, pieceConcurrency: 180, pieceWaves: 1 });
    expect(quiet.montage).toMatchObject({ shownSeconds: 216, pieces: 108, pieceWaves: 1 });
    // One wave of pieces either way: as long as the longest piece (30 s of source) and a cold start.
    const longest = CUT_MODEL.defaultSecondsPerPiece;
    expect(busy.wallSeconds.cut).toBeCloseTo(longest + CUT_MODEL.coldStartSeconds, 1);
    expect(quiet.wallSeconds.cut).toBe(busy.wallSeconds.cut);
    // The join moves the montage's bytes: ten times the montage, a longer join.
    const bytes = (seconds: number) => seconds * CUT_MODEL.defaultBytesPerSecond;
    const join = (pieces: number, seconds: number) =>
      JOIN_MODEL.fixedSeconds + pieces * JOIN_MODEL.secondsPerPiece + (2 * bytes(seconds)) / JOIN_MODEL.s3BytesPerSecond + bytes(seconds) / JOIN_MODEL.copyBytesPerSecond;
    expect(busy.wallSeconds.join).toBeCloseTo(join(180, 2160), 1);
    expect(quiet.wallSeconds.join).toBeCloseTo(join(108, 216), 1);
    expect(busy.montage.bytes).toBe(bytes(2160));
    expect(busy.montage.seconds).toBeGreaterThan(quiet.montage.seconds);
    // Every piece is paid for: its fixed part and its share of the encoding, at the cut memory.
    const perSecond = (CUT_MODEL.defaultSecondsPerPiece - CUT_MODEL.overheadSeconds) / 30;
    const cutGbS = (pieces: number, seconds: number) =>
      (pieces * CUT_MODEL.overheadSeconds + perSecond * seconds + pieces * CUT_MODEL.coldStartSeconds) * (CUT_MODEL.memoryMb / 1024);
    const joinGbS = (pieces: number, seconds: number) => join(pieces, seconds) * (JOIN_MODEL.memoryMb / 1024);
    expect(busy.gbSeconds - quiet.gbSeconds).toBeCloseTo(cutGbS(180, 2160) - cutGbS(108, 216) + joinGbS(180, 2160) - joinGbS(108, 216), 0);
    expect(quiet.warnings).toEqual([]);
    // A new account's quota of 50: 180 pieces in 4 waves.
    expect(estimateCost({ ...BARE, montage: true, onScreenShare: 0.1, segmentsPerMinute: 0.5, montageMaxSeconds: 3600, accountConcurrency: 50 }).montage).toMatchObject({
      pieceConcurrency: 50,
      pieceWaves: 4,
    });
    // The default cap (600 s) bounds the montage whatever the on-screen time: 20 pieces of 30 s.
    const capped = estimateCost({ ...BARE, montage: true, onScreenShare: 0.8, segmentsPerMinute: 0 });
    expect(capped.montage).toMatchObject({ onScreenSeconds: 17280, shownSeconds: 600, pieces: 20, exceedsTimeout: false });
    expect(capped.wallSeconds.montage).toBeCloseTo(montageFixed(360), 1);
    expect(capped.wallSeconds.join).toBeCloseTo(join(20, 600), 1);
    expect(capped.assumptions.join('\n')).toMatch(/capped at 600 s by montageMaxSeconds/);
    // A piece measured on the video itself replaces the bench's figure.
    const slow = estimateCost({ ...BARE, montage: true, onScreenShare: 0.8, segmentsPerMinute: 0, secondsPerPieceMeasured: 40, montageBytesPerSecond: 200_000 });
    expect(slow.wallSeconds.cut).toBeCloseTo(40 + CUT_MODEL.coldStartSeconds, 1);
    expect(slow.montage.bytes).toBe(600 * 200_000);
    expect(slow.assumptions.join('\n')).toMatch(/a 30 s piece takes 40 s on ONE core, as cut here from this video/);
    // A piece past the cut function's time limit is warned about.
    const fourK = estimateCost({ ...BARE, montage: true, onScreenShare: 0.8, secondsPerPieceMeasured: 400 });
    expect(fourK.montage.exceedsTimeout).toBe(true);
    expect(fourK.warnings.join('\n')).toMatch(/would not fit Lambda's time limits.*a piece 400 s of 300.*montageMaxSeconds/);
    // no montage: no pieces, no join; reading chunks and thumbnails remain
    const off = estimateCost({ ...BARE, montage: false, onScreenShare: 0.8, segmentsPerMinute: 0.5 });
    expect(off.wallSeconds).toMatchObject({ cut: 0, join: 0 });
    expect(off.wallSeconds.montage).toBeCloseTo(montageFixed(360) + 120 * MONTAGE_MODEL.secondsPerSegment, 1);
    // thumbnails are capped per person: 40 each
    expect(estimateCost({ ...BARE, segmentsPerMinute: 0.5, people: 1 }).montage.thumbnails).toBe(40);
  });

  it('models a six-hour video at the default options under 2 minutes and $1, someone on screen most of the time', () => {
    const defaults = SearchOptions.parse({});
    const estimate = estimateCost({
      videoSeconds: 6 * 3600,
      chunkSeconds: defaults.chunkSeconds,
      sampleFps: defaults.sampleFps,
      memoryMb: 2048,
      concurrency: defaults.maxConcurrency,
      secondsPerChunkMeasured: SIX_HOURS.secondsPerChunkMeasured,
      arch: 'x86_64',
      onScreenShare: 0.8,
      segmentsPerMinute: 2,
      montage: defaults.montage,
      montageMaxSeconds: defaults.montageMaxSeconds,
    });
    expect(estimate.montage).toMatchObject({ shownSeconds: 600, pieceWaves: 1 });
    expect(estimate.wallSeconds.total).toBeLessThan(120);
    expect(estimate.dollars.total).toBeLessThan(1);
    expect(estimate.assumptions.join('\n')).toContain('account quota 1000');
  });

  it('is cheaper on arm64 by the price ratio, same time', () => {
    const x86 = estimateCost(BARE);
    const arm = estimateCost({ ...BARE, arch: 'arm64' });
    expect(arm.wallSeconds).toEqual(x86.wallSeconds);
    expect(arm.dollars.lambdaCompute / x86.dollars.lambdaCompute).toBeCloseTo(AWS_PRICES.lambdaPerGbSecond.arm64 / AWS_PRICES.lambdaPerGbSecond.x86_64, 2);
    expect(arm.assumptions.join('\n')).toMatch(/arm64 \(Graviton\)/);
  });

  it('batches cut transitions', () => {
    const batched = estimateCost({ ...BARE, itemsPerBatch: 4 });
    expect(batched).toMatchObject({ batches: 90, concurrency: 90, waves: 1 });
    expect(batched.wallSeconds.recognize).toBe(4 * 15 + 2);
    expect(batched.dollars.stateTransitions).toBeLessThan(estimateCost(BARE).dollars.stateTransitions);
  });

  it('slows chunks down below one vCPU and scales work with the sampling rate', () => {
    expect(estimateCost({ ...BARE, memoryMb: 1769 }).lambdaSecondsPerChunk).toBe(15);
    expect(estimateCost({ ...BARE, memoryMb: 10240 }).lambdaSecondsPerChunk).toBe(15);
    expect(estimateCost({ ...BARE, memoryMb: 884 }).lambdaSecondsPerChunk).toBeCloseTo(30, 1);
    expect(estimateCost({ ...BARE, sampleFps: 4, measuredSampleFps: 2 }).lambdaSecondsPerChunk).toBe(30);
  });

  it('states its assumptions', () => {
    const text = estimateCost(SIX_HOURS).assumptions.join('\n');
    for (const needle of ['ONE core', 'vCPU', '$0.0000166667', '$0.025 per 1,000 state transitions', 'cold start', 'retried', 'people on screen', 'S3:', 'not counted']) {
      expect(text).toContain(needle);
    }
  });

  it('rejects nonsense with an InputError', () => {
    expect(() => estimateCost({ ...SIX_HOURS, videoSeconds: 0 })).toThrow(/videoSeconds must be a positive number/);
    expect(() => estimateCost({ ...SIX_HOURS, memoryMb: 20_000 })).toThrow(/memory must be 128-10240 MB/);
    expect(() => estimateCost({ ...SIX_HOURS, concurrency: -1 })).toThrow(/concurrency/);
    expect(() => estimateCost({ ...SIX_HOURS, onScreenShare: 2 })).toThrow(/onScreenShare must be between 0 and 1/);
  });
});

describe('onScreen', () => {
  it('counts sampled frames with faces, and stretches split by gaps longer than gapSeconds', () => {
    // 2 fps over 10 s: faces at 0-1.5 s (4 frames, one with two faces) and 5-5.5 s (2 frames)
    const seen = onScreen([0, 0.5, 0.5, 1, 1.5, 5, 5.5], { start: 0, end: 10 }, 2, 1.5);
    expect(seen).toEqual({ share: 0.3, segments: 2 });
    expect(onScreen([], { start: 0, end: 10 }, 2, 1.5)).toEqual({ share: 0, segments: 0 });
  });
});

describe('measurePiece', () => {
  it('cuts one real montage piece of a local video and scales it to a full piece on one CPU', async () => {
    const piece = await measurePiece('fixtures/videos/hamilton_short.mp4', { startSeconds: 0, sampleFps: 2 });
    // The clip is shorter than a piece: all of it is cut, and the time scaled to 30 s.
    expect(piece.span.start).toBe(0);
    expect(piece.span.end).toBeGreaterThan(9);
    const oneCpu = Math.max(piece.wallSeconds, piece.cpuSeconds ?? 0);
    expect(piece.secondsPerPiece).toBeCloseTo((oneCpu * 30) / (piece.span.end - piece.span.start), 6);
    // 640x360 H.264 and AAC: tens of KB a second.
    expect(piece.bytesPerSecond).toBeGreaterThan(10_000);
    expect(piece.bytesPerSecond).toBeLessThan(1_000_000);
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
    // ffmpeg decodes ahead on another core here; on one vCPU it shares the core: CPU time counts
    expect(measured.cpuSeconds).toBeGreaterThan(0);
    const oneCpu = Math.max(measured.scanSeconds, measured.cpuSeconds!);
    // the video is half a chunk long: the time is scaled to a whole one
    expect(measured.secondsPerChunk).toBeCloseTo(oneCpu * (20 / (measured.chunk.end - measured.chunk.start)), 6);
    // someone is on screen in most of the clip
    expect(measured.onScreenShare).toBeGreaterThan(0.5);
    expect(measured.onScreenShare).toBeLessThanOrEqual(1);
    expect(measured.segmentsPerMinute).toBeGreaterThan(0);
  });
});

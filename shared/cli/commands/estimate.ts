import { z } from 'zod';
import { estimateVideo } from '../../remote/estimate-video.ts';
import { numberFlag, parseFlags } from '../flags.ts';

export const ESTIMATE_USAGE = `lambdaface estimate --video <file> [--memory MB] [--concurrency N] [--account-concurrency N]
  [--arch x86_64|arm64] [--sample-fps N] [--chunk-seconds N] [--no-small-faces] [--no-montage] [--json]

Times one real chunk of the video on this machine, on one core, and cuts one montage piece of it,
and predicts the wall time and dollars of the whole search on AWS (Lambda GB-seconds and requests,
retries, Step Functions transitions, S3 requests; the montage grows with the time people are on
screen in the timed chunk, up to its cap, and its pieces are cut side by side), listing every
assumption it makes. --account-concurrency is your account's Lambda concurrency quota (default
1,000; see Service Quotas).`;

const Flags = z.object({
  video: z.string({ error: 'give the video with --video <file>' }).min(1),
  memory: numberFlag(z.number().int().min(128).max(10_240)),
  concurrency: numberFlag(z.number().int().min(1).max(10_000)),
  'account-concurrency': numberFlag(z.number().int().min(1).max(1_000_000)),
  arch: z.enum(['x86_64', 'arm64']).default('x86_64'),
  'sample-fps': numberFlag(z.number().positive().max(60)),
  'chunk-seconds': numberFlag(z.number().min(1).max(3600)),
  'no-small-faces': z.boolean().default(false),
  'no-montage': z.boolean().default(false),
  json: z.boolean().default(false),
});

const FLAGS = {
  video: { type: 'string' },
  memory: { type: 'string' },
  concurrency: { type: 'string' },
  'account-concurrency': { type: 'string' },
  arch: { type: 'string' },
  'sample-fps': { type: 'string' },
  'chunk-seconds': { type: 'string' },
  'no-small-faces': { type: 'boolean' },
  'no-montage': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export async function estimateCommand(argv: readonly string[]): Promise<void> {
  const flags = parseFlags('estimate', argv, FLAGS, Flags);
  const { measurement, piece, estimate } = await estimateVideo({
    video: flags.video,
    arch: flags.arch,
    ...(flags.memory ? { memoryMb: flags.memory } : {}),
    ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
    ...(flags['account-concurrency'] ? { accountConcurrency: flags['account-concurrency'] } : {}),
    options: {
      ...(flags['no-montage'] ? { montage: false } : {}),
      ...(flags['sample-fps'] ? { sampleFps: flags['sample-fps'] } : {}),
      ...(flags['chunk-seconds'] ? { chunkSeconds: flags['chunk-seconds'] } : {}),
      ...(flags['no-small-faces'] ? { smallFaces: false } : {}),
    },
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ measurement, piece, estimate }, null, 2)}\n`);
    return;
  }
  const lines = [
    `${estimate.chunks} chunk(s) in ${estimate.batches} recognize invocation(s), ${estimate.concurrency} at a time (${estimate.waves} wave(s))`,
    ...(estimate.montage.pieces > 0
      ? [
          `montage: ${estimate.montage.shownSeconds.toFixed(0)} s of the ${estimate.montage.onScreenSeconds.toFixed(0)} s with someone on screen, ${estimate.montage.pieces} piece(s) cut ${estimate.montage.pieceConcurrency} at a time (${estimate.montage.pieceWaves} wave(s)), about ${(estimate.montage.bytes / 1e6).toFixed(0)} MB`,
        ]
      : []),
    `wall time on AWS: about ${estimate.wallSeconds.total.toFixed(0)} s (prepare ${estimate.wallSeconds.prepare.toFixed(0)} s, recognize ${estimate.wallSeconds.recognize.toFixed(0)} s, timeline and report ${estimate.wallSeconds.montage.toFixed(0)} s, montage pieces ${estimate.wallSeconds.cut.toFixed(0)} s, join ${estimate.wallSeconds.join.toFixed(0)} s)`,
    `cost: $${estimate.dollars.total.toFixed(4)} (Lambda compute $${estimate.dollars.lambdaCompute.toFixed(4)} for ${estimate.gbSeconds.toFixed(0)} GB-s, requests $${estimate.dollars.lambdaRequests.toFixed(4)}, state transitions $${estimate.dollars.stateTransitions.toFixed(4)}, S3 requests $${estimate.dollars.s3Requests.toFixed(4)})`,
    ...estimate.warnings.map((warning) => `warning: ${warning}`),
    'assumptions:',
    ...estimate.assumptions.map((assumption) => `  - ${assumption}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type LocalService } from '../../shared/cli/commands/serve.ts';
import { Timeline } from '../../shared/schemas/timeline.ts';
import { createS3Client, getJson, listKeys, putBytes, putText } from '../../shared/storage/s3.ts';

/**
 * `lambdaface serve` end to end: a real S3 upload of uploads/<job>/job.json to the embedded server
 * starts a real local run of the workflow, through the same start handler code as on AWS.
 */
const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
const BUCKET = 'lambdaface';

let work: string;
let service: LocalService;
const log: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-serve-'));
  service = await startService({ bucket: BUCKET, 'data-dir': join(work, 's3'), concurrency: 2, port: undefined }, (line) => log.push(line));
}, 120_000);

afterAll(async () => {
  await service?.close();
  await rm(work, { recursive: true, force: true });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, seconds: number): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${seconds} s; log:\n${log.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('lambdaface serve', () => {
  it('starts a search when a job.json is uploaded with any S3 client, and only once per upload', async () => {
    // A plain client, as a user's would be: only the endpoint and the key pair serve printed.
    const s3 = createS3Client({ endpoint: service.endpoint, credentials: service.credentials });
    const upload = async (key: string, path: string) => putBytes(s3, BUCKET, key, await readFile(path), 'application/octet-stream');
    await upload('uploads/poetry-jam/hamilton_short.mp4', join(FIXTURES, 'videos/hamilton_short.mp4'));
    await upload('uploads/poetry-jam/lin/lin.png', join(FIXTURES, 'faces/lin_manuel_miranda/fr_lin-manuel-miranda.png'));
    const job = {
      video: { key: './hamilton_short.mp4' },
      faces: [{ name: 'lin_manuel_miranda', prefix: './lin/' }],
      options: { montage: false, chunkSeconds: 5 },
    };
    await putText(s3, BUCKET, 'uploads/poetry-jam/job.json', JSON.stringify(job), 'application/json');

    const timelineKey = await waitFor(async () => (await listKeys(s3, BUCKET, 'jobs/')).find((key) => key.endsWith('/timeline.json')), 240);
    await service.idle();
    const timeline = await getJson(s3, BUCKET, timelineKey, Timeline);
    const lin = timeline.identities.find((identity) => identity.name === 'lin_manuel_miranda');
    expect(lin?.segments.some((segment) => segment.start < 3.5 && segment.end > 6.5)).toBe(true);
    expect(log.filter((line) => line.startsWith('started '))).toHaveLength(1);
    const prefix = timelineKey.slice(0, -'timeline.json'.length);
    expect(log.some((line) => line.startsWith('finished ') && line.endsWith(`: outputs under s3://${BUCKET}/${prefix}`))).toBe(true);
  });

  it('refuses an invalid job file with a message, starting nothing', async () => {
    const s3 = createS3Client({ endpoint: service.endpoint, credentials: service.credentials });
    await putText(s3, BUCKET, 'uploads/broken/job.json', JSON.stringify({ video: {}, faces: [] }), 'application/json');
    const line = await waitFor(async () => log.find((entry) => entry.startsWith('rejected s3://lambdaface/uploads/broken/job.json')), 30);
    expect(line).toMatch(/video\.key|faces/);
    expect(log.filter((entry) => entry.startsWith('started '))).toHaveLength(1);
  });
});

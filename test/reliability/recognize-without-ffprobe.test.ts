import { readFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SearchOptions } from '../../shared/config/options.ts';
import { runtimeConfig } from '../../shared/config/runtime.ts';
import type { JobRecord } from '../../shared/schemas/job.ts';
import { jobKeys } from '../../shared/storage/keys.ts';
import { putBytes, putJson } from '../../shared/storage/s3.ts';
import { probeVideo } from '../../shared/video/probe.ts';
import { modelsFingerprint } from '../../shared/vision/models.ts';
import { recognizeBatch, type RecognizeEvent } from '../../shared/workflow/recognize.ts';
import { useEmbeddedS3 } from '../unit/local/embedded-s3-fixture.ts';
import { UNMATCHED_GALLERY } from './unmatched-gallery.ts';

/**
 * The recognize function ships without ffprobe (the ffmpeg and ONNX layers alone keep it under
 * Lambda's 250 MB with room to spare): it decodes with Shard's probe from the job record.
 */
const VIDEO = 'fixtures/videos/hamilton_short.mp4';
const s3 = useEmbeddedS3('recognize-no-ffprobe');
const videoKey = 'uploads/no-ffprobe/hamilton_short.mp4';
const options = SearchOptions.parse({ sampleFps: 1, smallFaces: false });

const event = (jobId: string): RecognizeEvent => ({
  BatchInput: { bucket: s3().bucket, jobId, video: { key: videoKey }, options, gallery: { bucket: s3().bucket, key: jobKeys(jobId).gallery } },
  Items: [{ chunk: { index: 0, start: 0, end: 3 }, item: 0 }],
});

beforeAll(async () => {
  const { client, bucket } = s3();
  await putBytes(client, bucket, videoKey, await readFile(VIDEO), 'video/mp4');
  const models = await modelsFingerprint();
  const probe = await probeVideo(VIDEO);
  for (const jobId of ['with-probe', 'old-record']) {
    await putJson(client, bucket, jobKeys(jobId).gallery, { ...UNMATCHED_GALLERY, jobId, models });
    const record: JobRecord = { version: 1, jobId, video: { key: videoKey, etag: 'e' }, options, recognizer: 'r', ...(jobId === 'with-probe' ? { probe } : {}) };
    await putJson(client, bucket, jobKeys(jobId).record, record);
  }
});

afterEach(() => {
  vi.unstubAllEnvs();
});

const context = () => ({ config: { ...runtimeConfig(), threads: 1 }, s3: s3().client });

describe('Recognize without ffprobe', () => {
  it('scans a chunk with the probe Shard recorded, never running ffprobe', async () => {
    // Where ffprobe would be looked for: a path that does not exist fails any ffprobe run at once.
    vi.stubEnv('LAMBDAFACE_FFPROBE', '/nonexistent/ffprobe');
    const result = await recognizeBatch(event('with-probe'), context());
    expect(result.chunks).toMatchObject([{ index: 0, skipped: false, decoded: true }]);
  });

  it('says to start again when the job record predates the recorded probe', async () => {
    await expect(recognizeBatch(event('old-record'), context())).rejects.toMatchObject({
      kind: 'WorkflowError',
      message: expect.stringMatching(/job record .*old-record.* has no probe of the video/),
      hint: 'start the job again from the beginning, so that Shard records the probe',
    });
  });
});

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobKeys } from '../../shared/storage/keys.ts';
import { putText } from '../../shared/storage/s3.ts';
import { downloadJobOutputs } from '../../shared/workflow/outputs.ts';
import { useEmbeddedS3 } from '../unit/local/embedded-s3-fixture.ts';

/** The outputs folder after a download: this run's outputs, the user's own files, nothing else. */
const s3 = useEmbeddedS3('download-test');
const keys = jobKeys('j-download');
const outputs = {
  timelineJson: keys.timelineJson,
  timelineCsv: keys.timelineCsv,
  timelineVtt: keys.timelineVtt,
  exports: [keys.timelineEdl],
  report: keys.report,
  montage: null,
  thumbnails: [keys.thumbnail('ada-0123abcd-0.jpg')],
};

let out: string;

beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'lambdaface-download-'));
  await mkdir(join(out, 'thumbnails'));
  await mkdir(join(out, '.lambdaface-download-killed'));
  for (const old of [
    'montage.mp4',
    'report.html',
    'timeline.json',
    'timeline.csv',
    'timeline.vtt',
    'chapters.vtt',
    'thumbnails/ada-89abcdef-1.jpg',
    '.lambdaface-download-killed/report.html',
  ]) {
    await writeFile(join(out, old), 'old');
  }
  await writeFile(join(out, 'notes.txt'), 'mine');
  await writeFile(join(out, 'thumbnails', 'README'), 'mine too');
  // A JPEG of the user's own, not named as lambdaface names thumbnails: never deleted.
  await writeFile(join(out, 'thumbnails', 'holiday.jpg'), 'my photo');
  const { client, bucket } = s3();
  for (const key of [keys.timelineJson, keys.timelineCsv, keys.timelineVtt, ...outputs.exports, keys.report, ...outputs.thumbnails])
    await putText(client, bucket, key, `new ${key}`);
});

afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('downloadJobOutputs', () => {
  it("replaces the previous outputs whole: no old montage, export or thumbnail stays, the user's files (a JPEG in thumbnails/ too) do", async () => {
    const { client, bucket } = s3();
    const files = await downloadJobOutputs(client, { jobId: 'j-download', bucket, outputs }, out);
    expect(files.map((file) => file.slice(out.length + 1)).sort()).toEqual([
      'report.html',
      'thumbnails/ada-0123abcd-0.jpg',
      'timeline.csv',
      'timeline.edl',
      'timeline.json',
      'timeline.vtt',
    ]);
    expect((await readdir(out)).sort()).toEqual(['notes.txt', 'report.html', 'thumbnails', 'timeline.csv', 'timeline.edl', 'timeline.json', 'timeline.vtt']);
    expect((await readdir(join(out, 'thumbnails'))).sort()).toEqual(['README', 'ada-0123abcd-0.jpg', 'holiday.jpg']);
    expect(await readFile(join(out, 'thumbnails', 'holiday.jpg'), 'utf-8')).toBe('my photo');
    expect(await readFile(join(out, 'timeline.json'), 'utf-8')).toBe(`new ${keys.timelineJson}`);
  });

  it('leaves the previous outputs as they were when a download fails', async () => {
    const { client, bucket } = s3();
    const missing = { ...outputs, montage: keys.montage };
    await expect(downloadJobOutputs(client, { jobId: 'j-download', bucket, outputs: missing }, out)).rejects.toMatchObject({ kind: 'StorageError' });
    expect((await readdir(out)).filter((entry) => entry.startsWith('.lambdaface-download-') && entry !== '.lambdaface-download-killed')).toEqual([]);
    for (const old of ['montage.mp4', 'report.html', 'timeline.json', 'thumbnails/ada-89abcdef-1.jpg']) expect(await readFile(join(out, old), 'utf-8')).toBe('old');
  });

  it('refuses a reported output that would lead outside the job or the folder, writing nothing', async () => {
    const { client, bucket } = s3();
    for (const key of [`${keys.prefix}../../escape.html`, 'jobs/another/report.html']) {
      const outside = { ...outputs, report: key };
      await expect(downloadJobOutputs(client, { jobId: 'j-download', bucket, outputs: outside }, out)).rejects.toMatchObject({ kind: 'WorkflowError' });
    }
    expect(await readFile(join(out, 'report.html'), 'utf-8')).toBe('old');
    expect((await readdir(join(out, '..'))).includes('escape.html')).toBe(false);
  });
});

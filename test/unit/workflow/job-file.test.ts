import { describe, expect, it } from 'vitest';
import { LambdafaceError } from '../../../shared/errors.ts';
import { JobInput, MAX_PEOPLE } from '../../../shared/schemas/job.ts';
import { completeJobFile, type UploadedObject } from '../../../shared/workflow/start.ts';

const job = (video: string, face: { keys?: string[]; prefix?: string } = { prefix: 'uploads/a/ada/' }) => ({
  bucket: 'lambdaface',
  video: { key: video },
  faces: [{ name: 'ada', ...face }],
});

const issues = (value: unknown) => {
  const result = JobInput.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('job input keys', () => {
  it.each([
    ['a ".." segment', 'uploads/a/../../secret.mp4', /has a "\." or "\.\." segment/],
    ['a leading ".."', '../secret.mp4', /has a "\." or "\.\." segment/],
    ['a "." segment', 'uploads/./talk.mp4', /has a "\." or "\.\." segment/],
    ['a backslash', 'uploads\\..\\talk.mp4', /backslash/],
    ['a NUL', 'uploads/talk.mp4\u0000.txt', /NUL/],
  ])('refuses %s in video.key, photo keys and prefixes', (_, key, says) => {
    expect(issues(job(key))).toEqual([expect.stringMatching(new RegExp(`^video\\.key: the key .*${says.source}`))]);
    expect(issues(job('uploads/a/talk.mp4', { keys: [key] }))).toEqual([expect.stringMatching(/^faces\.0\.keys\.0: /)]);
    expect(issues(job('uploads/a/talk.mp4', { prefix: `${key}/` }))).toEqual([expect.stringMatching(/^faces\.0\.prefix: /)]);
  });

  it('accepts dots that are part of a name', () => {
    expect(issues(job('uploads/a..b/.talk.mp4', { prefix: 'uploads/a/...ada/' }))).toEqual([]);
  });

  it(`enrols at most ${MAX_PEOPLE} people`, () => {
    const people = (count: number) => Array.from({ length: count }, (_, index) => ({ name: `p${index}`, prefix: 'uploads/a/p/' }));
    expect(issues({ ...job('uploads/a/talk.mp4'), faces: people(MAX_PEOPLE) })).toEqual([]);
    expect(issues({ ...job('uploads/a/talk.mp4'), faces: people(MAX_PEOPLE + 1) })).toEqual([
      `faces: a job may enrol at most ${MAX_PEOPLE} people; split the search into several jobs`,
    ]);
  });
});

describe('completeJobFile: "./" keys', () => {
  const upload: UploadedObject = { bucket: 'lambdaface', key: 'uploads/talk/job.json', eTag: 'e', sequencer: undefined };

  it('resolves them against the job file folder', () => {
    expect(completeJobFile({ video: { key: './talk.mp4' }, faces: [{ name: 'ada', prefix: './ada/', keys: ['./grace 1.jpg', 'uploads/shared/x.jpg'] }] }, upload)).toEqual({
      bucket: 'lambdaface',
      video: { key: 'uploads/talk/talk.mp4' },
      faces: [{ name: 'ada', prefix: 'uploads/talk/ada/', keys: ['uploads/talk/grace 1.jpg', 'uploads/shared/x.jpg'] }],
    });
  });

  it.each([
    ['video.key', { video: { key: './../other/talk.mp4' }, faces: [] }, './../other/talk.mp4'],
    ['faces.0.keys.1', { video: { key: './talk.mp4' }, faces: [{ name: 'ada', keys: ['./ada.jpg', './ada/../../../x.jpg'] }] }, './ada/../../../x.jpg'],
    ['faces.0.prefix', { video: { key: './talk.mp4' }, faces: [{ name: 'ada', prefix: './..' }] }, './..'],
    ['faces.0.prefix', { video: { key: './talk.mp4' }, faces: [{ name: 'ada', prefix: './a\\..\\' }] }, './a\\..\\'],
  ])('refuses %s that would leave the folder, with an InputError naming it', (field, file, key) => {
    let thrown: unknown;
    try {
      completeJobFile(file, upload);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LambdafaceError);
    expect(thrown).toMatchObject({
      kind: 'InputError',
      input: 's3://lambdaface/uploads/talk/job.json',
      message: `s3://lambdaface/uploads/talk/job.json: ${field} ${JSON.stringify(key)} would leave the job file's folder (uploads/talk/): a "./" key may not contain "." or ".." segments, backslashes or NUL`,
      hint: expect.stringMatching(/inside uploads\/talk\//),
    });
  });
});

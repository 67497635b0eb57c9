import { describe, expect, it } from 'vitest';
import { JobInput } from '../../../shared/schemas/job.ts';

/** The job input as AWS takes it: nobody enrolled, and an unknown person of an earlier job. */
const base = { bucket: 'my-bucket', video: { key: 'uploads/talk.mp4' } };
const problems = (input: unknown): string[] => {
  const parsed = JobInput.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('job input: who is in the video, and unknown people enrolled', () => {
  it('takes no faces (or an empty list) as a search for who is in the video', () => {
    expect(JobInput.parse(base).faces).toEqual([]);
    expect(JobInput.parse({ ...base, faces: [] }).faces).toEqual([]);
  });

  it('takes an unknown person of the scanned job by id', () => {
    const job = JobInput.parse({ ...base, video: { ...base.video, scannedBy: 'j-0123456789abcdef0123' }, faces: [{ name: 'host', cluster: 'u3' }] });
    expect(job.faces).toEqual([{ name: 'host', cluster: 'u3', keys: [] }]);
  });

  it('refuses a cluster without video.scannedBy, with photos too, or with an id that is not one', () => {
    expect(problems({ ...base, faces: [{ name: 'host', cluster: 'u3' }] })).toEqual([
      'faces.0.cluster: "host" is unknown person u3 of an earlier job: name that job as video.scannedBy',
    ]);
    const scanned = { ...base, video: { ...base.video, scannedBy: 'j-0123456789abcdef0123' } };
    expect(problems({ ...scanned, faces: [{ name: 'host', cluster: 'u3', keys: ['uploads/host.jpg'] }] })[0]).toMatch(
      /or an unknown person of the scanned job as "cluster" \(not both\)/,
    );
    expect(problems({ ...scanned, faces: [{ name: 'host', cluster: '3' }] })[0]).toMatch(/u followed by a number/);
  });

  it('refuses one unknown person under two names', () => {
    const scanned = { ...base, video: { ...base.video, scannedBy: 'j-0123456789abcdef0123' } };
    expect(
      problems({
        ...scanned,
        faces: [
          { name: 'host', cluster: 'u3' },
          { name: 'ada', cluster: 'u3' },
          { name: 'guest', cluster: 'u4' },
        ],
      }),
    ).toEqual(['faces.1.cluster: unknown person u3 is enrolled twice, as "host" and as "ada": give them one name']);
  });
});

import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../shared/cli/progress.ts';
import { DEFAULT_TRACK_OPTIONS } from '../../shared/match/tracks.ts';
import { renderReport } from '../../shared/report/html.ts';
import { Timeline } from '../../shared/schemas/timeline.ts';
import { jobKeys } from '../../shared/storage/keys.ts';
import { renameSources } from '../../shared/storage/uploads.ts';
import { tooShortToName } from '../../shared/timeline/too-short.ts';
import { sampleIndexAt } from '../../shared/video/sampling.ts';
import { thumbnailName } from '../../shared/workflow/montage.ts';
import { isThumbnailName } from '../../shared/workflow/outputs.ts';
import { unknownThumbnailName } from '../../shared/workflow/unknown-people.ts';

const timeline: Timeline = { identities: [], videoDuration: 10, sampleFps: 4, missingChunks: [] };

describe('thumbnail names', () => {
  it('differ for names that make the same safe text, and stay readable key segments', () => {
    const names = ["lin m'x", 'lin_m_x', 'lin.m.x', 'lin m x'].map((name) => thumbnailName(name, 0));
    expect(new Set(names).size).toBe(4);
    for (const name of names) {
      expect(name).toMatch(/^lin_m_x-[0-9a-f]{8}-0\.jpg$/);
      expect(() => jobKeys('j-1').thumbnail(name)).not.toThrow();
    }
    expect(thumbnailName('ada', 0)).not.toBe(thumbnailName('ada', 1));
    expect(thumbnailName('ada', 3)).toBe(thumbnailName('ada', 3));
  });

  it("are the names the next search removes from --out, and a user's own JPEG there is not", () => {
    for (const name of ["lin m'x", 'ada', 'Zoë Ñ', `a${"'".repeat(63)}`]) expect(isThumbnailName(thumbnailName(name, 39)), name).toBe(true);
    // An earlier search's unknown people's faces go too: they are bystanders' faces, and a new search numbers its own.
    for (const [id, k] of [
      ['u1', 0],
      ['u37', 2],
    ] as const)
      expect(isThumbnailName(unknownThumbnailName(id, k)), id).toBe(true);
    for (const file of ['holiday.jpg', 'IMG_0001.jpg', 'lin-0.jpg', 'ada-0123abcd-0.jpg.txt', 'ada-0123ABCD-0.jpg', 'unknown-ux-0.jpg', 'unknown-u1.jpg'])
      expect(isThumbnailName(file), file).toBe(false);
  });

  it('fit a key segment for the longest name a person may have', () => {
    expect(() => jobKeys('j-1').thumbnail(thumbnailName(`a${"'".repeat(63)}`, 39))).not.toThrow();
  });
});

describe('the report lists what enrolment said about the reference photos', () => {
  it('shows notes and skipped photos per person, escaped', () => {
    const html = renderReport({
      title: 't',
      timeline,
      thumbnails: new Map(),
      montage: null,
      video: 'v.mp4',
      photos: [
        { name: "o'neil", notes: ['group <b>shot</b>.jpg: 3 faces in this photo; enrolled the largest'], skipped: [{ source: 'a&b.jpg', reason: 'no face found <here>' }] },
        { name: 'ada', notes: [], skipped: [] },
      ],
    });
    expect(html).toContain('<h2>Reference photos</h2>');
    expect(html).toContain(
      '<li>o&#39;neil<ul><li>group &lt;b&gt;shot&lt;/b&gt;.jpg: 3 faces in this photo; enrolled the largest</li><li>skipped a&amp;b.jpg: no face found &lt;here&gt;</li></ul></li>',
    );
    expect(html).not.toContain('<b>shot</b>');
    // Nothing to say about ada's photos: she is not listed.
    expect(html).not.toMatch(/<li>ada/);
  });

  it('has no such section when every photo was used as is', () => {
    const html = renderReport({ title: 't', timeline, thumbnails: new Map(), montage: null, video: 'v.mp4', photos: [{ name: 'ada', notes: [], skipped: [] }] });
    expect(html).not.toContain('Reference photos');
  });

  it('states warnings', () => {
    const html = renderReport({ title: 't', timeline, thumbnails: new Map(), montage: null, video: 'v.mp4', warnings: ['too <short>'] });
    expect(html).toContain('<p class="warn">too &lt;short&gt;</p>');
  });
});

describe('timeline.json', () => {
  it('still reads timelines written before the enrolment section', () => {
    expect(Timeline.parse(timeline).enrolment).toBeUndefined();
    const enrolment = [{ name: 'ada', notes: ['n'], skipped: [{ source: 's', reason: 'r' }] }];
    expect(Timeline.parse({ ...timeline, enrolment }).enrolment).toEqual(enrolment);
  });
});

describe('messages name the files the user gave', () => {
  it('replaces each upload URL by its path, a longer URL before one it starts with', () => {
    const names = new Map([
      ['s3://lambdaface/uploads/abc/x.jpg', 'photos/x.jpg'],
      ['s3://lambdaface/uploads/abc/x.jpg.png', 'photos/x.jpg.png'],
    ]);
    expect(renameSources('no face found in s3://lambdaface/uploads/abc/x.jpg.png; also s3://lambdaface/uploads/abc/x.jpg: 2 faces', names)).toBe(
      'no face found in photos/x.jpg.png; also photos/x.jpg: 2 faces',
    );
    expect(renameSources('s3://other/uploads/abc/x.jpg', names)).toBe('s3://other/uploads/abc/x.jpg');
  });
});

describe('a video too short to name anyone', () => {
  // tiny_5frames.mp4: 5 frames at 23.976 fps.
  const tiny = { durationSeconds: 0.208542, fps: 23.976 };

  it('is said, with a rate that takes enough samples', () => {
    expect(tooShortToName(tiny, 4)).toBe(
      'the video is 0.21 s: at 4 samples/s that is 1 sample, and a person is named after at least 2; raise the sampling rate (--sample-fps) to 6 or more',
    );
    expect(tooShortToName(tiny, 6)).toBeNull();
    // The advice agrees with the sampler: at 6/s the last frame (0.167 s) is sample 1, the second one.
    expect(sampleIndexAt(Math.round((tiny.durationSeconds - 1 / tiny.fps) * 1e6), 6)).toBe(DEFAULT_TRACK_OPTIONS.minTrackLength - 1);
  });

  it("follows the tracker's minimum, and says when no rate helps", () => {
    expect(tooShortToName({ durationSeconds: 9.2, fps: 25 }, 1)).toBeNull();
    expect(tooShortToName({ durationSeconds: 9.2, fps: 25 }, 0.1)).toMatch(
      /that is 1 sample, and a person is named after at least 2; raise the sampling rate \(--sample-fps\) to 1 or more/,
    );
    expect(tooShortToName({ durationSeconds: 1, fps: 25 }, 4, 5)).toMatch(/that is 4 samples, and a person is named after at least 5/);
    expect(tooShortToName({ durationSeconds: 0.04, fps: 25 }, 4)).toMatch(/^the video is 0\.04 s \(1 frame\): .*give a longer video$/);
  });
});

describe('progress', () => {
  const stream = () => {
    const written: string[] = [];
    return { written, stream: { isTTY: false, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream };
  };

  it('says "finished" only when the search succeeded', () => {
    const failed = stream();
    const reporter = progressReporter(failed.stream);
    reporter.update({ phase: 'upload', chunksDone: 0, chunksTotal: 0, facesFound: 0 });
    reporter.fail();
    expect(failed.written).toEqual(['uploading inputs…\n']);

    const succeeded = stream();
    progressReporter(succeeded.stream).done();
    expect(succeeded.written).toEqual([expect.stringMatching(/^finished in \d+\.\d s\n$/)]);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Timeline } from '../../../shared/schemas/timeline.ts';
import { toFfmetadataChapters } from '../../../shared/timeline/chapters.ts';
import { runFfmpeg } from '../../../shared/video/ffmpeg.ts';
import { segment } from '../../unit/timeline/make-chunks.ts';
import { HAMILTON } from './helpers.ts';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-chapters-test-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const Chapters = z.object({
  chapters: z.array(z.object({ start_time: z.coerce.number(), end_time: z.coerce.number(), tags: z.object({ title: z.string() }) })),
});

describe('ffmetadata chapters', () => {
  it('are read by ffmpeg into the video as the README says, times and titles intact', async () => {
    const timeline: Timeline = {
      identities: [
        { name: 'ada', segments: [segment(0.5, 2)], totalSeconds: 1.5 },
        { name: "o'neil = #1; a\\b", segments: [segment(1.5, 3), segment(6, 8.25)], totalSeconds: 3.75 },
      ],
      videoDuration: 9.175843,
      sampleFps: 4,
      missingChunks: [],
    };
    const metadata = join(work, 'chapters.ffmetadata');
    await writeFile(metadata, toFfmetadataChapters(timeline));
    const out = join(work, 'with-chapters.mp4');
    await runFfmpeg(['-v', 'error', '-y', '-i', HAMILTON, '-i', metadata, '-map', '0', '-map_chapters', '1', '-c', 'copy', out]);
    const { stdout } = await runFfmpeg(['-v', 'error', '-print_format', 'json', '-show_chapters', out], { tool: 'ffprobe' });
    const { chapters } = Chapters.parse(JSON.parse(stdout.toString('utf8')));
    expect(chapters.map((chapter) => [chapter.start_time, chapter.end_time, chapter.tags.title])).toEqual([
      [0, 0.5, 'nobody found'],
      [0.5, 3, "ada, o'neil = #1; a\\b"],
      [3, 6, 'nobody found'],
      [6, 8.25, "o'neil = #1; a\\b"],
      [8.25, 9.176, 'nobody found'],
    ]);
  });
});

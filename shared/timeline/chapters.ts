import type { Timeline } from '../schemas/timeline.ts';
import { toMs, vttText, vttTimestamp } from './export.ts';
import { mergedSpans } from './montage-plan.ts';

/**
 * One chapter per stretch of the video where someone is on screen (people seen together share
 * one, titled with every name), in video order. Chapters may not overlap, hence the montage's own
 * joined spans; a chapter lasts at least a millisecond.
 */
function chapters(timeline: Timeline): { startMs: number; endMs: number; title: string }[] {
  return mergedSpans(timeline).map((span) => {
    const startMs = toMs(span.start);
    return { startMs, endMs: Math.max(toMs(span.end), startMs + 1), title: span.names.join(', ') };
  });
}

/** WebVTT chapters for the source video (a `<track kind="chapters">` or a player's chapter list). */
export function toVttChapters(timeline: Timeline): string {
  const cues = chapters(timeline).map(
    (chapter, i) => `${i + 1}\n${vttTimestamp(chapter.startMs / 1000)} --> ${vttTimestamp(chapter.endMs / 1000)}\n${vttText(chapter.title)}\n`,
  );
  return ['WEBVTT\n', ...cues].join('\n');
}

/** ffmetadata escapes `=`, `;`, `#`, `\` and line breaks with a backslash. */
export const ffmetadataText = (text: string): string => text.replace(/\r/g, '').replace(/[=;#\\\n]/g, (c) => `\\${c}`);

/**
 * The same chapters as an ffmetadata file, to write them into the video itself:
 * `ffmpeg -i video.mp4 -i chapters.ffmetadata -map 0 -map_chapters 1 -c copy with-chapters.mp4`.
 * No global tags, so nothing of the video's own metadata is replaced.
 */
export function toFfmetadataChapters(timeline: Timeline): string {
  const blocks = chapters(timeline).map(
    (chapter) => `[CHAPTER]\nTIMEBASE=1/1000\nSTART=${chapter.startMs}\nEND=${chapter.endMs}\ntitle=${ffmetadataText(chapter.title)}\n`,
  );
  return [';FFMETADATA1\n', ...blocks].join('\n');
}

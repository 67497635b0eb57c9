import type { Timeline } from '../schemas/timeline.ts';
import { toMs, vttText, vttTimestamp } from './export.ts';
import { mergedSpans } from './montage-plan.ts';

export const NOBODY_TITLE = 'nobody found';
export const NOT_SCANNED_TITLE = 'not scanned';

interface Chapter {
  startMs: number;
  endMs: number;
  title: string;
}

/**
 * Chapters that cover the whole video, in order: one per stretch where someone is on screen
 * (people seen together share one, titled with every name: chapters may not overlap, hence the
 * montage's joined spans), one per chunk that was not scanned, and "nobody found" between them.
 * They cover it all because MP4 stores a chapter as its start alone (each runs to the next),
 * so chapters with gaps between them would come out of ffmpeg stretched over the gaps.
 */
function chapters(timeline: Timeline): Chapter[] {
  const stretches = [
    ...mergedSpans(timeline).map((span) => ({ start: span.start, end: span.end, title: span.names.join(', '), someone: true })),
    ...timeline.missingChunks.map((chunk) => ({ start: chunk.start, end: chunk.end, title: NOT_SCANNED_TITLE, someone: false })),
  ].sort((p, q) => p.start - q.start);
  const result: Chapter[] = [];
  let cursor = 0;
  const add = (startMs: number, endMs: number, title: string) => {
    if (endMs <= startMs) return;
    result.push({ startMs, endMs, title });
    cursor = endMs;
  };
  for (const stretch of stretches) {
    const startMs = Math.max(cursor, toMs(stretch.start));
    add(cursor, startMs, NOBODY_TITLE);
    // Someone seen in a single sample on the last frame still gets a millisecond.
    add(startMs, Math.max(toMs(stretch.end), stretch.someone ? startMs + 1 : startMs), stretch.title);
  }
  add(cursor, toMs(timeline.videoDuration), NOBODY_TITLE);
  return result;
}

/** WebVTT chapters for the source video (a `<track kind="chapters">` or a player's chapter list). */
export function toVttChapters(timeline: Timeline): string {
  const cues = chapters(timeline).map((chapter, i) => `${i + 1}\n${vttTimestamp(chapter.startMs / 1000)} --> ${vttTimestamp(chapter.endMs / 1000)}\n${vttText(chapter.title)}\n`);
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
  const blocks = chapters(timeline).map((chapter) => `[CHAPTER]\nTIMEBASE=1/1000\nSTART=${chapter.startMs}\nEND=${chapter.endMs}\ntitle=${ffmetadataText(chapter.title)}\n`);
  return [';FFMETADATA1\n', ...blocks].join('\n');
}

import type { Segment, Timeline } from '../schemas/timeline.ts';

/** The timeline as written to timeline.json: stable key order, one trailing newline. */
export const toJson = (timeline: Timeline): string => `${JSON.stringify(timeline, null, 2)}\n`;

interface NamedSegment {
  name: string;
  segment: Segment;
}

/** Every segment of every person in the order a viewer meets them: by start, then by name. */
export function chronological(timeline: Timeline): NamedSegment[] {
  return timeline.identities
    .flatMap((identity) => identity.segments.map((segment) => ({ name: identity.name, segment })))
    .sort((a, b) => a.segment.start - b.segment.start || compareText(a.name, b.name));
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const CSV_HEADER = 'identity,start,end,duration,first_seen,last_seen,best_confidence';

/** RFC 4180 quoting: a field with a comma, quote or line break is quoted, inner quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Every exported time is rounded once to whole milliseconds, the same way in CSV and WebVTT, so the
 * files agree with each other and a duration equals end minus start as printed.
 */
export const toMs = (seconds: number): number => Math.round(seconds * 1000);
const fixed3 = (ms: number): string => (ms / 1000).toFixed(3);

/** One row per segment, chronological; times in seconds with 3 decimals, LF line ends. */
export function toCsv(timeline: Timeline): string {
  const rows = chronological(timeline).map(({ name, segment }) => {
    const start = toMs(segment.start);
    const end = toMs(segment.end);
    return [
      csvField(name),
      fixed3(start),
      fixed3(end),
      fixed3(end - start),
      fixed3(toMs(segment.firstSeen)),
      fixed3(toMs(segment.lastSeen)),
      fixed3(toMs(segment.bestConfidence)),
    ].join(',');
  });
  return [CSV_HEADER, ...rows].map((line) => `${line}\n`).join('');
}

/** `HH:MM:SS.mmm`, rounded once to whole milliseconds so 59.9996 s becomes 00:01:00.000. */
export function vttTimestamp(seconds: number): string {
  const totalMs = Math.max(0, toMs(seconds));
  const ms = totalMs % 1000;
  const totalSeconds = (totalMs - ms) / 1000;
  const s = totalSeconds % 60;
  const m = Math.floor(totalSeconds / 60) % 60;
  const h = Math.floor(totalSeconds / 3600);
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms, 3)}`;
}

/** Cue text is markup: &, < and > must be escaped (which also keeps "-->" out of it). */
export const vttText = (value: string): string => value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * One cue per segment, chronological. People on screen together get overlapping cues, which
 * WebVTT allows and players stack. A segment shorter than a millisecond (one sighting on the very
 * last frame) still gets a 1 ms cue, because WebVTT requires a cue to end after it starts.
 */
export function toWebVtt(timeline: Timeline): string {
  const cues = chronological(timeline).map(({ name, segment }) => {
    const startMs = toMs(segment.start);
    const endMs = Math.max(toMs(segment.end), startMs + 1);
    return `${vttTimestamp(startMs / 1000)} --> ${vttTimestamp(endMs / 1000)}\n${vttText(name)}\n`;
  });
  return ['WEBVTT\n', ...cues].join('\n');
}

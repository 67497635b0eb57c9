import type { Timeline } from '../schemas/timeline.ts';
import { chronological } from './export.ts';
import { frameAt, frameRate, timecode } from './timecode.ts';

export interface EditListOptions {
  /** The user's file name of the video: the EDL's title and each event's clip name. */
  clipName: string;
  /** The video's average frame rate (see timecode.ts for how timecodes count it). */
  fps: number;
  /** Whether the events carry the audio too (`AA/V`) or the picture only (`V`). */
  hasAudio: boolean;
}

/** CMX3600 allows a title of 70 characters. */
const TITLE_LENGTH = 70;

/**
 * A comment or title is one line of an EDL: a line break in a file name would start a line an
 * editor reads as an event, so control characters become spaces.
 */
export const edlText = (text: string): string => text.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();

/**
 * CMX3600 edit decision list of every segment, chronological (the CSV's order): each event cuts
 * the segment from the source (reel `AX`, a file, named by a `FROM CLIP NAME` comment) onto a
 * record timeline starting at 00:00:00:00, one after the other, and names the person in a
 * `COMMENT`. People on screen together each get their event, so shared moments appear once per
 * person: it is a list of selects to assemble from, not the montage. Event numbers past 999 keep
 * counting (1000, ...); strictly CMX3600 readers stop at 999.
 */
export function toEdl(timeline: Timeline, options: EditListOptions): string {
  const rate = frameRate(options.fps);
  const clip = edlText(options.clipName);
  const track = (options.hasAudio ? 'AA/V' : 'V').padEnd(5);
  const lines = [`TITLE: ${[...clip].slice(0, TITLE_LENGTH).join('')}`, 'FCM: NON-DROP FRAME', ''];
  let record = 0;
  chronological(timeline).forEach(({ name, segment }, i) => {
    const from = frameAt(segment.start, rate);
    // An event needs at least one frame, even for a single sighting on the last frame.
    const to = Math.max(from + 1, frameAt(segment.end, rate));
    const length = to - from;
    const times = [from, to, record, record + length].map((frame) => timecode(frame, rate)).join(' ');
    lines.push(`${String(i + 1).padStart(3, '0')}  ${'AX'.padEnd(8)} ${track} ${'C'.padEnd(8)} ${times}`);
    lines.push(`* FROM CLIP NAME: ${clip}`);
    lines.push(`* COMMENT: ${edlText(name)}`);
    lines.push('');
    record += length;
  });
  return lines.map((line) => `${line}\n`).join('');
}

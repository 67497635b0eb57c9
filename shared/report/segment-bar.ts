import type { ChunkRange } from '../schemas/faces.ts';
import { escapeHtml } from './escape.ts';
import { clock, percentOf } from './format.ts';

/**
 * A bar along the video: the stretches not scanned, and a button per segment. `playAttributes`
 * gives each segment's data- attributes, which decide what a click plays (the montage or the source).
 */
export function segmentBar(
  who: string,
  segments: readonly { start: number; end: number }[],
  playAttributes: (index: number) => string,
  context: { videoDuration: number; missingChunks: readonly ChunkRange[] },
): string {
  const at = (seconds: number) => percentOf(seconds, context.videoDuration);
  const gaps = context.missingChunks.map((chunk) => `<span class="gap" style="left:${at(chunk.start)};width:${at(chunk.end - chunk.start)}" title="not scanned"></span>`).join('');
  const buttons = segments
    .map((segment, i) => {
      const label = `${who} ${clock(segment.start)}–${clock(segment.end)}`;
      return `<button type="button" class="seg" ${playAttributes(i)} style="left:${at(segment.start)};width:${at(segment.end - segment.start)}" title="${escapeHtml(label)}" aria-label="play ${escapeHtml(label)}"></button>`;
    })
    .join('');
  return `<div class="bar">${gaps}${buttons}</div><div class="axis"><span>0:00.0</span><span>${clock(context.videoDuration)}</span></div>`;
}

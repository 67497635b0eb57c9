import type { NearMiss } from '../schemas/timeline.ts';
import { escapeHtml } from './escape.ts';
import { clock } from './format.ts';

/**
 * Tracks nobody was named in that came just above the threshold for someone: listed for the reader
 * to check against the video (they are not in the montage), with how far above the bar they were.
 */
export function nearMissSection(misses: readonly NearMiss[]): string {
  if (misses.length === 0) return '';
  const rows = misses.map(
    (miss) =>
      `<tr><td>${escapeHtml(miss.name)}?</td><td class="num">${clock(miss.firstSeen)}–${clock(miss.lastSeen)}</td><td class="num">${miss.distance.toFixed(2)}</td><td class="num">${(miss.distance - miss.threshold).toFixed(2)}</td></tr>`,
  );
  return `<h2>Near misses</h2>
<p class="legend">Not named: each of these faces was nearest to the person shown, but a little over the threshold its track was judged against ("over by"), or, at or under it, about as near to someone else. Check them in the video; if one is that person, add a clearer photo of them and search again.</p>
<table class="near-misses"><thead><tr><th>nearest to</th><th>seen</th><th>distance</th><th>over by</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

import type { ChunkRange } from '../schemas/faces.ts';
import type { UnknownPeople, UnknownPerson } from '../schemas/timeline.ts';
import { escapeHtml } from './escape.ts';
import { segmentBar } from './segment-bar.ts';
import { attributeTime, clock } from './format.ts';

/** What the unknown people's cards need besides the timeline's section. */
export interface UnknownContext {
  videoDuration: number;
  missingChunks: readonly ChunkRange[];
  /** Relative path of each person's k-th face, by `${id}/${k}`. */
  thumbnails: ReadonlyMap<string, string>;
}

/** A bar along the video; a click plays the segment from the source video (the montage holds only named people). */
function bar(person: UnknownPerson, context: UnknownContext): string {
  return segmentBar(person.id, person.segments, (i) => `data-key="${escapeHtml(`unknown/${person.id}/${i}`)}" data-source="${attributeTime(person.segments[i]!.start)}"`, context);
}

function card(person: UnknownPerson, context: UnknownContext): string {
  const faces = person.bestFaces
    .map((face, k) => {
      const src = context.thumbnails.get(`${person.id}/${k}`);
      return src === undefined ? '' : `<img class="ref" src="${escapeHtml(src)}" alt="face of unknown person ${person.id} at ${clock(face.time)}" loading="lazy">`;
    })
    .join('');
  const count = person.segments.length;
  return `<section class="person unknown" data-unknown="${person.id}">
<div class="who">${faces || `<span class="ref" aria-hidden="true">?</span>`}<div><h3>${person.id}</h3><p>${person.totalSeconds.toFixed(1)} s on screen · ${count} segment${count === 1 ? '' : 's'} · first ${clock(person.firstSeen)}, last ${clock(person.lastSeen)} · ${person.tracks.length} track${person.tracks.length === 1 ? '' : 's'}</p></div></div>
${bar(person, context)}
</section>`;
}

/**
 * The people nobody enrolled, grouped across the video: a card each with their clearest faces,
 * time on screen, first and last sighting and a bar of their segments, and how to name one.
 */
export function unknownPeopleSection(section: UnknownPeople | undefined, context: UnknownContext): string {
  if (section === undefined) return '';
  if (section.people.length === 0)
    return `<h2>Unknown people</h2>\n<p>Nobody else was seen often enough to be grouped${section.ignoredTracks > 0 ? ` (${section.ignoredTracks} brief face track(s) left out)` : ''}.</p>`;
  const legend = `<p class="legend">People nobody enrolled, each a group of face tracks from anywhere in the video that are alike (the fused distance of their faces, averaged over the groups' tracks, within ${section.threshold.toFixed(3)}: a rate of 1 in 1,000 for two strangers' faces, measured on photos; README, Unknown people). ${section.ignoredTracks} face track(s) seen once and like nobody else are left out. To name one, search again with <code>--face &lt;name&gt;=cluster:&lt;id&gt; --reuse-scan &lt;this search's folder&gt;</code>: no frame is decoded. Their segments play from the source video (they are not in the montage).</p>`;
  return `<h2>Unknown people</h2>\n${legend}\n${section.people.map((person) => card(person, context)).join('\n')}`;
}

import type { ChunkRange } from '../schemas/faces.ts';
import type { Segment } from '../schemas/timeline.ts';
import { montageTime } from '../timeline/montage-plan.ts';
import { escapeHtml } from './escape.ts';
import { attributeTime, clock, matchFigures } from './format.ts';
import type { MontagePlayer } from './player.ts';
import { segmentBar } from './segment-bar.ts';

/** What a person's card shows: today an enrolled person; the same card fits a group of unnamed faces. */
export interface PersonCard {
  /** Shown as is (escaped) and used to key the segments' elements. */
  name: string;
  segments: readonly Segment[];
  totalSeconds: number;
  /** A data: URI or relative path of the person's reference face; their initial without one. */
  photo: string | undefined;
  /** Relative path of each segment's thumbnail, by segment index. */
  thumbnails: ReadonlyMap<number, string>;
}

export interface CardContext {
  videoDuration: number;
  missingChunks: readonly ChunkRange[];
  montage: MontagePlayer | null;
}

/** data- attributes that let a click play the segment: source time, montage time, and a shared key. */
function playable(card: PersonCard, index: number, segment: Segment, context: CardContext): string {
  const inMontage = context.montage === null ? null : montageTime(context.montage.placed, segment.start);
  const montage = inMontage === null ? '' : ` data-montage="${attributeTime(inMontage)}"`;
  return `data-key="${escapeHtml(`${card.name}/${index}`)}" data-source="${attributeTime(segment.start)}"${montage}`;
}

function bar(card: PersonCard, context: CardContext): string {
  return segmentBar(card.name, card.segments, (i) => playable(card, i, card.segments[i]!, context), context);
}

function segmentRows(card: PersonCard, context: CardContext): string {
  return card.segments
    .map((segment, i) => {
      const thumb = card.thumbnails.get(i);
      const figures = matchFigures(segment.bestFace);
      return `<tr><td><button type="button" class="play" ${playable(card, i, segment, context)}>▶ ${clock(segment.start)}</button></td><td class="num hide-narrow">${clock(segment.end)}</td><td class="num">${(segment.end - segment.start).toFixed(1)} s</td><td class="num">${figures?.distance ?? '–'}</td><td class="num">${figures?.margin ?? '–'}</td><td class="num hide-narrow">${segment.faces}</td><td>${thumb ? `<img src="${escapeHtml(thumb)}" alt="best face of ${escapeHtml(card.name)} at ${clock(segment.bestFace.time)}" loading="lazy">` : ''}</td></tr>`;
    })
    .join('\n');
}

/** A person: their reference face and name, a bar along the video where each segment plays on click, and the segments' figures. */
export function personCard(card: PersonCard, context: CardContext): string {
  const photo = card.photo
    ? `<img class="ref" src="${escapeHtml(card.photo)}" alt="reference photo of ${escapeHtml(card.name)}">`
    : `<span class="ref" aria-hidden="true">${escapeHtml([...card.name][0]?.toUpperCase() ?? '?')}</span>`;
  const count = card.segments.length;
  return `<section class="person" data-person="${escapeHtml(card.name)}">
<div class="who">${photo}<div><h3>${escapeHtml(card.name)}</h3><p>${card.totalSeconds.toFixed(1)} s on screen · ${count} segment${count === 1 ? '' : 's'}</p></div></div>
${bar(card, context)}
<div class="segments"><table><thead><tr><th>From</th><th class="hide-narrow">To</th><th>Length</th><th>Distance</th><th>Margin</th><th class="hide-narrow">Faces</th><th>Face</th></tr></thead><tbody>
${segmentRows(card, context)}
</tbody></table></div>
</section>`;
}

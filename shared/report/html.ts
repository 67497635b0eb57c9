import type { EnrolmentNotes, Timeline } from '../schemas/timeline.ts';
import { escapeHtml } from './escape.ts';
import { clock } from './format.ts';
import { nearMissSection } from './near-misses.ts';
import { personCard, type CardContext } from './people.ts';
import { PLAYER_SCRIPT, playerSection, type MontagePlayer } from './player.ts';
import { REPORT_CSS } from './style.ts';
import { unknownPeopleSection } from './unknown-people.ts';

export type { MontagePlayer } from './player.ts';

export interface ReportInput {
  /** The page's title and heading: the user's own file name of the video. */
  title: string;
  timeline: Timeline;
  /** Relative path of each segment's thumbnail, by `${name}/${segmentIndex}`. */
  thumbnails: Map<string, string>;
  /** Relative path of each unknown person's k-th face, by `${id}/${k}`. */
  unknownThumbnails?: ReadonlyMap<string, string>;
  /** The montage beside the report and its cuts' places, or null (not made, or not yet). */
  montage: MontagePlayer | null;
  /** The video's file name, as the reader knows it. */
  video: string;
  elapsedSeconds?: number;
  /** Per person, what enrolment said about the reference photos (sources as the reader knows them). */
  photos?: EnrolmentNotes[];
  /** Per person, a small picture of the face enrolled from their reference photos (data: URI). */
  referenceFaces?: ReadonlyMap<string, string>;
  /** Things the reader must know to trust the page, e.g. a video too short to name anyone. */
  warnings?: string[];
}

/** A short list of the people whose reference photos need a word: several faces, or skipped. */
function referencePhotoNotes(photos: readonly EnrolmentNotes[]): string {
  const people = photos.filter((person) => person.notes.length > 0 || person.skipped.length > 0);
  if (people.length === 0) return '';
  const items = people.map((person) => {
    const lines = [
      ...person.notes.map((note) => `<li>${escapeHtml(note)}</li>`),
      ...person.skipped.map((photo) => `<li>skipped ${escapeHtml(photo.source)}: ${escapeHtml(photo.reason)}</li>`),
    ];
    return `<li>${escapeHtml(person.name)}<ul>${lines.join('')}</ul></li>`;
  });
  return `<h2>Reference photos</h2>\n<ul class="photos">${items.join('\n')}</ul>`;
}

function missingChunksWarning(timeline: Timeline): string {
  if (timeline.missingChunks.length === 0) return '';
  const ranges = timeline.missingChunks.map((c) => `${clock(c.start)}–${clock(c.end)}`).join(', ');
  return `<p class="warn">${timeline.missingChunks.length} chunk(s) failed and were not scanned: ${ranges}. Nobody was looked for there (striped on the bars).</p>`;
}

function people(input: ReportInput): string {
  const { timeline } = input;
  if (timeline.identities.length === 0)
    return (input.photos ?? []).length === 0 ? '<p>Nobody was enrolled: the people found are listed below, under Unknown people.</p>' : '<p>No enrolled person was found.</p>';
  const context: CardContext = { videoDuration: timeline.videoDuration, missingChunks: timeline.missingChunks, montage: input.montage };
  const cards = timeline.identities.map((identity) => {
    const thumbnails = new Map<number, string>();
    identity.segments.forEach((_, i) => {
      const thumb = input.thumbnails.get(`${identity.name}/${i}`);
      if (thumb !== undefined) thumbnails.set(i, thumb);
    });
    return personCard(
      { name: identity.name, segments: identity.segments, totalSeconds: identity.totalSeconds, photo: input.referenceFaces?.get(identity.name), thumbnails },
      context,
    );
  });
  const legend = `<p class="legend">Distance: how far the segment's best face is from the person's nearest reference photo (face descriptors, 0 = the same picture); a face is named when its track is within a threshold calibrated on photos, a little larger for small faces and smaller for a face seen once (README, Calibration). Margin: how far under that threshold the track was; the larger, the surer.</p>`;
  return `${cards.join('\n')}\n${legend}`;
}

/**
 * A self-contained page (inline style and script, no network): the video's own name, a player
 * (the montage, or the source opened from disk), a card per person with their reference face,
 * a bar along the video whose segments play on click, and each segment's distance and margin.
 * Missing chunks and warnings are stated, not hidden.
 */
export function renderReport(input: ReportInput): string {
  const { timeline } = input;
  const warnings = (input.warnings ?? []).map((warning) => `<p class="warn">${escapeHtml(warning)}</p>`).join('\n');
  const took = input.elapsedSeconds === undefined ? '' : ` · searched in ${input.elapsedSeconds.toFixed(1)} s`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${REPORT_CSS}</style></head><body><main>
<p class="eyebrow">lambdaface report</p>
<h1>${escapeHtml(input.title)}</h1>
<p class="meta">Video: ${escapeHtml(input.video)} · ${clock(timeline.videoDuration)} · scanned at ${timeline.sampleFps} frames/s${took}</p>
${warnings}
${missingChunksWarning(timeline)}
${playerSection(input.montage, input.video)}
<h2>Who appears when</h2>
${people(input)}
${nearMissSection(timeline.nearMisses ?? [])}
${unknownPeopleSection(timeline.unknown, { videoDuration: timeline.videoDuration, missingChunks: timeline.missingChunks, thumbnails: input.unknownThumbnails ?? new Map() })}
${referencePhotoNotes(input.photos ?? [])}
</main>
<script>${PLAYER_SCRIPT}</script>
</body></html>
`;
}

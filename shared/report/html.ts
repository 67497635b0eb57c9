import type { EnrolmentNotes, Timeline } from '../schemas/timeline.ts';

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const clock = (seconds: number): string => {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
};

export interface ReportInput {
  title: string;
  timeline: Timeline;
  /** Relative path of each segment's thumbnail, by `${name}/${segmentIndex}`. */
  thumbnails: Map<string, string>;
  montage: string | null;
  video: string;
  elapsedSeconds?: number;
  /** Per person, what enrolment said about the reference photos (sources as the reader knows them). */
  photos?: EnrolmentNotes[];
  /** Things the reader must know to trust the page, e.g. a video too short to name anyone. */
  warnings?: string[];
}

/** A short list of the people whose reference photos need a word: several faces, or skipped. */
function referencePhotos(photos: readonly EnrolmentNotes[]): string {
  const people = photos.filter((person) => person.notes.length > 0 || person.skipped.length > 0);
  if (people.length === 0) return '';
  const items = people.map((person) => {
    const lines = [
      ...person.notes.map((note) => `<li>${escape(note)}</li>`),
      ...person.skipped.map((photo) => `<li>skipped ${escape(photo.source)}: ${escape(photo.reason)}</li>`),
    ];
    return `<li>${escape(person.name)}<ul>${lines.join('')}</ul></li>`;
  });
  return `<h2>Reference photos</h2>\n<ul class="photos">${items.join('\n')}</ul>`;
}

/**
 * A self-contained page (no scripts from elsewhere): the montage, a bar per person along the
 * video's length, and a table of segments with thumbnails. Missing chunks are stated, not hidden.
 */
export function renderReport(input: ReportInput): string {
  const { timeline } = input;
  const width = (seconds: number): string => `${((seconds / timeline.videoDuration) * 100).toFixed(3)}%`;
  const bars = timeline.identities
    .map((identity) => {
      const spans = identity.segments
        .map((s) => `<span class="seg" style="left:${width(s.start)};width:${width(s.end - s.start)}" title="${clock(s.start)}–${clock(s.end)}"></span>`)
        .join('');
      const gaps = timeline.missingChunks
        .map((c) => `<span class="gap" style="left:${width(c.start)};width:${width(c.end - c.start)}" title="not scanned"></span>`)
        .join('');
      return `<div class="row"><div class="name">${escape(identity.name)}</div><div class="bar">${gaps}${spans}</div><div>${identity.totalSeconds.toFixed(1)} s</div></div>`;
    })
    .join('\n');
  const rows = timeline.identities
    .flatMap((identity) =>
      identity.segments.map((s, i) => {
        const thumb = input.thumbnails.get(`${identity.name}/${i}`);
        return `<tr><td>${thumb ? `<img src="${escape(thumb)}" alt="">` : ''}</td><td>${escape(identity.name)}</td><td>${clock(s.start)}</td><td>${clock(s.end)}</td><td>${(s.end - s.start).toFixed(1)} s</td><td>${s.bestConfidence.toFixed(2)}</td><td>${s.faces}</td></tr>`;
      }),
    )
    .join('\n');
  const warnings = (input.warnings ?? []).map((warning) => `<p class="warn">${escape(warning)}</p>`).join('\n');
  const missing =
    timeline.missingChunks.length === 0
      ? ''
      : `<p class="warn">${timeline.missingChunks.length} chunk(s) failed and were not scanned: ${timeline.missingChunks.map((c) => `${clock(c.start)}–${clock(c.end)}`).join(', ')}. Nobody was looked for there.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(input.title)}</title>
<style>
body{font:15px system-ui,sans-serif;margin:2rem;color:#222}
.row{display:flex;align-items:center;gap:1rem;margin:.3rem 0}.name{width:12rem}
.bar{position:relative;flex:1;height:1.2rem;background:#eee;border-radius:3px}
.seg{position:absolute;top:0;bottom:0;background:#2a7ae2}.gap{position:absolute;top:0;bottom:0;background:repeating-linear-gradient(45deg,#f99,#f99 4px,#fff 4px,#fff 8px)}
table{border-collapse:collapse;margin-top:1rem}td,th{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left}
img{height:64px}.warn{color:#a00;font-weight:600}video{max-width:100%}
</style></head><body>
<h1>${escape(input.title)}</h1>
<p>Video: ${escape(input.video)} · ${clock(timeline.videoDuration)} · scanned at ${timeline.sampleFps} frames/s${input.elapsedSeconds === undefined ? '' : ` · took ${input.elapsedSeconds.toFixed(1)} s`}</p>
${warnings}
${missing}
${input.montage ? `<video controls src="${escape(input.montage)}"></video>` : '<p>No montage.</p>'}
<h2>Who appears when</h2>
${timeline.identities.length === 0 ? '<p>No enrolled person was found.</p>' : bars}
<h2>Segments</h2>
<table><tr><th></th><th>Person</th><th>From</th><th>To</th><th>Length</th><th>Best confidence</th><th>Faces</th></tr>
${rows}
</table>
${referencePhotos(input.photos ?? [])}
</body></html>
`;
}

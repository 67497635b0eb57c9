import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../shared/report/escape.ts';
import { matchFigures } from '../../../shared/report/format.ts';
import { renderReport, type ReportInput } from '../../../shared/report/html.ts';
import { nearMissSection } from '../../../shared/report/near-misses.ts';
import type { Segment, Timeline } from '../../../shared/schemas/timeline.ts';

function segment(start: number, end: number, distance: number | null = 0.41, threshold: number | null = 0.58): Segment {
  return {
    start,
    end,
    firstSeen: start,
    lastSeen: Math.max(start, end - 0.25),
    // What the matcher stores today: a steep logistic that reads 1.00 for nearly every face.
    bestConfidence: 0.998,
    bestFace: { time: start, box: { x: 1, y: 2, width: 30, height: 30 }, confidence: 0.998, distance, ...(threshold === null ? {} : { threshold }) },
    faces: 4,
  };
}

const timeline: Timeline = {
  identities: [
    { name: "o'neil", segments: [segment(1, 2), segment(10, 12, 0.5, 0.6)], totalSeconds: 3 },
    { name: 'ada', segments: [segment(1.5, 3, null)], totalSeconds: 1.5 },
  ],
  videoDuration: 20,
  sampleFps: 4,
  missingChunks: [{ index: 3, start: 15, end: 20 }],
};

const base: ReportInput = { title: 'talk.mp4', timeline, thumbnails: new Map(), montage: null, video: 'talk.mp4' };

/** Every value of the attribute `name` in the page, in document order. */
const attributes = (html: string, name: string): string[] => [...html.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1]!);

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
    expect(escapeHtml('plain name 1.mp4')).toBe('plain name 1.mp4');
  });
});

describe('renderReport', () => {
  it('escapes the file name, names and photo paths wherever they appear', () => {
    const hostile = `<script>alert("x")</script> & 'q'.mp4`;
    const html = renderReport({
      ...base,
      title: hostile,
      video: hostile,
      thumbnails: new Map([[`o'neil/0`, 'thumbnails/o"neil<1>.jpg']]),
      photos: [{ name: "o'neil", notes: [], skipped: [{ source: 'dir/<b>&"x".jpg', reason: 'no face <found>' }] }],
      warnings: ['a <warning> & "quote"'],
    });
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;.mp4</title>');
    expect(html).toContain('<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;.mp4</h1>');
    expect(html).toContain('src="thumbnails/o&quot;neil&lt;1&gt;.jpg"');
    expect(html).toContain('skipped dir/&lt;b&gt;&amp;&quot;x&quot;.jpg: no face &lt;found&gt;');
    expect(html).toContain('<h3>o&#39;neil</h3>');
    expect(html).toContain('<p class="warn">a &lt;warning&gt; &amp; &quot;quote&quot;</p>');
    // The only <script> is the page's own player script.
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('shows distance and the margin under the threshold its track was named at, never the saturated confidence', () => {
    const html = renderReport(base);
    expect(html).toContain('<td class="num">0.41</td><td class="num">0.17</td>');
    // A small face's track was named under a larger threshold, and its margin is measured from it.
    expect(html).toContain('<td class="num">0.50</td><td class="num">0.10</td>');
    // A timeline written before thresholds were stored gives the distance and no margin.
    const older = renderReport({ ...base, timeline: { ...timeline, identities: [{ name: 'ada', segments: [segment(1, 2, 0.45, null)], totalSeconds: 1 }] } });
    expect(older).toContain('<td class="num">0.45</td><td class="num">–</td>');
    // A timeline written before distances were stored says so instead of inventing a figure.
    expect(html).toContain('<td class="num">–</td><td class="num">–</td>');
    expect(html).not.toContain('0.998');
    expect(html).not.toContain('>1.00<');
  });

  it('keys every segment to its source time, and to its montage time when there is a montage', () => {
    const placed = [
      { start: 1, end: 3, at: 0 },
      { start: 10, end: 12, at: 2.033 },
    ];
    const html = renderReport({ ...base, montage: { src: 'montage.mp4', placed } });
    expect(html).toContain('<video id="player" data-mode="montage"');
    expect(html).toContain('src="montage.mp4"');
    // Bar and table row for each of the three segments.
    expect(attributes(html, 'data-source')).toEqual(['1.000', '10.000', '1.000', '10.000', '1.500', '1.500']);
    expect(attributes(html, 'data-montage')).toEqual(['0.000', '2.033', '0.000', '2.033', '0.500', '0.500']);
  });

  it("says what the montage's cap shortened or left out, with times and people", () => {
    const plan = {
      onScreenSeconds: 900,
      shownSeconds: 600,
      capSeconds: 600,
      omitted: [
        { start: 60, end: 400, names: ['ada', 'grace'], shown: 250.5 },
        { start: 700, end: 701.5, names: ['<b>x</b>'], shown: 0 },
      ],
    };
    const html = renderReport({ ...base, montage: { src: 'montage.mp4', placed: [{ start: 60, end: 310.5, at: 0 }], plan } });
    expect(html).toContain('capped at 10:00.0: it shows 10:00.0 of the 15:00.0 with someone on screen. 2 stretch(es) shortened or left out');
    expect(html).toContain('<li>1:00.0–6:40.0 ada, grace: first 250.5 s shown</li>');
    expect(html).toContain('<li>11:40.0–11:41.5 &lt;b&gt;x&lt;/b&gt;: left out</li>');
    expect(renderReport({ ...base, montage: { src: 'montage.mp4', placed: [], plan: { ...plan, omitted: [] } } })).not.toContain('capped at');
  });

  it('without a montage, offers to open the source video from disk and keys segments to source times only', () => {
    const html = renderReport(base);
    expect(html).toContain('data-mode="source"');
    expect(html).toContain('<input id="source-file" type="file" accept="video/*">');
    expect(attributes(html, 'data-montage')).toEqual([]);
    expect(attributes(html, 'data-source')).toHaveLength(6);
  });

  it("puts each person's reference face beside their name, or their initial when there is none", () => {
    const html = renderReport({ ...base, referenceFaces: new Map([["o'neil", 'data:image/jpeg;base64,AAAA']]) });
    expect(html).toContain('<img class="ref" src="data:image/jpeg;base64,AAAA" alt="reference photo of o&#39;neil">');
    expect(html).toContain('<span class="ref" aria-hidden="true">A</span>');
  });

  it('places segments and not-scanned stretches along the bar by their share of the video', () => {
    const html = renderReport(base);
    expect(html).toContain('style="left:50.000%;width:10.000%"');
    expect(html).toContain('<span class="gap" style="left:75.000%;width:25.000%" title="not scanned"></span>');
    expect(html).toContain('1 chunk(s) failed and were not scanned: 0:15.0–0:20.0');
  });

  it('says so when nobody was found', () => {
    const html = renderReport({ ...base, timeline: { ...timeline, identities: [], missingChunks: [] }, photos: [{ name: 'ada', notes: [], skipped: [] }] });
    expect(html).toContain('<p>No enrolled person was found.</p>');
  });

  it('lists the unknown people with their faces and bars, and says how to name one', () => {
    const unknown = {
      people: [
        {
          id: 'u1',
          tracks: ['0-1', '1-0'],
          firstSeen: 1,
          lastSeen: 8,
          totalSeconds: 3.5,
          segments: [
            { start: 1, end: 2.5, firstSeen: 1, lastSeen: 2.25, faces: 6 },
            { start: 6, end: 8.25, firstSeen: 6, lastSeen: 8, faces: 9 },
          ],
          bestFaces: [{ time: 6.5, box: { x: 1, y: 2, width: 40, height: 40 }, quality: 0.9, track: '1-0' }],
        },
      ],
      ignoredTracks: 2,
      threshold: 0.593,
    };
    const html = renderReport({ ...base, timeline: { ...timeline, identities: [], unknown }, unknownThumbnails: new Map([['u1/0', 'thumbnails/unknown-u1-0.jpg']]) });
    expect(html).toContain('Nobody was enrolled: the people found are listed below, under Unknown people.');
    expect(html).toContain('<h2>Unknown people</h2>');
    expect(html).toContain('src="thumbnails/unknown-u1-0.jpg"');
    expect(html).toContain('3.5 s on screen · 2 segments · first 0:01.0, last 0:08.0 · 2 tracks');
    expect(html).toMatch(/<button type="button" class="seg" data-key="unknown\/u1\/1" data-source="6\.000"/);
    expect(html).toContain('--face &lt;name&gt;=cluster:&lt;id&gt;');
  });
});

describe('matchFigures', () => {
  it('gives distance and margin to two decimals, and nothing without a distance', () => {
    expect(matchFigures({ distance: 0.4051, threshold: 0.58 })).toEqual({ distance: '0.41', margin: '0.17' });
    expect(matchFigures({ distance: 0.6, threshold: 0.58 })).toEqual({ distance: '0.60', margin: '-0.02' });
    expect(matchFigures({ distance: 0.6 })).toEqual({ distance: '0.60', margin: '–' });
    expect(matchFigures({ distance: null, threshold: 0.58 })).toBeNull();
  });
});

describe('nearMissSection', () => {
  it('lists each near miss with its time, distance and how far over the bar, escaped', () => {
    const html = nearMissSection([
      { name: "o'neil", track: '0-1', firstSeen: 61, lastSeen: 62.5, distance: 0.552, threshold: 0.53, bestFace: { time: 61, box: { x: 0, y: 0, width: 40, height: 40 } } },
    ]);
    expect(html).toContain('<h2>Near misses</h2>');
    expect(html).toContain('<td>o&#39;neil?</td><td class="num">1:01.0–1:02.5</td><td class="num">0.55</td><td class="num">0.02</td>');
    expect(nearMissSection([])).toBe('');
  });

  it('is in the page when the timeline has near misses', () => {
    const nearMisses = [
      { name: 'ada', track: '0-9', firstSeen: 5, lastSeen: 6, distance: 0.55, threshold: 0.53, bestFace: { time: 5, box: { x: 0, y: 0, width: 40, height: 40 } } },
    ];
    expect(renderReport({ ...base, timeline: { ...timeline, nearMisses } })).toContain('<td>ada?</td>');
    expect(renderReport(base)).not.toContain('Near misses');
  });
});

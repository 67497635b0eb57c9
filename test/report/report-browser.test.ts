import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z, type ZodType } from 'zod';
import { renderReport } from '../../shared/report/html.ts';
import { Timeline } from '../../shared/schemas/timeline.ts';

/**
 * The report as a reader meets it: a real search by the CLI on the bundled sample (montage on),
 * then report.html opened over file:// in Debian's chromium, driven by playwright-core (no
 * browser download). Screenshots go to test-results/ (gitignored) for a person to look at.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/lambdaface.js');
const VIDEO = join(ROOT, 'fixtures/videos/hamilton_short.mp4');
const PEOPLE = ['lin_manuel_miranda', 'alex_lacamoire', 'barack_obama'];
const SCREENSHOTS = join(ROOT, 'test-results');

/** Debian's chromium as .ci/run installs it: LAMBDAFACE_CHROMIUM, else `chromium` on the PATH. */
function findChromium(): string | undefined {
  if (process.env.LAMBDAFACE_CHROMIUM) return existsSync(process.env.LAMBDAFACE_CHROMIUM) ? process.env.LAMBDAFACE_CHROMIUM : undefined;
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'chromium'))
    .find((path) => existsSync(path));
}
const CHROMIUM = findChromium();
const haveChromium = CHROMIUM !== undefined;
const skipReason = `skipped: no chromium (${process.env.LAMBDAFACE_CHROMIUM ?? 'on the PATH'}); apt-get install chromium, or set LAMBDAFACE_CHROMIUM; .ci/run installs it`;
if (!haveChromium) console.warn(`report-browser.test.ts ${skipReason}`);

/**
 * A page exposes `seeks` once watched: the player's currentTime at each 'seeking' event, which is
 * the position sought (at 'seeked' a playing video may already have moved on a few milliseconds).
 */
const WATCH_SEEKS = `(() => {
  window.seeks = [];
  const player = document.getElementById('player');
  player.addEventListener('seeking', () => window.seeks.push(player.currentTime));
})()`;

/** Runs `expression` in the page and checks what comes back (the test compiles without DOM types). */
const inPage = async <T>(page: Page, schema: ZodType<T>, expression: string): Promise<T> => schema.parse(await page.evaluate(expression));

let work: string;
let out: string;
let timeline: Timeline;
let browser: Browser;

function searchWithCli(): Promise<void> {
  const faces = PEOPLE.flatMap((name) => ['--face', `${name}=${join(ROOT, 'fixtures/faces', name)}`]);
  const args = [BIN, 'search', '--video', VIDEO, ...faces, '--out', out, '--data-dir', join(work, 's3'), '--concurrency', '2'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout: 300_000 }, (error, _stdout, stderr) => (error ? reject(new Error(`lambdaface search failed: ${stderr}`)) : resolve()));
  });
}

async function openReport(width: number, height: number, file = 'report.html'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  await page.goto(pathToFileURL(join(out, file)).href);
  return page;
}

/**
 * Where a source time plays in the montage, worked out here from the timeline alone: the montage
 * is every segment, overlapping and touching ones joined, one after the other.
 */
function plannedMontageTime(time: number): number {
  const spans = timeline.identities.flatMap((identity) => identity.segments).sort((p, q) => p.start - q.start);
  const cuts: { start: number; end: number; at: number }[] = [];
  for (const span of spans) {
    const last = cuts.at(-1);
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else cuts.push({ start: span.start, end: span.end, at: last ? last.at + (last.end - last.start) : 0 });
  }
  const cut = cuts.find((candidate) => time >= candidate.start && time <= candidate.end);
  if (cut === undefined) throw new Error(`no cut of the montage holds ${time} s`);
  return cut.at + (time - cut.start);
}

describe.skipIf(!haveChromium)(`report.html in chromium${haveChromium ? '' : ` (${skipReason})`}`, () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lambdaface-report-browser-'));
    out = join(work, 'out');
    await searchWithCli();
    timeline = Timeline.parse(JSON.parse(await readFile(join(out, 'timeline.json'), 'utf-8')));
    // Chromium's sandbox cannot start as root (CI's containers); elsewhere it stays on.
    browser = await chromium.launch({ ...(CHROMIUM ? { executablePath: CHROMIUM } : {}), args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("is titled with the video's own file name, which fits the page", async () => {
    const page = await openReport(1280, 900);
    expect(await page.title()).toBe('hamilton_short.mp4');
    expect(await page.locator('h1').textContent()).toBe('hamilton_short.mp4');
    expect(await inPage(page, z.boolean(), `(() => { const h = document.querySelector('h1'); return h.scrollWidth <= h.clientWidth; })()`)).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'report.png'), fullPage: true });
  });

  it('shows every person found with their reference photo and a bar of their segments', async () => {
    const page = await openReport(1280, 900);
    expect(timeline.identities.map((identity) => identity.name).sort()).toEqual([...PEOPLE].sort());
    for (const identity of timeline.identities) {
      const card = page.locator(`section.person[data-person="${identity.name}"]`);
      expect(await card.locator('img.ref').getAttribute('src')).toMatch(/^data:image\/jpeg;base64,/);
      expect(await card.locator('.bar .seg').count()).toBe(identity.segments.length);
      expect(await card.locator('tbody tr').count()).toBe(identity.segments.length);
    }
    // Every picture (reference faces, segment thumbnails and the faces of unknown people) decoded, none broken.
    const pictures = await inPage(page, z.array(z.number()), `[...document.images].map((image) => image.complete ? image.naturalWidth : 0)`);
    const unknownFaces = (timeline.unknown?.people ?? []).reduce((sum, person) => sum + person.bestFaces.length, 0);
    expect(pictures.length).toBe(timeline.identities.length * 2 + 1 + unknownFaces);
    expect(pictures.every((width) => width > 0)).toBe(true);
  });

  it('plays a clicked segment: the montage seeks to where that moment is in it', async () => {
    const page = await openReport(1280, 900);
    await page.evaluate(WATCH_SEEKS);
    // The latest segment: its place in the montage depends on every cut before it.
    const last = timeline.identities
      .flatMap((identity) => identity.segments.map((segment, index) => ({ name: identity.name, index, segment })))
      .sort((p, q) => q.segment.start - p.segment.start)[0]!;
    const target = page.locator(`section.person[data-person="${last.name}"] .bar .seg`).nth(last.index);
    await target.click();
    await page.waitForFunction('window.seeks.length > 0');
    const [seekedTo] = await inPage(page, z.array(z.number()), 'window.seeks');
    // The report places cuts by the pieces' measured lengths, the plan by the segments' lengths:
    // they differ by about a frame or an audio packet per earlier cut.
    expect(Math.abs(seekedTo! - plannedMontageTime(last.segment.start))).toBeLessThan(0.15);
    expect(Number(await target.getAttribute('data-montage'))).toBeCloseTo(seekedTo!, 2);
    expect(await target.getAttribute('class')).toContain('active');
  });

  it('without a montage, plays a clicked segment at its source time in the video the reader opens', async () => {
    // The same search's timeline as a search with --no-montage reports it.
    await writeFile(
      join(out, 'report-no-montage.html'),
      renderReport({ title: 'hamilton_short.mp4', timeline, thumbnails: new Map(), montage: null, video: 'hamilton_short.mp4' }),
    );
    const page = await openReport(1280, 900, 'report-no-montage.html');
    const obama = timeline.identities.find((identity) => identity.name === 'barack_obama')!.segments[0]!;
    const target = page.locator('section.person[data-person="barack_obama"] .bar .seg').first();
    // Before a video is opened, a click asks for it instead of failing silently.
    await target.click();
    expect(await page.locator('#player-status').textContent()).toMatch(/^Open the video first/);
    await page.locator('#source-file').setInputFiles(VIDEO);
    await page.evaluate(WATCH_SEEKS);
    await target.click();
    await page.waitForFunction('window.seeks.length > 0');
    const [seekedTo] = await inPage(page, z.array(z.number()), 'window.seeks');
    expect(seekedTo).toBeCloseTo(obama.start, 2);
  });

  it('fits a phone: nothing wider than a 390 px screen, not even a segment table', async () => {
    const page = await openReport(390, 844);
    const widths = await inPage(
      page,
      z.object({ scroll: z.number(), client: z.number() }),
      `({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })`,
    );
    expect(widths.client).toBe(390);
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    // The tables may scroll inside their box on a narrower screen; at 390 px they need not.
    const tables = await inPage(page, z.array(z.boolean()), `[...document.querySelectorAll('.segments')].map((box) => box.scrollWidth <= box.clientWidth)`);
    expect(tables).toEqual(timeline.identities.map(() => true));
    await page.screenshot({ path: join(SCREENSHOTS, 'report-phone.png'), fullPage: true });
  });

  it('writes the editor exports beside the timeline: one EDL event per segment, chapters', async () => {
    const edl = await readFile(join(out, 'timeline.edl'), 'utf-8');
    const segments = timeline.identities.reduce((sum, identity) => sum + identity.segments.length, 0);
    expect(edl.split('\n').filter((line) => /^\d{3}  AX /.test(line))).toHaveLength(segments);
    expect(await readFile(join(out, 'chapters.vtt'), 'utf-8')).toMatch(/^WEBVTT\n\n1\n00:00:00\.000 --> /);
    expect(await readFile(join(out, 'chapters.ffmetadata'), 'utf-8')).toMatch(/^;FFMETADATA1\n/);
  });
});

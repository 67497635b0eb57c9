import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkResult } from '../../shared/schemas/faces.ts';
import { Timeline, type UnknownPerson } from '../../shared/schemas/timeline.ts';
import { ROOT, runCli, type CliRun } from '../cli-run.ts';

/**
 * "Who is in this video": real searches of the fixtures with nobody enrolled group the faces into
 * unknown people; on the sample, Lin-Manuel Miranda (two shots, two chunks) and Barack Obama each
 * come out as one. Who is who is told by a search that names them from the fixture photos, reusing
 * the first scan (so the tracks are the same). Then one of them is enrolled from the video's own
 * faces and named without decoding.
 */
const HAMILTON = join(ROOT, 'fixtures/videos/hamilton_short.mp4');
const CROWD = join(ROOT, 'fixtures/videos/crowd_walking.mp4');
const face = (name: string): string[] => ['--face', `${name}=${join(ROOT, 'fixtures/faces', name)}`];

let work: string;
let dataDir: string;
let nobody: CliRun;
let named: CliRun;

const search = (video: string, out: string, ...args: string[]): Promise<CliRun> =>
  runCli(['search', '--video', video, '--out', join(work, out), '--data-dir', dataDir, '--no-montage', '--concurrency', '2', ...args]);
const timelineOf = async (out: string): Promise<Timeline> => Timeline.parse(JSON.parse(await readFile(join(work, out, 'timeline.json'), 'utf-8')));

/** The identity each named track of a job was given, from its stored chunk results. */
async function namedTracks(jobId: string): Promise<Map<string, string>> {
  const dir = join(dataDir, 'lambdaface', 'intermediate', jobId, 'chunks');
  const tracks = new Map<string, string>();
  // `<index>.json`: the results, not the summaries beside them (`<index>.summary.json`).
  for (const file of (await readdir(dir)).filter((name) => /^\d+\.json\._S3rver_object$/.test(name))) {
    const chunk = ChunkResult.parse(JSON.parse(await readFile(join(dir, file), 'utf-8')));
    for (const found of chunk.faces) if (found.identity !== null) tracks.set(found.track, found.identity);
  }
  return tracks;
}

/** The unknown people holding the tracks named `identity`: one when that person was not split. */
const holding = (people: readonly UnknownPerson[], tracks: Map<string, string>, identity: string): string[] =>
  people.filter((person) => person.tracks.some((track) => tracks.get(track) === identity)).map((person) => person.id);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-unknown-'));
  dataDir = join(work, 's3');
  nobody = await search(HAMILTON, 'nobody', '--chunk-seconds', '5');
  expect(nobody.code, nobody.stderr).toBe(0);
  named = await search(HAMILTON, 'named', ...face('lin_manuel_miranda'), ...face('barack_obama'), '--reuse-scan', join(work, 'nobody'));
  expect(named.code, named.stderr).toBe(0);
}, 600_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('who is in this video', () => {
  it('searches with nobody enrolled and lists the unknown people with their times, in the summary and timeline.json', async () => {
    const timeline = await timelineOf('nobody');
    expect(timeline.identities).toEqual([]);
    const people = timeline.unknown!.people;
    expect(people.length).toBeGreaterThanOrEqual(3);
    expect(people.map((person) => person.id)).toEqual(people.map((_, i) => `u${i + 1}`));
    for (const person of people) {
      expect(nobody.stdout).toContain(`    ${person.id}: ${person.segments.length} segment(s), ${person.totalSeconds.toFixed(1)} s on screen`);
      expect(person.firstSeen).toBeLessThanOrEqual(person.lastSeen);
      expect(person.bestFaces.length).toBeGreaterThan(0);
    }
    const files = await readdir(join(work, 'nobody', 'thumbnails'));
    expect(files).toContain('unknown-u1-0.jpg');
    const report = await readFile(join(work, 'nobody', 'report.html'), 'utf-8');
    expect(report).toContain('<h2>Unknown people</h2>');
    expect(report).toContain('src="thumbnails/unknown-u1-0.jpg"');
  });

  it('makes Lin-Manuel Miranda one person across his two shots and chunks, and Barack Obama another', async () => {
    const people = (await timelineOf('nobody')).unknown!.people;
    const tracks = await namedTracks((await timelineOf('named')).jobId!);
    const lin = holding(people, tracks, 'lin_manuel_miranda');
    const obama = holding(people, tracks, 'barack_obama');
    expect(lin).toHaveLength(1);
    expect(obama).toHaveLength(1);
    expect(lin[0]).not.toBe(obama[0]);
    // fixtures/labels/hamilton_short.json: shot A (0-0.67 s, small) and shot C (2.7-7.0 s), chunks of 5 s.
    const linPerson = people.find((person) => person.id === lin[0])!;
    expect(linPerson.firstSeen).toBeLessThan(0.67);
    expect(linPerson.lastSeen).toBeGreaterThan(5);
  });

  it("enrols an unknown person from the video's own faces and names them without decoding", async () => {
    const people = (await timelineOf('nobody')).unknown!.people;
    const tracks = await namedTracks((await timelineOf('named')).jobId!);
    const [lin] = holding(people, tracks, 'lin_manuel_miranda');
    const run = await search(HAMILTON, 'enrolled', '--face', `host=cluster:${lin}`, '--reuse-scan', join(work, 'nobody'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Named from the scan of job \S+: 2 of 2 chunk\(s\), no frame decoded\./);
    expect(run.stdout).toContain(`host: enrolled from unknown person ${lin} of job`);
    const timeline = await timelineOf('enrolled');
    const host = timeline.identities.find((identity) => identity.name === 'host')!;
    const person = people.find((candidate) => candidate.id === lin)!;
    expect(host.segments[0]!.firstSeen).toBe(person.firstSeen);
    expect(host.segments.at(-1)!.lastSeen).toBe(person.lastSeen);
    // The report shows the person by the group's clearest face, as their reference picture.
    const report = await readFile(join(work, 'enrolled', 'report.html'), 'utf-8');
    expect(report).toMatch(/<img class="ref" src="data:image\/jpeg;base64,[^"]+" alt="reference photo of host">/);
  });

  it('refuses an id the earlier search did not find, naming the ones it did', async () => {
    const run = await search(HAMILTON, 'missing', '--face', 'host=cluster:u99', '--reuse-scan', join(work, 'nobody'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/found no unknown person u99 \(to enrol as host\); it found u1, u2/);
    expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('groups the pedestrians of the crowd clip, with nobody enrolled', async () => {
    const run = await search(CROWD, 'crowd', '--sample-fps', '2');
    expect(run.code, run.stderr).toBe(0);
    const { identities, unknown } = await timelineOf('crowd');
    expect(identities).toEqual([]);
    expect(unknown!.people.length).toBeGreaterThanOrEqual(3);
  }, 300_000);
});

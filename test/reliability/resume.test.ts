import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkResult } from '../../shared/schemas/faces.ts';

/**
 * A search killed mid-run (SIGKILL: no cleanup at all) and run again resumes from the chunks it
 * stored and ends with outputs byte-identical to an uninterrupted search, through the real CLI.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'bin/lambdaface.js');
const FIXTURES = join(ROOT, 'fixtures');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-resume-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const searchArgs = (dataDir: string, out: string): string[] => [
  CLI,
  'search',
  '--video',
  join(FIXTURES, 'videos/hamilton_short.mp4'),
  '--face',
  `lin_manuel_miranda=${join(FIXTURES, 'faces/lin_manuel_miranda')}`,
  '--face',
  `barack_obama=${join(FIXTURES, 'faces/barack_obama/fr_obama.jpg')}`,
  '--sample-fps',
  '2',
  '--chunk-seconds',
  '2',
  '--concurrency',
  '1',
  '--no-montage',
  '--data-dir',
  dataDir,
  '--out',
  out,
];

function search(dataDir: string, out: string, ...extra: string[]): string {
  const run = spawnSync(process.execPath, [...searchArgs(dataDir, out), ...extra], { encoding: 'utf-8', cwd: work });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

/** The file of every stored chunk result (not its summary) under the data folder (s3rver keeps an object as `<key>._S3rver_object`). */
async function storedChunks(dataDir: string): Promise<string[]> {
  const jobs = join(dataDir, 'lambdaface', 'intermediate');
  if (!existsSync(jobs)) return [];
  const found: string[] = [];
  for (const job of await readdir(jobs)) {
    const chunks = join(jobs, job, 'chunks');
    if (existsSync(chunks)) found.push(...(await readdir(chunks)).filter((name) => /^\d+\.json\._S3rver_object$/.test(name)).map((name) => join(chunks, name)));
  }
  return found.sort();
}

/** The stored chunk results that are whole (a kill may land while the server writes one, which a rerun then recomputes). */
async function completeChunks(dataDir: string): Promise<string[]> {
  const whole = await Promise.all(
    (await storedChunks(dataDir)).map(async (file) => {
      try {
        return ChunkResult.safeParse(JSON.parse(await readFile(file, 'utf-8'))).success ? file : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return whole.filter((file) => file !== undefined);
}

const modified = async (files: readonly string[]): Promise<number[]> => Promise.all(files.map(async (file) => (await stat(file)).mtimeMs));

/** Starts a search and SIGKILLs it once it has stored its first whole chunk result; returns the whole chunk results and what it printed. */
async function killAfterFirstChunk(dataDir: string, out: string): Promise<{ stored: string[]; stderr: string }> {
  const child = spawn(process.execPath, searchArgs(dataDir, out), { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stored: string[] = [];
  for (let polls = 0; polls < 1200 && child.exitCode === null; polls++) {
    stored = await completeChunks(dataDir);
    if (stored.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  await exited;
  return { stored, stderr };
}

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(dir, path)));
    else files.push(path);
  }
  return files.sort();
}

describe('interrupt and resume', () => {
  it('a search killed after its first chunk, run again, reuses what it stored and gives byte-identical outputs; a damaged chunk is recomputed and named', async () => {
    const reference = join(work, 'reference');
    search(join(work, 's3-reference'), reference);
    const files = await filesUnder(reference);
    expect(files).toContain('timeline.json');
    const sameAsReference = async (out: string) => {
      expect(await filesUnder(out)).toEqual(files);
      for (const file of files) expect((await readFile(join(out, file))).equals(await readFile(join(reference, file))), file).toBe(true);
    };

    const dataDir = join(work, 's3-killed');
    const resumed = join(work, 'resumed');
    const killed = await killAfterFirstChunk(dataDir, resumed);
    expect(killed.stored.length, killed.stderr).toBeGreaterThan(0);
    expect(existsSync(join(resumed, 'timeline.json'))).toBe(false);
    // Whole when the kill came: these must be reused as they are.
    const whole = await completeChunks(dataDir);
    const before = await modified(whole);
    search(dataDir, resumed);
    expect(await modified(whole)).toEqual(before);
    await sameAsReference(resumed);

    const [damaged] = whole;
    await truncate(damaged!, 100);
    const repaired = join(work, 'repaired');
    const result = JSON.parse(search(dataDir, repaired, '--json')) as { warnings: string[] };
    const key = damaged!.slice(join(dataDir, 'lambdaface').length + 1).replace(/\._S3rver_object$/, '');
    expect(result.warnings).toContainEqual(expect.stringMatching(new RegExp(`s3://lambdaface/${key.replaceAll('.', '\\.')} is not valid JSON.*computing it again`)));
    await sameAsReference(repaired);
  }, 300_000);
});

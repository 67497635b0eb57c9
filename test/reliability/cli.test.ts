import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Timeline } from '../../shared/schemas/timeline.ts';
import { runFfmpeg } from '../../shared/video/ffmpeg.ts';
import { ROOT, runCli, type CliRun } from '../cli-run.ts';
import { closedPort } from './closed-port.ts';

/**
 * `lambdaface search` as a new user meets it: the real CLI in a child process, with its own data
 * folder and output folder. A bad input is one message that names it and says what to do, exit
 * code 1, no stack trace and nothing in --out; a good run leaves exactly this run's outputs.
 */
const BIN = join(ROOT, 'bin/lambdaface.js');
const CLIP = join(ROOT, 'fixtures/videos/hamilton_short.mp4');
const TINY = join(ROOT, 'fixtures/videos/tiny_5frames.mp4');
const LIN = join(ROOT, 'fixtures/faces/lin_manuel_miranda');
const OBAMA = join(ROOT, 'fixtures/faces/barack_obama');
// Obama and Biden side by side: enrolment takes the larger face, Biden's, and says so.
const TWO_FACES = 'fixtures/scenes/fr_two_people.jpg';

let work: string;
let dataDir: string;

const lambdaface = (args: string[], options: { env?: NodeJS.ProcessEnv; asNobody?: boolean } = {}): Promise<CliRun> => runCli(args, options);

const search = (...args: string[]): string[] => ['search', '--data-dir', dataDir, '--no-montage', '--concurrency', '2', ...args];

/** Whether a user who is neither the owner nor in the group can read `file`: every folder above it searchable by others. */
function othersCanRead(file: string): boolean {
  if ((statSync(file).mode & 0o004) === 0) return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}

/** The CLI failed as a person should see it: exit 1, the message, a hint, no stack, no "finished". */
function expectClearFailure(run: CliRun, says: RegExp): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).toMatch(says);
  expect(run.stderr).toMatch(/\n {2}what to do: \S/);
  expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(run.stderr).not.toMatch(/finished in|this is a bug in lambdaface/);
  expect(run.stdout).toBe('');
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-reliability-'));
  // Readable by everyone: one probe runs the CLI as nobody.
  await chmod(work, 0o755);
  dataDir = join(work, 's3');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('--out is checked before any work', () => {
  it('refuses a file', async () => {
    const file = join(work, 'a-file');
    await writeFile(file, 'mine');
    const run = await lambdaface(search('--video', CLIP, '--face', `lin=${LIN}`, '--out', file));
    expectClearFailure(run, new RegExp(`InputError: --out ${file} is a file, not a folder`));
    expect(await readFile(file, 'utf-8')).toBe('mine');
  });

  it('refuses a path under a file', async () => {
    const file = join(work, 'another-file');
    await writeFile(file, 'mine');
    const run = await lambdaface(search('--video', CLIP, '--face', `lin=${LIN}`, '--out', join(file, 'out')));
    expectClearFailure(run, new RegExp(`--out ${file}/out cannot be a folder: ${file} is a file`));
  });

  it('refuses /proc and /sys at once (a recursive mkdir on /proc never returns)', async () => {
    for (const [out, fs] of [
      ['/proc/lambdaface-out', 'proc'],
      ['/sys/lambdaface-out', 'sysfs'],
    ]) {
      const run = await lambdaface(search('--video', CLIP, '--face', `lin=${LIN}`, '--out', out!));
      expectClearFailure(run, new RegExp(`--out ${out} is on the kernel's ${fs} pseudo-filesystem`));
    }
  });

  // As root the probe runs as nobody, who must be able to read the checkout (a clone inside a
  // private mktemp folder is out of its reach): where it cannot, the test says so and is skipped.
  const asRoot = process.getuid?.() === 0;
  const unreadable = asRoot && !othersCanRead(BIN);
  (unreadable ? it.skip : it)(
    `refuses a folder it cannot write to, and creates nothing there${unreadable ? ' (skipped: root, in a checkout other users cannot read)' : ''}`,
    async () => {
      const locked = join(work, 'locked');
      await mkdir(locked, { mode: 0o555 });
      await chmod(locked, 0o555);
      // root may write anywhere: the probe then runs as nobody, like a user without the right, with
      // a data folder anyone may write to, so that only --out is in the way.
      const data = join(work, 'anyones-data');
      await mkdir(data, { mode: 0o777 });
      await chmod(data, 0o777);
      const run = await lambdaface(['search', '--data-dir', data, '--no-montage', '--video', CLIP, '--face', `lin=${LIN}`, '--out', join(locked, 'out')], {
        asNobody: asRoot,
      });
      expectClearFailure(run, new RegExp(`cannot write to --out ${locked}/out \\(permission denied\\)`));
      expect(await readdir(locked)).toEqual([]);
    },
  );

  it('is checked for --remote too, before AWS is asked anything', async () => {
    const file = join(work, 'remote-file');
    await writeFile(file, 'mine');
    const run = await lambdaface(['search', '--remote', '--stack', 'nowhere', '--video', CLIP, '--face', `lin=${LIN}`, '--out', file]);
    expectClearFailure(run, /--out .* is a file, not a folder/);
  });
});

describe('inputs that cannot work are named before the search starts', () => {
  it('refuses an http(s) video URL with what to do', async () => {
    const out = join(work, 'out-url');
    const run = await lambdaface(search('--video', 'https://example.com/talk.mp4', '--face', `lin=${LIN}`, '--out', out));
    expectClearFailure(run, /InputError: --video https:\/\/example\.com\/talk\.mp4 is a URL[\s\S]*download the video/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a --data-dir that is a file before any work, for search and serve', async () => {
    const file = join(work, 'data-is-a-file');
    await writeFile(file, 'not a folder');
    const out = join(work, 'out-data-dir');
    const searched = await lambdaface(['search', '--data-dir', file, '--video', CLIP, '--face', `lin=${LIN}`, '--out', out]);
    expectClearFailure(searched, /InputError: --data-dir .*data-is-a-file is a file, not a folder/);
    expect(existsSync(out)).toBe(false);
    expectClearFailure(await lambdaface(['serve', '--data-dir', file]), /InputError: --data-dir .*data-is-a-file is a file, not a folder/);
  });

  it('reports every missing photo path at once, with what to do', async () => {
    const out = join(work, 'out-photos');
    const run = await lambdaface(search('--video', CLIP, '--face', 'a=no-such-a.jpg', '--face', 'b=no-such-dir/', '--out', out));
    expectClearFailure(run, /InputError: photo or folder "no-such-a\.jpg" for a does not exist; photo or folder "no-such-dir\/" for b does not exist/);
    expect(existsSync(out)).toBe(false);
  });

  it('reports a missing video before anything probes it', async () => {
    const out = join(work, 'out-missing');
    const run = await lambdaface(search('--video', 'no-such-talk.mp4', '--chunk-seconds', '5', '--face', `lin=${LIN}`, '--out', out));
    expectClearFailure(run, /InputError: video file not found: no-such-talk\.mp4/);
    expect(existsSync(out)).toBe(false);
  });

  it("says an --s3-endpoint cannot be reached, without the SDK's words", async () => {
    const out = join(work, 'out-endpoint');
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const run = await lambdaface(search('--video', CLIP, '--face', `lin=${LIN}`, '--out', out, '--s3-endpoint', endpoint, '--bucket', 'lambdaface'));
    expectClearFailure(run, new RegExp(`StorageError: cannot reach the S3 endpoint ${endpoint} \\(connection refused\\)[\\s\\S]*omit --s3-endpoint`));
    expect(run.stderr).not.toMatch(/ECONNREFUSED|\$metadata|uploads\//);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['a file that is not executable', 0o644],
    ['an executable that is not ffmpeg', 0o755],
  ])('names LAMBDAFACE_FFMPEG when it points at %s', async (_what, mode) => {
    const fake = join(work, `fake-ffmpeg-${mode.toString(8)}`);
    await writeFile(fake, 'not a program\n');
    await chmod(fake, mode);
    const out = join(work, `out-ffmpeg-${mode.toString(8)}`);
    const run = await lambdaface(search('--video', CLIP, '--face', `lin=${LIN}`, '--out', out), { env: { LAMBDAFACE_FFMPEG: fake } });
    expectClearFailure(run, new RegExp(`MediaError: LAMBDAFACE_FFMPEG is set to ${fake}, which cannot be run as ffmpeg[\\s\\S]*point LAMBDAFACE_FFMPEG at an ffmpeg executable`));
    expect(run.stderr).not.toMatch(/toleratedFailurePercentage/);
    expect(existsSync(out)).toBe(false);
  });

  it('names LAMBDAFACE_FFMPEG when it points at a program that runs but is not ffmpeg (/bin/true)', async () => {
    const out = join(work, 'out-ffmpeg-true');
    const run = await lambdaface(search('--video', CLIP, '--face', `lin=${LIN}`, '--out', out), { env: { LAMBDAFACE_FFMPEG: '/bin/true' } });
    expectClearFailure(run, /MediaError: LAMBDAFACE_FFMPEG is set to \/bin\/true, which cannot be run as ffmpeg: it does not print "ffmpeg version/);
    expect(existsSync(out)).toBe(false);
  });

  it('fails a video cut short after its header instead of reporting its missing part as "nobody here"', async () => {
    // The moov atom first (faststart), then only the first 250 kB: the header still promises 9.2 s.
    const whole = join(work, 'faststart.mp4');
    await runFfmpeg(['-loglevel', 'error', '-y', '-i', CLIP, '-c', 'copy', '-movflags', '+faststart', whole]);
    const cut = join(work, 'cut-short.mp4');
    await writeFile(cut, (await readFile(whole)).subarray(0, 250_000));
    const run = await lambdaface(search('--video', cut, '--face', `lin=${LIN}`, '--sample-fps', '2', '--out', join(work, 'out-cut')));
    // The failure reaches the user through the map, as the first failed chunk.
    expectClearFailure(run, /first failure: MediaError: only \d+ of the \d+ frames expected in \[5, 9\.\d+\) s of the video could be decoded: the file may be cut short/);
  });

  it('names the photo the user gave, not its upload key, when enrolment fails', async () => {
    const photo = join(work, 'blank wall.png');
    await sharp({ create: { width: 240, height: 240, channels: 3, background: { r: 128, g: 128, b: 128 } } })
      .png()
      .toFile(photo);
    const out = join(work, 'out-photo');
    const run = await lambdaface(search('--video', TINY, '--face', `nobody=${photo}`, '--out', out));
    expectClearFailure(run, new RegExp(`no face found in ${photo.replace(/[.]/g, '\\.')}`));
    expect(run.stderr).not.toMatch(/s3:\/\/|uploads\//);
    expect(existsSync(out)).toBe(false);
  });
});

describe('an interrupted search', () => {
  it('says how to resume on Ctrl-C and exits 130, without a stack', async () => {
    const child = spawn(process.execPath, [BIN, ...search('--video', CLIP, '--face', `lin=${LIN}`, '--chunk-seconds', '2', '--out', join(work, 'out-interrupted'))], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Interrupted once the work has begun (the progress says so), as a user would press Ctrl-C.
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/recognizing/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    expect(await exited, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted: run the same command again to resume \(finished chunks are kept\)\n$/);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe('a search that succeeds', () => {
  it("replaces the previous outputs whole, keeps the user's files, and gives each name its own thumbnails", async () => {
    const out = join(work, 'out-search');
    await mkdir(join(out, 'thumbnails'), { recursive: true });
    // An earlier search's thumbnail is named as lambdaface names them; holiday.jpg is the user's.
    for (const old of ['montage.mp4', 'report.html', 'timeline.json', 'timeline.csv', 'timeline.vtt', 'thumbnails/lin-0123abcd-7.jpg']) {
      await writeFile(join(out, old), 'from an earlier search');
    }
    await writeFile(join(out, 'notes.txt'), 'mine');
    await writeFile(join(out, 'thumbnails', 'holiday.jpg'), 'mine too');
    // A photo without a face beside a usable one: skipped and listed, the person still enrolled.
    const blank = join(work, 'grey.png');
    await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .png()
      .toFile(blank);
    // `lin m'x` and `lin_m_x` are both valid names that make the same safe text.
    const run = await lambdaface(
      search('--video', CLIP, '--face', `lin m'x=${LIN}`, '--face', `lin_m_x=${OBAMA}`, '--face', `biden=${TWO_FACES}`, '--face', `biden=${blank}`, '--out', out),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/finished in \d/);

    expect(existsSync(join(out, 'montage.mp4'))).toBe(false);
    expect(await readFile(join(out, 'notes.txt'), 'utf-8')).toBe('mine');
    expect((await readdir(out)).filter((entry) => entry.startsWith('.'))).toEqual([]);
    const timeline = Timeline.parse(JSON.parse(await readFile(join(out, 'timeline.json'), 'utf-8')));
    const segments = (name: string): number => timeline.identities.find((identity) => identity.name === name)?.segments.length ?? 0;
    expect(segments("lin m'x")).toBeGreaterThan(0);
    expect(segments('lin_m_x')).toBeGreaterThan(0);
    const thumbnails = (await readdir(join(out, 'thumbnails'))).filter((file) => file !== 'holiday.jpg' && !file.startsWith('unknown-'));
    expect(thumbnails).toHaveLength(segments("lin m'x") + segments('lin_m_x'));
    expect(thumbnails).not.toContain('lin-0123abcd-7.jpg');
    expect(await readFile(join(out, 'thumbnails', 'holiday.jpg'), 'utf-8')).toBe('mine too');
    expect(await readFile(join(out, 'report.html'), 'utf-8')).not.toContain('from an earlier search');

    // The multi-face photo's note, with the path as the user gave it.
    expect(run.stdout).toContain(`Reference photos:\n  biden: ${TWO_FACES}: 2 faces in this photo; enrolled the largest`);
    expect(run.stdout).toContain(`  biden: skipped ${blank}: no face found in ${blank}`);
    expect(run.stdout).not.toMatch(/s3:\/\//);
    expect(timeline.enrolment?.find((person) => person.name === 'biden')?.notes).toEqual([expect.stringMatching(/^fr_two_people\.jpg: 2 faces in this photo/)]);
    expect(JSON.stringify(timeline)).not.toMatch(/s3:\/\/|uploads\//);
    expect(await readFile(join(out, 'report.html'), 'utf-8')).toMatch(/<h2>Reference photos<\/h2>[\s\S]*fr_two_people\.jpg: 2 faces in this photo/);
  });

  it('lists near misses: tracks nobody was named in that came just over the threshold for someone', async () => {
    const out = join(work, 'out-near');
    // A strict threshold leaves Lin-Manuel unnamed, a little over it.
    const run = await lambdaface(search('--video', CLIP, '--face', `lin_manuel_miranda=${LIN}`, '--face', `barack_obama=${OBAMA}`, '--threshold', '0.27', '--out', out, '--json'));
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { identities: { name: string }[]; nearMisses: { name: string; distance: number; threshold: number }[] };
    expect(result.nearMisses.map((miss) => miss.name)).toContain('lin_manuel_miranda');
    for (const miss of result.nearMisses) {
      expect(miss.distance).toBeLessThanOrEqual(miss.threshold + 0.05);
      expect(result.identities.map((identity) => identity.name)).not.toContain(miss.name);
    }
    const timeline = Timeline.parse(JSON.parse(await readFile(join(out, 'timeline.json'), 'utf-8')));
    expect(timeline.nearMisses?.length).toBe(result.nearMisses.length);
    expect(await readFile(join(out, 'report.html'), 'utf-8')).toContain('<td>lin_manuel_miranda?</td>');
    const summary = await lambdaface(search('--video', CLIP, '--face', `lin_manuel_miranda=${LIN}`, '--face', `barack_obama=${OBAMA}`, '--threshold', '0.27', '--out', out));
    expect(summary.stdout).toMatch(
      /Near misses \(not named; check them in report\.html\):\n    lin_manuel_miranda\? \d+:\d\d\.\d-\d+:\d\d\.\d, distance 0\.\d{3} \(named at 0\.270 or less\)/,
    );
  });

  it('says when the video is too short to name anyone', async () => {
    const out = join(work, 'out-tiny');
    const run = await lambdaface(search('--video', TINY, '--face', `lin=${LIN}`, '--out', out, '--json'));
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { warnings: string[]; notFound: string[] };
    expect(result.notFound).toEqual(['lin']);
    // 5 frames at 23.976 fps: the last starts at 0.167 s, so 6 samples/s is the first rate with 2.
    expect(result.warnings).toEqual([
      'the video is 0.21 s: at 4 samples/s that is 1 sample, and a person is named after at least 2; raise the sampling rate (--sample-fps) to 6 or more',
    ]);
  });

  it('eval says the same, with the score table', async () => {
    const run = await lambdaface([
      'eval',
      '--data-dir',
      dataDir,
      '--concurrency',
      '1',
      '--video',
      TINY,
      '--truth',
      join(ROOT, 'fixtures/labels/tiny_5frames.per_second.csv'),
      '--face',
      `biden=${TWO_FACES}`,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^overall /m);
    expect(run.stdout).toContain('  WARNING: the video is 0.21 s: at 4 samples/s that is 1 sample');
    expect(run.stdout).toContain(`Reference photos:\n  biden: ${TWO_FACES}: 2 faces in this photo`);
  });
});

import { describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../../cli-run.ts';

/** The CLI as a user runs it: bad input gets one clear message and a non-zero exit, never a stack trace. */
const FIXTURES = new URL('../../../fixtures/', import.meta.url).pathname;
const lambdaface = (...args: string[]): Promise<CliRun> => runCli(args, { timeoutMs: 60_000 });

const face = `lin=${FIXTURES}faces/lin_manuel_miranda`;

describe('lambdaface CLI errors', () => {
  it.each([
    { args: ['search', '--face', face], says: /video: give the video with --video/ },
    {
      args: ['eval', '--video', `${FIXTURES}videos/hamilton_short.mp4`, '--truth', `${FIXTURES}labels/hamilton_short.per_second.csv`],
      says: /no reference photos given[\s\S]*--face <name>=/,
    },
    {
      args: ['search', '--video', `${FIXTURES}videos/hamilton_short.mp4`, '--face', 'host=cluster:u1'],
      says: /--face <name>=cluster:<id> enrols an unknown person[\s\S]*--reuse-scan/,
    },
    {
      args: ['search', '--video', `${FIXTURES}videos/hamilton_short.mp4`, '--face', 'host=cluster:7', '--reuse-scan', 'j-00000000000000000000'],
      says: /unknown person's id is u followed by a number/,
    },
    { args: ['search', '--video', 'nope.mp4', '--face', face], says: /video file not found: nope\.mp4/ },
    { args: ['search', '--video', `${FIXTURES}labels/scenes.csv`, '--face', face], says: /not a readable video/ },
    { args: ['search', '--video', `${FIXTURES}videos/hamilton_short.mp4`, '--face', 'lin'], says: /"--face lin" is not <name>=<photo\|dir>/ },
    { args: ['search', '--video', `${FIXTURES}videos/hamilton_short.mp4`, '--face', 'lin=/no/such/dir'], says: /does not exist/ },
    { args: ['search', '--video', 'x.mp4', '--face', face, '--sample-fps', 'fast'], says: /sample-fps: "fast" is not/ },
    { args: ['search', '--video', 'x.mp4', '--face', face, '--frobnicate'], says: /Unknown option '--frobnicate'/ },
    { args: ['search', '--video', 'x.mp4', '--face', face, '--s3-endpoint', 'http://127.0.0.1:9'], says: /--s3-endpoint needs --bucket/ },
    { args: ['eval', '--video', 'x.mp4', '--face', face], says: /truth: give the truth file/ },
    { args: ['eval-photos', '--faces', '/no/such/dir'], says: /is not a readable folder/ },
    { args: ['teleport'], says: /unknown command "teleport"/ },
  ])('$args.0 $args.1 $args.2 …: says what is wrong', async ({ args, says }) => {
    const { code, stderr } = await lambdaface(...args);
    expect(code).toBe(1);
    expect(stderr).toMatch(says);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('prints usage for --help', async () => {
    const { code, stdout } = await lambdaface('search', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('lambdaface search --video');
    expect(stdout).toContain('--no-small-faces');
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { montageLines } from '../../shared/cli/commands/search.ts';
import { runCli, ROOT } from '../cli-run.ts';

/** The montage's cap from the command line to the summary: checked before any work, reported after. */
describe('--montage-max-seconds', () => {
  it('refuses a cap that is not a positive number of seconds, before anything runs', async () => {
    const run = await runCli([
      'search',
      '--video',
      join(ROOT, 'fixtures/videos/hamilton_short.mp4'),
      '--face',
      `lin=${join(ROOT, 'fixtures/faces/lin_manuel_miranda')}`,
      '--out',
      join(ROOT, 'out/never'),
      '--montage-max-seconds',
      '0',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/montage-max-seconds: "0" is too small: it must be at least 1/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('says in the summary what the cap shortened and left out, and nothing when the montage holds everything', () => {
    const montage = {
      seconds: 10,
      onScreenSeconds: 95,
      shownSeconds: 10,
      capSeconds: 10,
      shortened: 1,
      leftOut: 2,
      omitted: [
        { start: 0, end: 60, names: ['ada'], shown: 6 },
        { start: 70, end: 80, names: ['ada', 'grace'], shown: 0 },
      ],
      pieces: 2,
      reusedPieces: 0,
    };
    expect(montageLines({ montage })).toEqual([
      '  Montage: 0:10.0 of the 1:35.0 with someone on screen (capped at 10 s, --montage-max-seconds): 1 stretch(es) shortened, 2 left out:',
      '    0:00.0-1:00.0 ada: first 6.0 s shown',
      '    1:10.0-1:20.0 ada, grace: left out',
      '    and 1 more (report.html lists them all)',
    ]);
    expect(montageLines({ montage: { ...montage, shortened: 0, leftOut: 0, omitted: [] } })).toEqual([]);
    expect(montageLines({})).toEqual([]);
  });
});

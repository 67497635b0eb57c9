import { describe, expect, it } from 'vitest';
import { runCli } from '../cli-run.ts';

/**
 * One unknown person of an earlier search enrolled under two names (`--face host=cluster:u1
 * --face ada=cluster:u1`) was accepted: every face of theirs would have been named twice, two
 * people in the timeline where there is one. It is refused before any work, naming both.
 * (The job input AWS takes refuses it too: test/unit/workflow/job-input-people.test.ts.)
 */
describe('one unknown person under two names', () => {
  it('is one clear error and exit 1, before the earlier search is even looked up', async () => {
    const run = await runCli([
      'search',
      '--video',
      'fixtures/videos/hamilton_short.mp4',
      '--face',
      'host=cluster:u1',
      '--face',
      'ada=cluster:u1',
      '--reuse-scan',
      'j-00000000000000000000',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'InputError: unknown person u1 is enrolled twice: as host and as ada\n  what to do: give u1 one name: the same person under two names would be named twice on every face\n',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseFlags, numberFlag } from '../../shared/cli/flags.ts';
import { runCli } from '../cli-run.ts';

/**
 * A numeric flag out of range or not a number is one sentence naming the flag, the value and what
 * it must be, not zod's own wording appended to the value ('"99999" is not Too big: ...').
 */
const Flags = z.object({
  port: numberFlag(z.number().int().min(1).max(65535)),
  rate: numberFlag(z.number().positive().max(60)),
});
const OPTIONS = { port: { type: 'string' }, rate: { type: 'string' } } as const;

const problemOf = (...argv: string[]): string => {
  try {
    parseFlags('probe', argv, OPTIONS, Flags);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('a numeric flag that is refused', () => {
  it.each([
    [['--port', '99999'], 'port: "99999" is too large: it must be at most 65535'],
    [['--port', '1e20'], 'port: "1e20" is too large: it must be at most 65535'],
    [['--port', '0'], 'port: "0" is too small: it must be at least 1'],
    [['--port', '80.5'], 'port: "80.5" is not a whole number'],
    [['--port', 'http'], 'port: "http" is not a number'],
    [['--port='], 'port: "" is not a number'],
    [['--rate', '0'], 'rate: "0" is too small: it must be more than 0'],
  ])('%j says what the value must be', (argv, problem) => {
    expect(problemOf(...argv)).toBe(`invalid flags of lambdaface probe: ${problem}`);
  });

  it('is accepted as a number when it is in range', () => {
    expect(parseFlags('probe', ['--port', '8080', '--rate', '0.5'], OPTIONS, Flags)).toEqual({ port: 8080, rate: 0.5 });
  });

  it('reaches the user of serve --port as one line and exit 1', async () => {
    const run = await runCli(['serve', '--port', '99999']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('InputError: invalid flags of lambdaface serve: port: "99999" is too large: it must be at most 65535\n  what to do: run `lambdaface serve --help`\n');
  });
});

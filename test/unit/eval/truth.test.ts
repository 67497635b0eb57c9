import { describe, expect, it } from 'vitest';
import { LambdafaceError } from '../../../shared/errors.ts';
import { parseTruthCsv, readTruth } from '../../../shared/eval/truth.ts';
import { labelPath } from './labels.ts';

describe('readTruth on the real labels', () => {
  it('reads hamilton_short (CRLF line ends) exactly', async () => {
    const truth = await readTruth(labelPath('hamilton_short.per_second.csv'));
    expect(truth.seconds).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(truth.identities).toEqual(['lin_manuel_miranda', 'alex_lacamoire', 'barack_obama']);
    const column = (identity: string) => truth.seconds.map((second) => truth.value(second, identity));
    expect(column('lin_manuel_miranda')).toEqual([1, 0, 1, 1, 1, 1, 1, '?', 0, 0]);
    expect(column('alex_lacamoire')).toEqual([1, 1, '?', 0, 0, 0, 0, 0, 0, 0]);
    expect(column('barack_obama')).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    // Enrolled but without a column: absent in every second.
    expect(column('joe_biden')).toEqual(new Array(10).fill(0));
  });

  it('reads crowd_walking: five seconds, nobody enrolled appears', async () => {
    const truth = await readTruth(labelPath('crowd_walking.per_second.csv'));
    expect(truth.seconds).toEqual([0, 1, 2, 3, 4]);
    expect(truth.identities).toEqual([]);
    expect(truth.value(3, 'barack_obama')).toBe(0);
  });

  it('reads tiny_5frames: a single partial second', async () => {
    const truth = await readTruth(labelPath('tiny_5frames.per_second.csv'));
    expect(truth.seconds).toEqual([0]);
    expect(truth.identities).toEqual([]);
  });

  it('says which file could not be read', async () => {
    await expect(readTruth('/nonexistent/x.per_second.csv')).rejects.toThrow(/cannot read the truth file \/nonexistent\/x\.per_second\.csv/);
  });
});

describe('parseTruthCsv', () => {
  const file = 'labels/v.per_second.csv';
  const parse = (text: string) => parseTruthCsv(text, file);

  /** The InputError thrown for `text`, asserting it names the file and the line. */
  function errorOf(text: string, line: number): LambdafaceError {
    try {
      parse(text);
    } catch (error) {
      expect(error).toBeInstanceOf(LambdafaceError);
      const failure = error as LambdafaceError;
      expect(failure.kind).toBe('InputError');
      expect(failure.input).toBe(file);
      expect(failure.message.startsWith(`${file}:${line}: `)).toBe(true);
      return failure;
    }
    throw new Error('expected an InputError');
  }

  it('accepts a BOM, surrounding spaces, one-frame seconds and trailing blank lines', () => {
    const truth = parse('\uFEFFsecond,frames,a, b\n0,0-29, 1,?\n1,30,0,0\n\n\n');
    expect(truth.identities).toEqual(['a', 'b']);
    expect(truth.value(0, 'b')).toBe('?');
    expect(truth.value(1, 'a')).toBe(0);
    expect(() => truth.value(2, 'a')).toThrow(/no row for second 2/);
  });

  it('rejects a bad header', () => {
    expect(errorOf('', 1).message).toMatch(/empty header/);
    expect(errorOf('sec,frames,a\n0,0-1,1\n', 1).message).toMatch(/must start with "second,frames"/);
    expect(errorOf('frames,second,a\n0,0-1,1\n', 1).message).toMatch(/must start with "second,frames"/);
    expect(errorOf('second,frames,a,,b\n0,0-1,1,1,1\n', 1).message).toMatch(/"" is not an identity name/);
    expect(errorOf('second,frames,"a"\n0,0-1,1\n', 1).message).toMatch(/""a"" is not an identity name/);
    expect(errorOf('second,frames,a,a\n0,0-1,1,1\n', 1).message).toMatch(/identity "a" has two columns/);
  });

  it('rejects a file with no rows', () => {
    expect(errorOf('second,frames,a\n', 2).message).toMatch(/no rows/);
  });

  it('rejects a row with the wrong number of values', () => {
    expect(errorOf('second,frames,a\n0,0-29,1\n1,30-59\n', 3).message).toMatch(/expected 3 values \(second,frames,a\), got 2/);
    expect(errorOf('second,frames,a\n0,0-29,1,0\n', 2).message).toMatch(/got 4/);
  });

  it('rejects a second that is not a whole number', () => {
    expect(errorOf('second,frames,a\n0,0-29,1\n1.5,30-59,1\n', 3).message).toMatch(/second "1\.5" is not a whole number/);
    expect(errorOf('second,frames,a\n-1,0-29,1\n', 2).message).toMatch(/second "-1"/);
    expect(errorOf('second,frames,a\nx,0-29,1\n', 2).message).toMatch(/second "x"/);
  });

  it('rejects a duplicate second, naming both lines', () => {
    expect(errorOf('second,frames,a\n0,0-29,1\n1,30-59,1\n1,30-59,0\n', 4).message).toMatch(/second 1 is listed twice \(also on line 3\)/);
  });

  it('rejects missing or out-of-order seconds', () => {
    expect(errorOf('second,frames,a\n0,0-29,1\n2,60-89,1\n', 3).message).toMatch(/expected second 1, got 2/);
    expect(errorOf('second,frames,a\n1,30-59,1\n', 2).message).toMatch(/expected second 0, got 1/);
  });

  it('rejects an unknown value, naming the identity', () => {
    expect(errorOf('second,frames,a,b\n0,0-29,1,0\n1,30-59,0,2\n', 3).message).toMatch(/b: unknown value "2"; expected 1, 0 or \?/);
    expect(errorOf('second,frames,a\n0,0-29,yes\n', 2).message).toMatch(/a: unknown value "yes"/);
    expect(errorOf('second,frames,a\n0,0-29,\n', 2).message).toMatch(/a: unknown value ""/);
  });

  it('rejects a malformed frames cell (a sign of shifted columns)', () => {
    expect(errorOf('second,frames,a\n0,x,1\n', 2).message).toMatch(/frames "x" is not/);
    expect(errorOf('second,frames,a\n0,29-0,1\n', 2).message).toMatch(/frames "29-0"/);
  });

  it('counts blank lines when naming a line', () => {
    expect(errorOf('second,frames,a\n\n0,0-29,1\n\n1,30-59,x\n', 5).message).toMatch(/unknown value "x"/);
  });
});

import { readFile } from 'node:fs/promises';
import { inputError } from '../errors.ts';
import { IdentityName } from '../schemas/job.ts';

/** `1` visible in that second, `0` absent, `?` uncertain (excluded from scoring). */
export type TruthValue = 1 | 0 | '?';

/** Per-second ground truth of one video (`<video>.per_second.csv`). */
export interface Truth {
  /** Where it was read from, for messages and reports. */
  file: string;
  /** Every second of the video in order: 0, 1, ..., last. */
  seconds: number[];
  /** The identity columns, in file order. */
  identities: string[];
  /** An identity without a column is absent in every second; a second without a row is an error. */
  value(second: number, identity: string): TruthValue;
}

const HINT = 'see "Ground-truth format" in ../shared/data/README.md: header "second,frames,<identity>...", one row per second from 0, values 1, 0 or ?';

const VALUES: Record<string, TruthValue> = { '1': 1, '0': 0, '?': '?' };

/**
 * Parses a per-second truth file exactly as the data README defines it. Anything else is an
 * InputError naming the file and line, because a silently misread truth makes every score wrong.
 */
export function parseTruthCsv(text: string, file: string): Truth {
  const fail = (line: number, message: string) => inputError(`${file}:${line}: ${message}`, { input: file, hint: HINT });
  // Files edited on Windows carry CRLF and sometimes a BOM.
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const split = (line: string) => line.split(',').map((cell) => cell.trim());

  const headerLine = lines[0] ?? '';
  if (headerLine.trim() === '') throw fail(1, 'empty header; expected "second,frames,<identity>..."');
  const header = split(headerLine);
  if (header[0] !== 'second' || header[1] !== 'frames') {
    throw fail(1, `header must start with "second,frames", got "${headerLine.trim()}"`);
  }
  const identities = header.slice(2);
  const seenColumns = new Set<string>();
  for (const name of identities) {
    if (!IdentityName.safeParse(name).success) throw fail(1, `"${name}" is not an identity name (a faces/ folder name)`);
    if (seenColumns.has(name)) throw fail(1, `identity "${name}" has two columns`);
    seenColumns.add(name);
  }

  const rows = new Map<number, TruthValue[]>();
  const lineOf = new Map<number, number>();
  lines.slice(1).forEach((raw, i) => {
    const line = i + 2;
    if (raw.trim() === '') return;
    const cells = split(raw);
    if (cells.length !== header.length) {
      throw fail(line, `expected ${header.length} values (${header.join(',')}), got ${cells.length}`);
    }
    const [secondCell = '', framesCell = ''] = cells;
    if (!/^\d+$/.test(secondCell)) throw fail(line, `second "${secondCell}" is not a whole number of seconds`);
    const second = Number(secondCell);
    const earlier = lineOf.get(second);
    if (earlier !== undefined) throw fail(line, `second ${second} is listed twice (also on line ${earlier})`);
    if (second !== rows.size) {
      throw fail(line, `expected second ${rows.size}, got ${second}: rows must list every second from 0 in order`);
    }
    checkFrames(framesCell, (message) => fail(line, message));
    const values = cells.slice(2).map((cell, column) => {
      const value = VALUES[cell];
      if (value === undefined) throw fail(line, `${identities[column]}: unknown value "${cell}"; expected 1, 0 or ?`);
      return value;
    });
    rows.set(second, values);
    lineOf.set(second, line);
  });
  if (rows.size === 0) throw fail(2, 'no rows; expected one row per second of the video');

  const columnOf = new Map(identities.map((name, column) => [name, column]));
  return {
    file,
    seconds: [...rows.keys()],
    identities,
    value(second: number, identity: string): TruthValue {
      const row = rows.get(second);
      if (!row) throw inputError(`${file} has no row for second ${second}`, { input: file });
      const column = columnOf.get(identity);
      return column === undefined ? 0 : row[column]!;
    },
  };
}

/** `frames` is information only, but a malformed one means the columns are shifted. */
function checkFrames(cell: string, fail: (message: string) => Error): void {
  const match = /^(\d+)(?:-(\d+))?$/.exec(cell);
  if (!match || (match[2] !== undefined && Number(match[1]) > Number(match[2]))) {
    throw fail(`frames "${cell}" is not "<first>-<last>" (or one) frame index`);
  }
}

/** Reads and parses a truth file from disk. */
export async function readTruth(path: string): Promise<Truth> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw inputError(`cannot read the truth file ${path}`, { input: path, hint: 'give the path of a <video>.per_second.csv', cause });
  }
  return parseTruthCsv(text, path);
}

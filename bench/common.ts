/**
 * Helpers shared by the benchmarks: timing with CPU accounting, medians, machine facts, tables and
 * result files. (bench/video.ts keeps its own copies of median/childrenCpuMs: it runs on import.)
 */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export const RESULTS_DIR = 'bench/results';

/** Median of a non-empty list (the upper one of the two middles for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU ms of children this process has reaped (fields 16 and 17 of /proc/self/stat): ffmpeg. */
export function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
  } catch {
    return Number.NaN;
  }
}

export interface Measured<T> {
  value: T;
  wallMs: number;
  /** This process, every thread (ONNX Runtime's and worker threads' included). */
  nodeCpuMs: number;
  /** Reaped child processes (ffmpeg, ffprobe). */
  childCpuMs: number;
}

/** Runs `task` once, measuring wall time and the CPU time it cost this process and its children. */
export async function measure<T>(task: () => Promise<T>): Promise<Measured<T>> {
  const children = childrenCpuMs();
  const own = process.cpuUsage();
  const start = performance.now();
  const value = await task();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(own);
  return { value, wallMs, nodeCpuMs: (used.user + used.system) / 1000, childCpuMs: childrenCpuMs() - children };
}

const loadAverage = (): string => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
};

const require = createRequire(import.meta.url);
const versionOf = (pkg: string): string => {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
};

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  availableParallelism: number;
  memoryGiB: number;
  node: string;
  platform: string;
  loadAverageAtStart: string;
  packages: Record<string, string>;
}

export function machineInfo(packages: readonly string[] = []): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    availableParallelism: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverageAtStart: loadAverage(),
    packages: Object.fromEntries(packages.map((pkg) => [pkg, versionOf(pkg)])),
  };
}

export { loadAverage };

/** A number for a table cell: fixed decimals, or '-' when there is none. */
export const fmt = (value: number | null | undefined, digits = 1): string => (value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits));

/** Prints rows as an aligned text table (first column left-aligned, the rest right-aligned). */
export function formatTable(rows: readonly Record<string, string | number>[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (row: Record<string, string | number>, column: string) => String(row[column] ?? '');
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row, column).length)));
  const line = (values: string[]) => values.map((value, i) => (i === 0 ? value.padEnd(widths[i]!) : value.padStart(widths[i]!))).join(' | ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map((row) => line(columns.map((c) => cell(row, c))))].join('\n');
}

export function writeResults(file: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, file);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

/** A progress line on stderr, so the tables on stdout stay clean. */
export const log = (message: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

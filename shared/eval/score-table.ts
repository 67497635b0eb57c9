import type { Counts, ScoreReport } from './score.ts';

const COLUMNS = ['tp', 'fp', 'fn', 'precision', 'recall', 'f1', 'fp_seconds', 'excluded', 'outside'] as const;

const ratio = (value: number | null): string => (value === null ? 'n/a' : value.toFixed(3));

const cells = (counts: Counts): string[] => [
  String(counts.tp),
  String(counts.fp),
  String(counts.fn),
  ratio(counts.precision),
  ratio(counts.recall),
  ratio(counts.f1),
  String(counts.falsePositiveSeconds),
  String(counts.excluded),
  String(counts.outsideTruth),
];

/**
 * The evaluation command's table for one video: a row per enrolled identity, then the overall
 * (micro-averaged) row, then notes explaining n/a and any cells that were not scored.
 */
export function formatScoreTable(report: ScoreReport): string {
  const rows: string[][] = [['identity', ...COLUMNS], ...report.identities.map((score) => [score.identity, ...cells(score)]), ['overall', ...cells(report.overall)]];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const render = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');

  const lines = [`${report.file} (${report.seconds} s)`, ...rows.map(render)];
  const all = [report.overall, ...report.identities];
  if (all.some((counts) => counts.precision === null || counts.recall === null)) {
    lines.push('n/a: precision with nothing predicted, recall with nothing to find');
  }
  if (report.overall.excluded > 0) lines.push(`excluded: cells marked ? in the truth (${report.overall.excluded}), not scored`);
  if (report.overall.outsideTruth > 0) {
    lines.push(`outside: predicted seconds past the truth's last second (${report.overall.outsideTruth}), not scored`);
  }
  if (report.unscoredColumns.length > 0) lines.push(`not enrolled, not scored: ${report.unscoredColumns.join(', ')}`);
  return `${lines.map((line) => line.trimEnd()).join('\n')}\n`;
}

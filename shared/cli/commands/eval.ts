import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { inputError, parseInput } from '../../errors.ts';
import { formatScoreTable } from '../../eval/score-table.ts';
import { scoreSegments } from '../../eval/score.ts';
import { readTruth } from '../../eval/truth.ts';
import { Timeline } from '../../schemas/timeline.ts';
import { renamePhotoSources, type SourceNames } from '../../storage/uploads.ts';
import { parseFlags } from '../flags.ts';
import { photoLines, SEARCH_FLAGS, SearchFlags, searchFromFlags, warningLines } from './search.ts';

export const EVAL_USAGE = `lambdaface eval --video <file> --truth <x.per_second.csv> --face <name>=<photo|dir> [--face …] [--json]
  [--sample-fps N] [--chunk-seconds N] [--concurrency N] [--threshold X] [--no-small-faces]

Runs a real search (the same workflow as \`lambdaface search\`, without the montage) and scores
its timeline per second against the truth file: precision, recall, F1 and false-positive
seconds per identity and overall; then the search's warnings and what enrolment said about the
reference photos.`;

const EvalFlags = SearchFlags.and(z.object({ truth: z.string({ error: 'give the truth file with --truth <x.per_second.csv>' }).min(1) }));

export async function evalCommand(argv: readonly string[], names: SourceNames): Promise<void> {
  const flags = parseFlags('eval', argv, { ...SEARCH_FLAGS, truth: { type: 'string' } }, EvalFlags);
  if (flags.face.length === 0) {
    throw inputError('no reference photos given: eval scores the enrolled people against the truth', {
      input: '--face',
      hint: 'enrol each person with --face <name>=<photo or folder of photos>, e.g. --face ada=photos/ada',
    });
  }
  const truth = await readTruth(flags.truth);
  const out = await mkdtemp(join(tmpdir(), 'lambdaface-eval-'));
  try {
    const search = await searchFromFlags({ ...flags, out }, { montage: false }, names);
    const timeline = parseInput(Timeline, JSON.parse(await readFile(join(out, 'timeline.json'), 'utf-8')), 'timeline.json');
    const report = scoreSegments(truth, timeline, search.result.identities.map((i) => i.name).concat(search.result.notFound));
    const { warnings } = search.result;
    const photos = renamePhotoSources(search.result.photos, names);
    const notices = [...warningLines(search.result), ...photoLines(search.result, names)];
    process.stdout.write(
      flags.json
        ? `${JSON.stringify({ ...report, jobId: search.jobId, elapsedSeconds: search.elapsedSeconds, warnings, photos }, null, 2)}\n`
        : `${[formatScoreTable(report), ...notices].join('\n')}\n`,
    );
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

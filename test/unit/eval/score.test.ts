import { beforeAll, describe, expect, it } from 'vitest';
import { formatScoreTable } from '../../../shared/eval/score-table.ts';
import { predictionsOfChunks, scorePredictions, scoreSegments, secondsOfSegments, type Prediction } from '../../../shared/eval/score.ts';
import { parseTruthCsv, readTruth, type Truth } from '../../../shared/eval/truth.ts';
import type { Timeline } from '../../../shared/schemas/timeline.ts';
import { buildTimeline } from '../../../shared/timeline/merge.ts';
import { chunk, face } from '../timeline/make-chunks.ts';
import { labelPath } from './labels.ts';

const HAMILTON = ['lin_manuel_miranda', 'alex_lacamoire', 'barack_obama'];

let hamilton: Truth;
let crowd: Truth;
let tiny: Truth;
beforeAll(async () => {
  hamilton = await readTruth(labelPath('hamilton_short.per_second.csv'));
  crowd = await readTruth(labelPath('crowd_walking.per_second.csv'));
  tiny = await readTruth(labelPath('tiny_5frames.per_second.csv'));
});

/** A prediction in every second the truth marks with one of `values`, at a few times inside it. */
function predictionsWhere(truth: Truth, values: (1 | 0 | '?')[]): Prediction[] {
  return truth.identities.flatMap((identity) =>
    truth.seconds.filter((second) => values.includes(truth.value(second, identity))).flatMap((second) => [0, 0.5, 0.999].map((offset) => ({ identity, time: second + offset }))),
  );
}

describe('scorePredictions', () => {
  it('gives P = R = F1 = 1 for perfect predictions on hamilton_short', () => {
    const report = scorePredictions(hamilton, HAMILTON, predictionsWhere(hamilton, [1]));
    expect(report.overall).toEqual({
      tp: 11,
      fp: 0,
      fn: 0,
      precision: 1,
      recall: 1,
      f1: 1,
      falsePositiveSeconds: 0,
      excluded: 2,
      outsideTruth: 0,
    });
    for (const score of report.identities) expect([score.precision, score.recall, score.f1]).toEqual([1, 1, 1]);
    expect(report.identities.map((score) => [score.identity, score.tp, score.excluded])).toEqual([
      ['lin_manuel_miranda', 6, 1],
      ['alex_lacamoire', 2, 1],
      ['barack_obama', 3, 0],
    ]);
    expect(report.seconds).toBe(10);
    expect(report.file).toMatch(/hamilton_short\.per_second\.csv$/);
  });

  it('ignores ? seconds whether predicted or not', () => {
    const perfect = scorePredictions(hamilton, HAMILTON, predictionsWhere(hamilton, [1]));
    const withUncertain = scorePredictions(hamilton, HAMILTON, predictionsWhere(hamilton, [1, '?']));
    expect(withUncertain).toEqual(perfect);
  });

  it('counts misses and false positives per identity and overall', () => {
    const predictions: Prediction[] = [
      ...predictionsWhere(hamilton, [1]).filter((p) => !(p.identity === 'barack_obama' && Math.floor(p.time) === 9)),
      { identity: 'barack_obama', time: 3.2 }, // absent there
      { identity: 'alex_lacamoire', time: 3.9 }, // same second: one more false positive, same FP second
    ];
    const report = scorePredictions(hamilton, HAMILTON, predictions);
    const obama = report.identities.find((score) => score.identity === 'barack_obama')!;
    expect(obama).toMatchObject({ tp: 2, fp: 1, fn: 1, precision: 2 / 3, recall: 2 / 3, falsePositiveSeconds: 1 });
    expect(obama.f1).toBeCloseTo(2 / 3, 12);
    expect(report.overall).toMatchObject({ tp: 10, fp: 2, fn: 1, falsePositiveSeconds: 1 });
    expect(report.overall.precision).toBeCloseTo(10 / 12, 12);
    expect(report.overall.recall).toBeCloseTo(10 / 11, 12);
    expect(report.overall.f1).toBeCloseTo(20 / 23, 12);
  });

  it('counts a match in crowd_walking as a false-positive second', () => {
    const report = scorePredictions(crowd, HAMILTON, [
      { identity: 'barack_obama', time: 2.3 },
      { identity: 'barack_obama', time: 2.8 },
      { identity: 'lin_manuel_miranda', time: 2.5 },
      { identity: 'lin_manuel_miranda', time: 4.1 },
    ]);
    const obama = report.identities.find((score) => score.identity === 'barack_obama')!;
    expect(obama).toMatchObject({ tp: 0, fp: 1, fn: 0, precision: 0, recall: null, f1: 0, falsePositiveSeconds: 1 });
    // Seconds 2 and 4 hold false positives; second 2 has two of them.
    expect(report.overall).toMatchObject({ fp: 3, falsePositiveSeconds: 2, precision: 0, recall: null, f1: 0 });
  });

  it('leaves every ratio n/a when nothing was to be found and nothing was predicted', () => {
    const report = scorePredictions(crowd, HAMILTON, []);
    expect(report.overall).toEqual({
      tp: 0,
      fp: 0,
      fn: 0,
      precision: null,
      recall: null,
      f1: null,
      falsePositiveSeconds: 0,
      excluded: 0,
      outsideTruth: 0,
    });
  });

  it('gives recall 0, F1 0 and precision n/a when people were there and nothing was predicted', () => {
    const report = scorePredictions(hamilton, HAMILTON, []);
    expect(report.overall).toMatchObject({ tp: 0, fn: 11, precision: null, recall: 0, f1: 0 });
  });

  it('counts predictions past the last truth second apart, not as false positives', () => {
    const report = scorePredictions(
      tiny,
      ['kaley_cuoco'],
      [
        { identity: 'kaley_cuoco', time: 0.1 },
        { identity: 'kaley_cuoco', time: 1 },
        { identity: 'kaley_cuoco', time: 1.5 },
        { identity: 'kaley_cuoco', time: 2.2 },
      ],
    );
    expect(report.overall).toMatchObject({ fp: 1, falsePositiveSeconds: 1, outsideTruth: 2 });
    const lastSecond = scorePredictions(hamilton, HAMILTON, [
      { identity: 'barack_obama', time: 9.99 },
      { identity: 'barack_obama', time: 10 },
    ]);
    expect(lastSecond.overall).toMatchObject({ tp: 1, fp: 0, outsideTruth: 1 });
  });

  it('lists truth columns of people not enrolled, and scores only the enrolled', () => {
    const report = scorePredictions(
      hamilton,
      ['barack_obama'],
      predictionsWhere(hamilton, [1]).filter((p) => p.identity === 'barack_obama'),
    );
    expect(report.identities.map((score) => score.identity)).toEqual(['barack_obama']);
    expect(report.unscoredColumns).toEqual(['lin_manuel_miranda', 'alex_lacamoire']);
    expect(report.overall).toMatchObject({ tp: 3, fp: 0, fn: 0 });
  });

  it('rejects predictions of people not enrolled, a doubly enrolled name and a non-finite time', () => {
    expect(() => scorePredictions(hamilton, ['barack_obama'], [{ identity: 'joe_biden', time: 1 }])).toThrow(/"joe_biden" was predicted but is not enrolled/);
    expect(() => scorePredictions(hamilton, ['a', 'a'], [])).toThrow(/enrolled twice/);
    expect(() => scorePredictions(hamilton, ['a'], [{ identity: 'a', time: Number.NaN }])).toThrow(/time NaN/);
  });
});

describe('scoreSegments', () => {
  const timelineOf = (segments: Record<string, [number, number][]>): Timeline => ({
    identities: Object.entries(segments).map(([name, spans]) => ({
      name,
      totalSeconds: 0,
      segments: spans.map(([start, end]) => ({
        start,
        end,
        firstSeen: start,
        lastSeen: start,
        bestConfidence: 1,
        bestFace: { time: start, box: { x: 0, y: 0, width: 1, height: 1 }, confidence: 1, distance: 0 },
        faces: 1,
      })),
    })),
    videoDuration: 10,
    sampleFps: 2,
    missingChunks: [],
  });

  it('covers seconds floor(start) .. ceil(end) - 1', () => {
    const seconds = secondsOfSegments(
      timelineOf({
        a: [
          [2.5, 4.2],
          [6, 8],
          [9.5, 9.5],
        ],
      }),
    );
    expect([...seconds.get('a')!].sort((x, y) => x - y)).toEqual([2, 3, 4, 6, 7, 9]);
  });

  it('scores a perfect hamilton timeline as perfect, defaulting enrolled to truth and timeline names', () => {
    const timeline = timelineOf({
      lin_manuel_miranda: [
        [0, 1],
        [2.1, 7.0],
      ],
      alex_lacamoire: [[0, 2]],
      barack_obama: [[7.04, 9.176]],
    });
    const report = scoreSegments(hamilton, timeline);
    expect(report.identities.map((score) => score.identity)).toEqual(HAMILTON);
    expect(report.overall).toMatchObject({ tp: 11, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1 });
  });

  it('scores the timeline built from chunk results, and the raw faces alike when nothing is bridged', () => {
    const chunks = [
      chunk(1, 5, 9.176, [face('barack_obama', 7.5), face('barack_obama', 8), face('barack_obama', 9), face('lin_manuel_miranda', 5.5)]),
      chunk(0, 0, 5, [face('lin_manuel_miranda', 3), face('lin_manuel_miranda', 3.5), face(null, 1)]),
    ];
    const timeline = buildTimeline(chunks, { sampleFps: 2, videoDuration: 9.176, gapTolerance: 0 });
    const fromSegments = scoreSegments(hamilton, timeline, HAMILTON);
    const fromFaces = scorePredictions(hamilton, HAMILTON, predictionsOfChunks(chunks));
    expect(predictionsOfChunks(chunks)).toHaveLength(6);
    expect(fromSegments).toEqual(fromFaces);
    expect(fromFaces.overall).toMatchObject({ tp: 5, fp: 0, fn: 6 });
  });
});

describe('formatScoreTable', () => {
  it('prints a row per identity, the overall row and notes', () => {
    const truth = parseTruthCsv('second,frames,a,b,c\n0,0-9,1,0,0\n1,10-19,?,1,0\n', 'v.per_second.csv');
    const report = scorePredictions(
      truth,
      ['a', 'b_long_name'],
      [
        { identity: 'a', time: 0.5 },
        { identity: 'b_long_name', time: 0.2 },
        { identity: 'a', time: 2.5 },
      ],
    );
    expect(formatScoreTable(report)).toBe(
      [
        'v.per_second.csv (2 s)',
        'identity     tp  fp  fn  precision  recall     f1  fp_seconds  excluded  outside',
        'a             1   0   0      1.000   1.000  1.000           0         1        1',
        'b_long_name   0   1   0      0.000     n/a  0.000           1         0        0',
        'overall       1   1   0      0.500   1.000  0.667           1         1        1',
        'n/a: precision with nothing predicted, recall with nothing to find',
        'excluded: cells marked ? in the truth (1), not scored',
        "outside: predicted seconds past the truth's last second (1), not scored",
        'not enrolled, not scored: b, c',
        '',
      ].join('\n'),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { summarizeChunk } from '../../../shared/timeline/chunk-summary.ts';
import { buildTimeline } from '../../../shared/timeline/merge.ts';
import { namedSightings } from '../../../shared/timeline/montage-plan.ts';
import { unnamedTracks } from '../../../shared/timeline/unknown-people.ts';
import { unitAt, vec } from '../match/vectors.ts';
import { chunk, face } from './make-chunks.ts';

/** An unnamed face with its own descriptors, nearest to ada just above the threshold: a near miss and an unknown person. */
const stranger = (time: number, track: string, quality = 0.5) =>
  face(null, time, { track, quality, nearest: 'ada', threshold: 0.53, distance: 0.55, embedding: vec(0, 0, 1), faceres: unitAt(2) });

const CHUNKS = [
  chunk(0, 0, 10, [face('ada', 1, { track: '0-0', faceres: unitAt(0) }), face('ada', 1.5, { track: '0-0' }), stranger(3, '0-1'), stranger(3.5, '0-1', 0.9)]),
  chunk(1, 10, 20, [face('ada', 10, { track: '1-0' }), stranger(12, '1-1'), face(null, 14, { track: '1-2', embedding: vec(1, 0, 0) })]),
];
const OPTIONS = { sampleFps: 2, videoDuration: 20, gapTolerance: 1.5, nearMissBand: 0.05 };

describe('summarizeChunk', () => {
  const summaries = CHUNKS.map((result) => summarizeChunk(result, 2));

  it('keeps no face descriptor', () => {
    const faces = summaries.flatMap((summary) => summary.sightings.faces);
    expect(faces).toHaveLength(7);
    expect(faces.filter((kept) => 'embedding' in kept || 'faceres' in kept)).toEqual([]);
  });

  it('gives the same timeline, near misses and montage evidence as the whole results', () => {
    const sightings = summaries.map((summary) => summary.sightings);
    expect(buildTimeline(sightings, OPTIONS)).toEqual(buildTimeline(CHUNKS, OPTIONS));
    expect(buildTimeline(sightings, OPTIONS).nearMisses).toHaveLength(2);
    expect(namedSightings(sightings)).toEqual(namedSightings(CHUNKS));
  });

  it("gives each unnamed track's descriptors as a reading of the whole video does", () => {
    const tracks = summaries.flatMap((summary) => summary.tracks);
    expect(tracks.map((track) => track.track)).toEqual(['0-1', '1-1', '1-2']);
    expect(tracks).toEqual(unnamedTracks(CHUNKS, 2));
  });
});

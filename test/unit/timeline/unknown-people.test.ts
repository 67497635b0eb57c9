import { describe, expect, it } from 'vitest';
import { findUnknownPeople, unnamedTracks } from '../../../shared/timeline/unknown-people.ts';
import { UnknownPeople } from '../../../shared/schemas/timeline.ts';
import { unitAt, vec } from '../match/vectors.ts';
import { chunk, face } from './make-chunks.ts';

/** A face of unknown person `who` (their own descriptors) in track `track`, at `time`. */
const seen = (who: number, track: string, time: number, quality = 0.5) =>
  face(null, time, { track, quality, embedding: vec(...new Array<number>(who + 1).fill(0), 1), faceres: unitAt(who), box: { x: 10, y: 20, width: 80, height: 80 } });

const OPTIONS = { sampleFps: 2, videoDuration: 20, gapTolerance: 1.5, missingChunks: [] };

describe('unknown people', () => {
  it("groups one person's tracks across chunks into segments, leaves named faces and lone sightings out, and numbers people by first appearance", () => {
    const chunks = [
      chunk(0, 0, 10, [seen(1, '0-0', 1), seen(1, '0-0', 1.5), seen(0, '0-1', 3), seen(0, '0-1', 3.5, 0.9), face('ada', 4, { track: '0-2' }), seen(2, '0-3', 6)]),
      chunk(1, 10, 20, [seen(0, '1-0', 10), seen(0, '1-0', 10.5), seen(0, '1-0', 11), seen(1, '1-1', 15), seen(1, '1-1', 15.5)]),
    ];
    const tracks = unnamedTracks(chunks, 1);
    expect(tracks.map((track) => track.track)).toEqual(['0-0', '0-1', '0-3', '1-0', '1-1']);
    const unknown = UnknownPeople.parse(findUnknownPeople(tracks, OPTIONS));
    expect(unknown.ignoredTracks).toBe(1);
    expect(unknown.people.map((person) => [person.id, person.tracks])).toEqual([
      ['u1', ['0-0', '1-1']],
      ['u2', ['1-0', '0-1']],
    ]);
    const [first, second] = unknown.people;
    expect(first!.segments.map(({ start, end }) => [start, end])).toEqual([
      [1, 2],
      [15, 16],
    ]);
    expect(first!.totalSeconds).toBe(2);
    expect([second!.firstSeen, second!.lastSeen]).toEqual([3, 11]);
    // Its clearest face of each track, the clearest first.
    expect(second!.bestFaces.map((best) => [best.track, best.time])).toEqual([
      ['0-1', 3.5],
      ['1-0', 10],
    ]);
  });

  it('does not bridge a segment across a chunk nobody scanned', () => {
    const chunks = [chunk(0, 0, 5, [seen(0, '0-0', 4), seen(0, '0-0', 4.5)]), chunk(2, 5.5, 10, [seen(0, '2-0', 5.5), seen(0, '2-0', 6)])];
    const unknown = findUnknownPeople(unnamedTracks(chunks, 1), { ...OPTIONS, missingChunks: [{ index: 1, start: 5, end: 5.5 }] });
    expect(unknown.people).toHaveLength(1);
    expect(unknown.people[0]!.segments.map(({ start, end }) => [start, end])).toEqual([
      [4, 5],
      [5.5, 6.5],
    ]);
  });
});

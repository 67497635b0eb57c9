import { describe, expect, it } from 'vitest';
import { TrackShortlist } from '../../../shared/timeline/track-shortlist.ts';
import type { UnnamedTrack } from '../../../shared/schemas/chunk-summary.ts';
import { unitAt, vec } from '../match/vectors.ts';

const track = (id: string, weight: number, described = true): UnnamedTrack => ({
  track: id,
  dlib: Float64Array.from(vec(1)),
  ...(described ? { faceres: Float64Array.from(unitAt(0)) } : {}),
  sightings: 2,
  weight,
  faceWidth: 80,
  times: [0, 0.5],
  boxes: [],
  best: { time: 0, box: { x: 0, y: 0, width: 80, height: 80 }, quality: 0.5 },
});

describe('TrackShortlist', () => {
  it('keeps every described track up to its limit, in video order whatever order the chunks came in', () => {
    const shortlist = new TrackShortlist(10);
    shortlist.add(2, [track('2-0', 1), track('2-1', 3)]);
    shortlist.add(0, [track('0-0', 2), track('0-1', 0.1, false)]);
    const { tracks, leftOut } = shortlist.result();
    expect(tracks.map((kept) => kept.track)).toEqual(['0-0', '2-0', '2-1']);
    expect(leftOut).toBe(1);
  });

  it('keeps the heaviest, ties in video order, and counts the rest', () => {
    const shortlist = new TrackShortlist(3);
    for (let chunk = 9; chunk >= 0; chunk--) shortlist.add(chunk, [track(`${chunk}-0`, chunk % 5), track(`${chunk}-1`, 4)]);
    const { tracks, leftOut } = shortlist.result();
    expect(tracks.map((kept) => kept.track)).toEqual(['0-1', '1-1', '2-1']);
    expect(leftOut).toBe(17);
  });
});

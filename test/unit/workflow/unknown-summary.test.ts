import { describe, expect, it } from 'vitest';
import type { UnknownPeople } from '../../../shared/schemas/timeline.ts';
import { MAX_LISTED_UNKNOWN, unknownSummary } from '../../../shared/workflow/unknown-people.ts';

/** Unknown person u<n>, first seen at n s and on screen for `seconds`. */
const person = (n: number, seconds: number): UnknownPeople['people'][number] => ({
  id: `u${n}`,
  tracks: [`0-${n}`],
  firstSeen: n,
  lastSeen: n + seconds,
  totalSeconds: seconds,
  segments: [{ start: n, end: n + seconds, firstSeen: n, lastSeen: n + seconds, faces: 2 }],
  bestFaces: [{ time: n, box: { x: 0, y: 0, width: 50, height: 50 }, quality: 0.5, track: `0-${n}` }],
});

describe("the Montage result's unknown people", () => {
  it('lists them all when they are few, in order of first appearance', () => {
    const section: UnknownPeople = { people: [person(1, 3), person(2, 9)], ignoredTracks: 0, threshold: 0.59 };
    expect(unknownSummary(section).map((p) => p.id)).toEqual(['u1', 'u2']);
  });

  it('keeps the result small on a crowded video: the longest on screen, at most 50', () => {
    // 4,000 people, u<n> on screen for n % 97 s: the cap keeps those with the most time.
    const people = Array.from({ length: 4000 }, (_, k) => person(k + 1, ((k + 1) % 97) + 1));
    const listed = unknownSummary({ people, ignoredTracks: 0, threshold: 0.59 });
    expect(listed).toHaveLength(MAX_LISTED_UNKNOWN);
    const longest = people.map((p) => p.totalSeconds).sort((a, b) => b - a);
    expect(Math.min(...listed.map((p) => p.totalSeconds))).toBe(longest[MAX_LISTED_UNKNOWN - 1]);
    expect(listed.map((p) => p.firstSeen)).toEqual([...listed.map((p) => p.firstSeen)].sort((a, b) => a - b));
    expect(JSON.stringify(listed).length).toBeLessThan(8 * 1024);
  });
});

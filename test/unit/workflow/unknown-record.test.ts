import { describe, expect, it } from 'vitest';
import { StoredUnknownPeople } from '../../../shared/schemas/unknown-people.ts';
import { unnamedTracks } from '../../../shared/timeline/unknown-people.ts';
import { MAX_STORED_TRACKS, unknownPeopleOf, unknownPeopleRecord } from '../../../shared/workflow/unknown-people.ts';
import type { VideoInfo } from '../../../shared/video/types.ts';
import { unitAt, vec } from '../match/vectors.ts';
import { chunk, face } from '../timeline/make-chunks.ts';

const VIDEO: VideoInfo = { durationSeconds: 600, width: 640, height: 360, fps: 25, startTime: 0, fileStartTime: 0, rotation: 0, codec: 'h264', hasAudio: false };

/** One person seen in `shots` tracks of two sightings each, the later tracks with clearer faces (heavier). */
function onePersonIn(shots: number) {
  const faces = Array.from({ length: shots }, (_, shot) =>
    [0, 0.5].map((dt) =>
      face(null, shot * 10 + dt, {
        track: `0-${shot}`,
        quality: 0.2 + (0.7 * shot) / shots,
        embedding: vec(0, 1),
        faceres: unitAt(3),
        box: { x: 10, y: 20, width: 80, height: 80 },
      }),
    ),
  ).flat();
  const tracks = unnamedTracks([chunk(0, 0, 600, faces)], 1);
  return unknownPeopleOf({ tracks, leftOut: 0 }, { video: VIDEO, sampleFps: 2, gapTolerance: 1.5, missingChunks: [] });
}

describe('unknownPeopleRecord', () => {
  it('keeps every track of a person seen in a few shots, with their clearest face', () => {
    const found = onePersonIn(3);
    expect(found.section.people.map((person) => person.tracks.length)).toEqual([3]);
    const record = StoredUnknownPeople.parse(unknownPeopleRecord(found, { jobId: 'j-1', models: 'm-1', faces: new Map([['u1', Buffer.from([0xff, 0xd8])]]) }));
    expect(record.people[0]!.tracks.map((track) => track.track)).toEqual(found.section.people[0]!.tracks);
    expect(record.people[0]!.face).toBe('data:image/jpeg;base64,/9g=');
  });

  it('keeps only the heaviest tracks of a person seen in hundreds of shots, so the record does not grow with the video', () => {
    const found = onePersonIn(200);
    const [person] = found.section.people;
    expect(person!.tracks).toHaveLength(200);
    const record = StoredUnknownPeople.parse(unknownPeopleRecord(found, { jobId: 'j-1', models: 'm-1', faces: new Map() }));
    const kept = record.people[0]!.tracks.map((track) => track.track);
    expect(kept).toEqual(person!.tracks.slice(0, MAX_STORED_TRACKS));
    expect(kept[0]).toBe('0-199');
    expect(record.people[0]!.face).toBeUndefined();
  });
});

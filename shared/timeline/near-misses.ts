import type { ChunkSightings, SightedFace } from '../schemas/faces.ts';
import type { NearMiss } from '../schemas/timeline.ts';
import { roundTo } from '../numbers/round.ts';

/** At most this many are listed, the closest first: a crowd could have hundreds. */
export const MAX_NEAR_MISSES = 50;

/**
 * Tracks no one was named in whose fused distance to an enrolled person lies at most `band` above
 * the threshold they were judged against (at or under it, the margin refused them as a
 * look-alike): candidates for a person to confirm or reject. Each is listed with the identity it
 * was nearest to and its best face (the highest quality).
 */
export function findNearMisses(chunks: readonly ChunkSightings[], band: number): NearMiss[] {
  const tracks = new Map<string, SightedFace[]>();
  for (const chunk of chunks) {
    for (const face of chunk.faces) {
      if (face.identity !== null || face.nearest === undefined || face.threshold === undefined || face.distance === null) continue;
      if (face.distance > face.threshold + band) continue;
      const list = tracks.get(face.track);
      if (list) list.push(face);
      else tracks.set(face.track, [face]);
    }
  }
  const misses = [...tracks].map(([track, faces]): NearMiss => {
    const best = faces.reduce((top, face) => (face.quality > top.quality ? face : top));
    const times = faces.map((face) => face.time);
    return {
      name: best.nearest!,
      track,
      firstSeen: roundTo(Math.min(...times), 6),
      lastSeen: roundTo(Math.max(...times), 6),
      distance: best.distance!,
      threshold: best.threshold!,
      bestFace: { time: best.time, box: best.box },
    };
  });
  return misses.sort((p, q) => p.distance - p.threshold - (q.distance - q.threshold) || p.firstSeen - q.firstSeen).slice(0, MAX_NEAR_MISSES);
}

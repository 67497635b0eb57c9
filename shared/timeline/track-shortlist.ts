import type { UnnamedTrack } from '../schemas/chunk-summary.ts';

interface Listed {
  /** Where the track was read: its chunk's index, then its place in that chunk's list. */
  chunk: number;
  place: number;
  track: UnnamedTrack;
}

export interface ShortlistedTracks {
  tracks: UnnamedTrack[];
  leftOut: number;
}

const inVideoOrder = (p: Listed, q: Listed): number => p.chunk - q.chunk || p.place - q.place;
const heaviestFirst = (p: Listed, q: Listed): number => q.track.weight - p.track.weight || inVideoOrder(p, q);

/**
 * The unnamed tracks grouping can use, gathered chunk by chunk in any order: the `limit` heaviest
 * of those FaceRes described (grouping compares no more: shared/match/cluster.ts maxTracks), and a
 * count of the rest. A crowded video of many hours holds tens of thousands of tracks, each with its
 * descriptors; only the shortlist's are held.
 */
export class TrackShortlist {
  private readonly limit: number;
  private listed: Listed[] = [];
  private left = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  add(chunk: number, tracks: readonly UnnamedTrack[]): void {
    tracks.forEach((track, place) => {
      if (track.faceres === undefined) this.left++;
      else this.listed.push({ chunk, place, track });
    });
    // Trimmed now and then rather than at every chunk: sorting is what it costs.
    if (this.listed.length > 2 * this.limit) this.trim();
  }

  /** The shortlist in video order (the order grouping breaks ties by), and how many tracks were left out. */
  result(): ShortlistedTracks {
    this.trim();
    return { tracks: [...this.listed].sort(inVideoOrder).map((listed) => listed.track), leftOut: this.left };
  }

  private trim(): void {
    if (this.listed.length <= this.limit) return;
    this.listed.sort(heaviestFirst);
    this.left += this.listed.length - this.limit;
    this.listed.length = this.limit;
  }
}

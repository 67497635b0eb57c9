import { TrackLinker, type RatedSighting } from '../match/tracks.ts';
import type { FivePoints } from '../vision/align.ts';
import { embedFaceResChips, faceResChip } from '../vision/embed-faceres.ts';
import type { RgbImage } from '../vision/image.ts';
import type { ScanOptions } from './scan.ts';

/** A face as the scan holds it while the chunk is decoded: in the analysed frame's pixels. */
export interface SightedFace extends RatedSighting {
  time: number;
  score: number;
}

/** Described tracks' chips kept to be cut into again: a fresh 0.6 MB chip costs new zeroed pages. */
const MAX_SPARE_CHIPS = 8;

/** A live track's few best sightings, with their FaceRes chips cut while the frame is at hand. */
interface Candidates {
  members: number[];
  best: { quality: number; face: number; chip: Float32Array }[];
}

/**
 * Follows tracks while frames are decoded and describes each with FaceRes once it ends, in its
 * `bestSightings` best faces only (a better one replaces the worst as the track goes on). FaceRes
 * costs more than twice dlib per face; this keeps its cost to a few faces per track, and no frame
 * has to outlive its own analysis. Every track is described, near someone enrolled or not, so a
 * stored chunk result can be searched for other people without decoding the video again.
 */
export class TrackDescriber {
  private readonly linker: TrackLinker;
  private readonly live = new Map<number, Candidates>();
  private readonly spareChips: Float32Array[] = [];
  readonly trackOf: number[] = [];

  constructor(
    private readonly faces: SightedFace[],
    private readonly options: ScanOptions,
  ) {
    this.linker = new TrackLinker(options.tracks);
  }

  async addFrame(image: RgbImage, sample: number, found: { face: SightedFace; points: FivePoints }[]): Promise<void> {
    const first = this.faces.length;
    for (const { face } of found) this.faces.push(face);
    const { tracks, ended } = this.linker.add(
      sample,
      found.map(({ face }) => face),
    );
    await this.describe(ended);
    tracks.forEach((track, k) => {
      const index = first + k;
      this.trackOf[index] = track;
      const candidates = this.live.get(track) ?? { members: [], best: [] };
      this.live.set(track, candidates);
      candidates.members.push(index);
      const quality = this.faces[index]!.quality;
      const worst = candidates.best.reduce((low, entry, i) => (low < 0 || entry.quality < candidates.best[low]!.quality ? i : low), -1);
      if (candidates.best.length < this.options.tracks.bestSightings) {
        candidates.best.push({ quality, face: index, chip: faceResChip(image, { points: found[k]!.points }, this.spareChips.pop()) });
      } else if (worst >= 0 && quality > candidates.best[worst]!.quality) {
        // The face it replaces will not be described: its chip is cut into again.
        candidates.best[worst] = { quality, face: index, chip: faceResChip(image, { points: found[k]!.points }, candidates.best[worst]!.chip) };
      }
    });
  }

  async finish(): Promise<void> {
    await this.describe(this.linker.finish());
  }

  private async describe(tracks: readonly number[]): Promise<void> {
    for (const track of tracks) {
      const candidates = this.live.get(track);
      if (!candidates) continue;
      this.live.delete(track);
      const outputs = await embedFaceResChips(
        candidates.best.map((entry) => entry.chip),
        this.options.analyze.detect.threads,
      );
      candidates.best.forEach((entry, i) => (this.faces[entry.face]!.faceres = outputs[i]!.descriptor));
      for (const entry of candidates.best) if (this.spareChips.length < MAX_SPARE_CHIPS) this.spareChips.push(entry.chip);
    }
  }
}

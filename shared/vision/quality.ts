import type { Box } from '../schemas/faces.ts';
import type { FivePoints } from './align.ts';

/**
 * Width (px) from which a face carries all the detail the descriptors use: their chips are
 * 150 and 224 px, but faces in the sample footage gain little in separation beyond about this.
 */
const FULL_DETAIL_WIDTH = 80;

/**
 * How much one sighting of a face should count as evidence of who it is, 0..1: its size (small
 * faces are blurred into their neighbours' look), how frontal it is (a turned head shows half a
 * face; yaw is read from where the nose sits between the eyes) and the detector's confidence.
 */
export function faceQuality(face: { box: Box; score: number; points: FivePoints }): number {
  const size = Math.min(1, face.box.width / FULL_DETAIL_WIDTH);
  const { leftEye, rightEye, nose } = face.points;
  const eyes = Math.hypot(rightEye.x - leftEye.x, rightEye.y - leftEye.y);
  const midX = (leftEye.x + rightEye.x) / 2;
  const yaw = eyes > 0 ? Math.abs(nose.x - midX) / eyes : 1;
  const frontal = Math.max(0.05, 1 - 2 * yaw);
  return size * frontal * face.score;
}

import type { Box } from '../schemas/faces.ts';
import type { Point } from './affine.ts';
import { iou } from './box.ts';

export interface Detection {
  box: Box;
  score: number;
  /** The detector's six keypoints in frame pixels: eyes (image left, right), nose, mouth, ears. */
  keypoints: Point[];
}

/**
 * Weighted non-maximum suppression: overlapping detections (from neighbouring anchors and from
 * the pyramid's levels) are averaged, weighted by score, rather than just dropped; that steadies
 * boxes and keypoints, which alignment depends on.
 */
export function weightedNms(detections: readonly Detection[], minIoU: number): Detection[] {
  const remaining = [...detections].sort((p, q) => q.score - p.score);
  const kept: Detection[] = [];
  while (remaining.length > 0) {
    const top = remaining.shift()!;
    const cluster: Detection[] = [top];
    for (let i = remaining.length - 1; i >= 0; i--) {
      if (iou(top.box, remaining[i]!.box) >= minIoU) cluster.push(...remaining.splice(i, 1));
    }
    const total = cluster.reduce((sum, d) => sum + d.score, 0);
    const mean = (pick: (d: Detection) => number): number => cluster.reduce((sum, d) => sum + pick(d) * d.score, 0) / total;
    kept.push({
      box: { x: mean((d) => d.box.x), y: mean((d) => d.box.y), width: mean((d) => d.box.width), height: mean((d) => d.box.height) },
      score: top.score,
      keypoints: top.keypoints.map((_, k) => ({ x: mean((d) => d.keypoints[k]!.x), y: mean((d) => d.keypoints[k]!.y) })),
    });
  }
  return kept;
}

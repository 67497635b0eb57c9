/**
 * How the two descriptors' distances are combined. dlib (128-D) and HSE FaceRes (1024-D) err on
 * different faces: on the photo set's hard probes, summing their z-normalized distances lifted
 * genuine acceptance at FAR 1e-3 from 0.77 (dlib) and 0.82 (FaceRes) to 0.92 (README,
 * "Calibration"). Each distance is normalized by the mean and spread of its impostor distances,
 * and FaceRes's is then mapped onto dlib's scale, so the fused distance reads like the dlib
 * distances users know (0 identical, ~0.78 a typical stranger) and ranks like the z-sum.
 */

/** Mean and standard deviation of a descriptor's distances between different people. */
export interface ImpostorMoments {
  mean: number;
  std: number;
}

export interface Fusion {
  dlib: ImpostorMoments;
  faceres: ImpostorMoments;
}

/**
 * Measured by `lambdaface eval-photos` on ../shared/data/faces (118 photos of 19 people): every
 * photo's video-like copy (face 64 px, JPEG q60) against the other photos' nearest descriptor
 * per identity, over the 2,124 pairs of different people. Photos, never the videos.
 */
export const DEFAULT_FUSION: Fusion = {
  dlib: { mean: 0.778, std: 0.0886 },
  faceres: { mean: 1.086, std: 0.0633 },
};

/**
 * The fused distance of a face to an identity from its dlib and FaceRes distances to it. Two
 * near-identical faces map below zero on dlib's scale; they are as alike as the descriptors can
 * tell, so the distance stops at 0.
 */
export function fusedDistance(dlib: number, faceres: number, fusion: Fusion = DEFAULT_FUSION): number {
  const faceresOnDlibScale = fusion.dlib.mean + (fusion.dlib.std * (faceres - fusion.faceres.mean)) / fusion.faceres.std;
  return Math.max(0, (dlib + faceresOnDlibScale) / 2);
}

import type { Box } from '../schemas/faces.ts';
import type { FivePoints } from './align.ts';
import { detectFaces } from './detect.ts';
import { embedFaces } from './embed.ts';
import type { RgbImage } from './image.ts';
import { locateLandmarks } from './landmarks.ts';
import { DEFAULT_ANALYZE_OPTIONS, type AnalyzeOptions } from './options.ts';

export interface AnalyzedFace {
  box: Box;
  score: number;
  faceflag: number;
  points: FivePoints;
  embedding: Float32Array;
}

/** detect -> landmarks -> align -> embed for every face of one image. */
export async function analyzeImage(image: RgbImage, options: AnalyzeOptions = DEFAULT_ANALYZE_OPTIONS): Promise<AnalyzedFace[]> {
  const threads = options.detect.threads;
  const detections = await detectFaces(image, options.detect);
  const landmarks = await locateLandmarks(image, detections, threads);
  const faces = detections.map((detection, i) => ({ detection, landmarks: landmarks[i]! })).filter(({ landmarks }) => landmarks.faceflag >= options.minFaceflag);
  const embeddings = await embedFaces(
    image,
    faces.map(({ landmarks }) => ({ points: landmarks.points })),
    threads,
  );
  return faces.map(({ detection, landmarks }, i) => ({
    box: detection.box,
    score: detection.score,
    faceflag: landmarks.faceflag,
    points: landmarks.points,
    embedding: embeddings[i]!,
  }));
}

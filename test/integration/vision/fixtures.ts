import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PhotoSource } from '../../../shared/match/gallery.ts';
import { decodeFrames } from '../../../shared/video/decode.ts';
import { loadImage, type RgbImage } from '../../../shared/vision/image.ts';

/** Real photos and videos of fixtures/ (never ../shared: a fresh clone has only fixtures/). */
export const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

export const fixture = (relative: string): string => `${FIXTURES}${relative}`;

export const PHOTOS = {
  lin: 'faces/lin_manuel_miranda/fr_lin-manuel-miranda.png',
  alex1: 'faces/alex_lacamoire/fr_alex-lacamoire.png',
  alex2: 'faces/alex_lacamoire/fr_knn_train_img1.jpg',
  obama1: 'faces/barack_obama/fr_obama.jpg',
  obama2: 'faces/barack_obama/fr_obama2.jpg',
  /** A tight grey crop: the detector needs a border around it. */
  jim: 'faces/jim_parsons/faceapi_sheldon1.png',
  /** A tight 150 px crop. */
  john: 'faces/john_salley/dlib_000179_02159509.jpg',
  /** barack_obama (left), joe_biden (right). */
  twoPeople: 'scenes/fr_two_people.jpg',
} as const;

export const VIDEOS = {
  hamilton: fixture('videos/hamilton_short.mp4'),
  crowd: fixture('videos/crowd_walking.mp4'),
} as const;

export const loadFixture = (relative: string): Promise<RgbImage> => loadImage(fixture(relative));

export const photoSource = (relative: string): PhotoSource => ({ source: fixture(relative), bytes: readFileSync(fixture(relative)) });

/** The five people the scan tests enrol: the three of hamilton_short.mp4 and two others. */
export const ENROLLED = [
  { name: 'lin_manuel_miranda', photos: [PHOTOS.lin] },
  { name: 'alex_lacamoire', photos: [PHOTOS.alex1, PHOTOS.alex2] },
  { name: 'barack_obama', photos: [PHOTOS.obama1, PHOTOS.obama2] },
  { name: 'jim_parsons', photos: [PHOTOS.jim] },
  { name: 'john_salley', photos: [PHOTOS.john] },
].map(({ name, photos }) => ({ name, photos: photos.map(photoSource) }));

/** One decoded frame of a video, at the first sample at or after `time` seconds. */
export async function frameAt(video: string, time: number): Promise<RgbImage> {
  for await (const frame of decodeFrames(video, { start: time, end: time + 1, sampleFps: 1 })) {
    return { width: frame.width, height: frame.height, data: new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.length) };
  }
  throw new Error(`no frame at ${time} s in ${video}`);
}

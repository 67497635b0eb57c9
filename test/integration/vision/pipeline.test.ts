import { beforeAll, describe, expect, it } from 'vitest';
import { euclidean } from '../../../shared/match/distance.ts';
import { NO_JITTER } from '../../../shared/vision/align.ts';
import { analyzeImage } from '../../../shared/vision/analyze.ts';
import { detectFaces } from '../../../shared/vision/detect.ts';
import { DEFAULT_DETECT_OPTIONS } from '../../../shared/vision/options.ts';
import { embedFaces } from '../../../shared/vision/embed.ts';
import { padImage, type RgbImage } from '../../../shared/vision/image.ts';
import { locateLandmarks } from '../../../shared/vision/landmarks.ts';
import type { Detection } from '../../../shared/vision/nms.ts';
import { iou } from '../../../shared/vision/box.ts';
import { frameAt, loadFixture, PHOTOS, VIDEOS } from './fixtures.ts';

/** detect -> landmarks -> align -> embed with the real ONNX models on the fixture photos. */

const SINGLE = [PHOTOS.lin, PHOTOS.alex1, PHOTOS.alex2, PHOTOS.obama1, PHOTOS.obama2, PHOTOS.john];

const images = new Map<string, RgbImage>();
const detections = new Map<string, Detection[]>();

beforeAll(async () => {
  for (const photo of [...SINGLE, PHOTOS.twoPeople]) {
    const image = await loadFixture(photo);
    images.set(photo, image);
    detections.set(photo, await detectFaces(image));
  }
  // The tight grey crop is found only with a border, as enrolment adds one.
  const jim = padImage(await loadFixture(PHOTOS.jim), 0.5).image;
  images.set(PHOTOS.jim, jim);
  detections.set(PHOTOS.jim, await detectFaces(jim));
});

const get = <T>(map: Map<string, T>, key: string): T => {
  const value = map.get(key);
  if (value === undefined) throw new Error(`nothing for ${key}`);
  return value;
};

function expectPlausibleBox(detection: Detection, image: RgbImage) {
  const { x, y, width, height } = detection.box;
  const side = Math.min(image.width, image.height);
  // A face of a portrait: a good part of the photo, square-ish, and (nearly) inside it.
  expect(width).toBeGreaterThan(0.1 * side);
  expect(width).toBeLessThanOrEqual(1.02 * side);
  expect(height / width).toBeGreaterThan(0.8);
  expect(height / width).toBeLessThan(1.25);
  const slack = 0.05 * side;
  expect(x).toBeGreaterThan(-slack);
  expect(y).toBeGreaterThan(-slack);
  expect(x + width).toBeLessThan(image.width + slack);
  expect(y + height).toBeLessThan(image.height + slack);
  expect(detection.score).toBeGreaterThanOrEqual(DEFAULT_DETECT_OPTIONS.minScore);
  expect(detection.score).toBeLessThanOrEqual(1);
}

describe('detectFaces on fixture photos', () => {
  it.each([...SINGLE, PHOTOS.jim])('finds exactly one plausible face in %s', (photo) => {
    const found = get(detections, photo);
    expect(found).toHaveLength(1);
    expectPlausibleBox(found[0]!, get(images, photo));
  });

  it('finds both people in scenes/fr_two_people.jpg, one on each side', () => {
    const image = get(images, PHOTOS.twoPeople);
    const found = get(detections, PHOTOS.twoPeople);
    expect(found).toHaveLength(2);
    const [left, right] = [...found].sort((p, q) => p.box.x - q.box.x);
    for (const face of [left!, right!]) {
      expect(face.box.width).toBeGreaterThan(0.1 * image.width);
      expect(face.box.width).toBeLessThan(0.3 * image.width);
      expect(face.box.y + face.box.height / 2).toBeLessThan(image.height / 2);
    }
    expect(left!.box.x + left!.box.width).toBeLessThan(image.width / 2);
    expect(right!.box.x).toBeGreaterThan(image.width / 2);
  });

  it("the detector's six keypoints sit in their box: eyes in the upper half, eyes left-right as seen", () => {
    for (const [photo, found] of detections) {
      for (const { box, keypoints } of found) {
        expect(keypoints, photo).toHaveLength(6);
        const [rightEye, leftEye, nose, mouth] = keypoints as [(typeof keypoints)[0], (typeof keypoints)[0], (typeof keypoints)[0], (typeof keypoints)[0]];
        // Keypoint 0 is the subject's right eye: image left on a frontal face.
        expect(rightEye.x, photo).toBeLessThan(leftEye.x);
        for (const p of [rightEye, leftEye, nose, mouth]) {
          expect(p.x, photo).toBeGreaterThan(box.x);
          expect(p.x, photo).toBeLessThan(box.x + box.width);
        }
        expect(Math.max(rightEye.y, leftEye.y), photo).toBeLessThan(nose.y);
        expect(nose.y, photo).toBeLessThan(mouth.y);
      }
    }
  });

  it('a frame with nothing in it has no faces', async () => {
    const grey: RgbImage = { width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(128) };
    expect(await detectFaces(grey)).toEqual([]);
  });
});

describe('locateLandmarks on fixture photos', () => {
  it('puts the left eye left of the right eye, both above the nose, the nose above the mouth', async () => {
    for (const photo of [...SINGLE, PHOTOS.jim, PHOTOS.twoPeople]) {
      const image = get(images, photo);
      const found = get(detections, photo);
      const landmarks = await locateLandmarks(image, found);
      expect(landmarks).toHaveLength(found.length);
      landmarks.forEach(({ faceflag, points }, i) => {
        const box = found[i]!.box;
        expect(faceflag, photo).toBeGreaterThan(0.5);
        expect(points.leftEye.x, photo).toBeLessThan(points.rightEye.x);
        expect(points.leftMouth.x, photo).toBeLessThan(points.rightMouth.x);
        expect(Math.max(points.leftEye.y, points.rightEye.y), photo).toBeLessThan(points.nose.y);
        expect(points.nose.y, photo).toBeLessThan(Math.min(points.leftMouth.y, points.rightMouth.y));
        // The nose lies between the eyes horizontally, and the eyes are a sensible distance apart.
        expect(points.nose.x, photo).toBeGreaterThan(points.leftEye.x);
        expect(points.nose.x, photo).toBeLessThan(points.rightEye.x);
        const eyes = points.rightEye.x - points.leftEye.x;
        expect(eyes / box.width, photo).toBeGreaterThan(0.2);
        expect(eyes / box.width, photo).toBeLessThan(0.6);
        // The mesh and the detector agree on where the eyes are (to a tenth of the face).
        const [detRight, detLeft] = found[i]!.keypoints;
        expect(Math.hypot(points.leftEye.x - detRight!.x, points.leftEye.y - detRight!.y) / box.width, photo).toBeLessThan(0.1);
        expect(Math.hypot(points.rightEye.x - detLeft!.x, points.rightEye.y - detLeft!.y) / box.width, photo).toBeLessThan(0.1);
      });
    }
  });

  it('returns nothing for no detections', async () => {
    expect(await locateLandmarks(get(images, PHOTOS.lin), [])).toEqual([]);
  });
});

describe('embeddings of fixture photos', () => {
  const embeddingOf = async (photo: string): Promise<Float32Array> => {
    const faces = await analyzeImage(get(images, photo));
    expect(faces, photo).toHaveLength(1);
    return faces[0]!.embedding;
  };

  it('the two barack_obama photos are closer (< 0.5) than Obama and Lin-Manuel (> 0.6)', async () => {
    const [obama1, obama2, lin] = await Promise.all([embeddingOf(PHOTOS.obama1), embeddingOf(PHOTOS.obama2), embeddingOf(PHOTOS.lin)]);
    expect(obama1).toHaveLength(128);
    expect(euclidean(obama1, obama2)).toBeLessThan(0.5);
    expect(euclidean(obama1, lin)).toBeGreaterThan(0.6);
    expect(euclidean(obama2, lin)).toBeGreaterThan(0.6);
  });

  it('different people in one photo get different descriptors; Obama in the scene is nearer his photo than Biden', async () => {
    const faces = await analyzeImage(get(images, PHOTOS.twoPeople));
    expect(faces).toHaveLength(2);
    const [obama, biden] = [...faces].sort((p, q) => p.box.x - q.box.x);
    const reference = await embeddingOf(PHOTOS.obama1);
    expect(euclidean(obama!.embedding, biden!.embedding)).toBeGreaterThan(0.6);
    expect(euclidean(reference, obama!.embedding)).toBeLessThan(euclidean(reference, biden!.embedding));
  });

  it('is deterministic, batch-independent, and a mirrored chip stays near the plain one', async () => {
    const image = get(images, PHOTOS.lin);
    const [face] = await analyzeImage(image);
    const points = face!.points;
    const [alone] = await embedFaces(image, [{ points }]);
    const [plain, mirrored, darker] = await embedFaces(image, [{ points }, { points, jitter: { ...NO_JITTER, flip: true } }, { points, gain: 0.8 }]);
    expect(euclidean(alone!, face!.embedding)).toBeLessThan(1e-5);
    expect(euclidean(plain!, alone!)).toBeLessThan(1e-5);
    // Augmented chips are the same person (well within the match threshold) but not the same chip.
    for (const variant of [mirrored!, darker!]) {
      expect(euclidean(variant, plain!)).toBeGreaterThan(1e-3);
      expect(euclidean(variant, plain!)).toBeLessThan(0.4);
    }
  });
});

describe('the detector pyramid', () => {
  it('finds at least as many faces as the whole frame alone on a crowd_walking frame, and the small ones', async () => {
    const frame = await frameAt(VIDEOS.crowd, 0);
    expect([frame.width, frame.height]).toEqual([1920, 1080]);
    const pyramid = await detectFaces(frame, { ...DEFAULT_DETECT_OPTIONS, minWindowSide: 320 });
    const whole = await detectFaces(frame, { ...DEFAULT_DETECT_OPTIONS, minWindowSide: null });
    expect(pyramid.length).toBeGreaterThanOrEqual(whole.length);
    expect(pyramid.length).toBeGreaterThanOrEqual(3);
    // Every face the whole frame finds is found by the pyramid as well.
    for (const face of whole) expect(Math.max(...pyramid.map((t) => iou(t.box, face.box)))).toBeGreaterThan(0.3);
    // What the finer levels add is small faces: under 5% of the frame width, which the 192-px whole-frame pass cannot see.
    const small = pyramid.filter((t) => t.box.width < 0.05 * frame.width);
    expect(small.length).toBeGreaterThanOrEqual(2);
    expect(whole.filter((t) => t.box.width < 0.05 * frame.width)).toHaveLength(0);
    // The faces that pass the landmark model are also more with the finer levels.
    const analyzedPyramid = await analyzeImage(frame, { detect: { ...DEFAULT_DETECT_OPTIONS, minWindowSide: 320 }, minFaceflag: 0.5 });
    const analyzedWhole = await analyzeImage(frame, { detect: { ...DEFAULT_DETECT_OPTIONS, minWindowSide: null }, minFaceflag: 0.5 });
    expect(analyzedPyramid.length).toBeGreaterThan(analyzedWhole.length);
  });

  it('pyramid boxes are in frame pixels: a face found at several levels lands in the same place', async () => {
    const frame = await frameAt(VIDEOS.hamilton, 4);
    const pyramid = await detectFaces(frame, { ...DEFAULT_DETECT_OPTIONS, minWindowSide: 320 });
    const whole = await detectFaces(frame, { ...DEFAULT_DETECT_OPTIONS, minWindowSide: null });
    expect(whole.length).toBeGreaterThanOrEqual(1);
    for (const face of whole) expect(Math.max(...pyramid.map((t) => iou(t.box, face.box)))).toBeGreaterThan(0.7);
  });
});

describe('analyzeImage', () => {
  it('drops detections the landmark model does not take for a face', async () => {
    const image = await loadFixture('scenes/fr_knn_test_obama_and_biden.jpg');
    const found = await detectFaces(image);
    const landmarks = await locateLandmarks(image, found);
    const faces = await analyzeImage(image);
    const kept = landmarks.filter((l) => l.faceflag >= 0.5).length;
    expect(faces).toHaveLength(kept);
    expect(faces.every((f) => f.faceflag >= 0.5)).toBe(true);
    // Biden and Obama at least.
    expect(faces.filter((f) => f.box.width > 150).length).toBeGreaterThanOrEqual(2);
  });
});

import * as ort from 'onnxruntime-node';
import { sampleInto, squareCropAffine } from './affine.ts';
import type { RgbImage } from './image.ts';
import { FACE_DETECTOR, decodeDetection, loadModel } from './models.ts';
import { weightedNms, type Detection } from './nms.ts';
import { DEFAULT_DETECT_OPTIONS, type DetectOptions } from './options.ts';
import { planTiles, type Tile } from './tiles.ts';

const SIZE = FACE_DETECTOR.anchors.inputSize;
const ROW = 17;

/** Finds every face in `image`: the whole frame plus tiles, in one batched detector run. */
export async function detectFaces(image: RgbImage, options: DetectOptions = DEFAULT_DETECT_OPTIONS): Promise<Detection[]> {
  const tiles = planTiles(image.width, image.height, { minTileSide: options.minTileSide ?? Infinity, overlap: options.overlap });
  const batch = new Float32Array(tiles.length * SIZE * SIZE * 3);
  tiles.forEach((tile, i) => {
    sampleInto(image, squareCropAffine(tile.left, tile.top, tile.side, SIZE), SIZE, SIZE, batch, { offset: i * SIZE * SIZE * 3 });
  });
  const session = await loadModel('face-detector', { threads: options.threads });
  const input = new ort.Tensor('float32', batch, [tiles.length, SIZE, SIZE, 3]);
  const output = await session.run({ [FACE_DETECTOR.input.name]: input });
  const raw = output[FACE_DETECTOR.outputs.detections.name]!.data as Float32Array;
  const candidates: Detection[] = [];
  const perImage = FACE_DETECTOR.anchors.count * ROW;
  tiles.forEach((tile, i) => {
    candidates.push(...decodeTile(raw.subarray(i * perImage, (i + 1) * perImage), tile, i === 0, image, options.minScore));
  });
  return weightedNms(candidates, options.nmsIoU);
}

/** Cheap pre-check on the logit so most of the 2304 anchors are never decoded. */
const logit = (p: number): number => Math.log(p / (1 - p));

function decodeTile(raw: Float32Array, tile: Tile, wholeFrame: boolean, image: RgbImage, minScore: number): Detection[] {
  const minLogit = logit(minScore);
  const found: Detection[] = [];
  for (let anchor = 0; anchor < FACE_DETECTOR.anchors.count; anchor++) {
    if (raw[anchor * ROW]! < minLogit) continue;
    const decoded = decodeDetection(raw, anchor);
    const toFrame = (x: number, y: number) => ({ x: tile.left + x * tile.side, y: tile.top + y * tile.side });
    const topLeft = toFrame(decoded.box.xMin, decoded.box.yMin);
    const bottomRight = toFrame(decoded.box.xMax, decoded.box.yMax);
    const detection: Detection = {
      box: { x: topLeft.x, y: topLeft.y, width: bottomRight.x - topLeft.x, height: bottomRight.y - topLeft.y },
      score: decoded.score,
      keypoints: decoded.keypoints.map((p) => toFrame(p.x, p.y)),
    };
    if (!wholeFrame && cutByTileEdge(detection, tile, image)) continue;
    found.push(detection);
  }
  return found;
}

/**
 * A face cut by a tile's inner edge is a partial face; the neighbouring tile or the whole-frame
 * pass sees it whole. Edges that are also frame edges don't count.
 */
function cutByTileEdge(detection: Detection, tile: Tile, image: RgbImage): boolean {
  const margin = tile.side * 0.01;
  const { x, y, width, height } = detection.box;
  return (
    (x < tile.left + margin && tile.left > 0) ||
    (y < tile.top + margin && tile.top > 0) ||
    (x + width > tile.left + tile.side - margin && tile.left + tile.side < image.width) ||
    (y + height > tile.top + tile.side - margin && tile.top + tile.side < image.height)
  );
}

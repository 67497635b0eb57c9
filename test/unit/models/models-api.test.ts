import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { LambdafaceError } from '../../../shared/errors.ts';
import {
  decodeDetection,
  detectorAnchor,
  ensureModels,
  FACE_DETECTOR,
  loadModel,
  MODEL_NAMES,
  modelDir,
  MODELS,
  MODELS_MANIFEST,
  releaseModels,
  setModelBuilder,
} from '../../../shared/vision/models.ts';

const REPO_MODELS = fileURLToPath(new URL('../../../layers/onnx/models', import.meta.url));
const temps: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lambdaface-modeldir-'));
  temps.push(d);
  return d;
};

afterEach(() => vi.unstubAllEnvs());
afterAll(async () => {
  await releaseModels();
  temps.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

async function modelErrorOf(promise: Promise<unknown>): Promise<LambdafaceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LambdafaceError);
  expect((error as LambdafaceError).kind).toBe('ModelError');
  return error as LambdafaceError;
}

describe('modelDir', () => {
  it('prefers LAMBDAFACE_MODEL_DIR, then /opt/models on Lambda, then the repo', () => {
    vi.stubEnv('LAMBDAFACE_MODEL_DIR', '');
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    vi.stubEnv('LAMBDA_TASK_ROOT', '');
    expect(modelDir()).toBe(REPO_MODELS);
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'recognize');
    expect(modelDir()).toBe('/opt/models');
    vi.stubEnv('LAMBDAFACE_MODEL_DIR', '/somewhere/models');
    expect(modelDir()).toBe('/somewhere/models');
  });
});

describe('ensureModels with a prebuilt directory', () => {
  it('only checks presence, and says to run `npm run models` when files are missing', async () => {
    const dir = tempDir();
    vi.stubEnv('LAMBDAFACE_MODEL_DIR', dir);
    const error = await modelErrorOf(ensureModels());
    expect(error.message).toContain('face-detector.onnx, face-landmarks.onnx, face-embedder.onnx, faceres-embedder.onnx, models.json');
    expect(error.input).toBe('LAMBDAFACE_MODEL_DIR');
    expect(error.hint).toContain('npm run models');
  });

  it('accepts a directory holding the models', async () => {
    const dir = tempDir();
    for (const f of [...MODEL_NAMES.map((n) => MODELS[n].file), MODELS_MANIFEST]) copyFileSync(join(REPO_MODELS, f), join(dir, f));
    vi.stubEnv('LAMBDAFACE_MODEL_DIR', dir);
    await expect(ensureModels()).resolves.toBeUndefined();
  });
});

describe('ensureModels and the build tool', () => {
  afterEach(() => setModelBuilder(undefined));

  it("hands the repo's directory to the builder an entry point installed, and never a prebuilt directory", async () => {
    const built: string[] = [];
    setModelBuilder(async (outDir) => built.push(outDir));
    vi.stubEnv('LAMBDAFACE_MODEL_DIR', '');
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    vi.stubEnv('LAMBDA_TASK_ROOT', '');
    await ensureModels();
    expect(built).toEqual([REPO_MODELS]);
    vi.stubEnv('LAMBDAFACE_MODEL_DIR', REPO_MODELS);
    await ensureModels();
    expect(built).toEqual([REPO_MODELS]);
  });
});

describe('loadModel', () => {
  it('returns one cached session per model and thread count, with the documented names', async () => {
    vi.stubEnv('LAMBDAFACE_MODEL_DIR', REPO_MODELS);
    const a = await loadModel('face-landmarks', { threads: 1 });
    expect(await loadModel('face-landmarks', { threads: 1 })).toBe(a);
    expect(await loadModel('face-landmarks')).toBe(a);
    expect(await loadModel('face-landmarks', { threads: 2 })).not.toBe(a);
    for (const name of MODEL_NAMES) {
      const s = await loadModel(name);
      expect(s.inputNames).toEqual(['image']);
      expect(s.outputNames).toEqual(Object.values(MODELS[name].outputs).map((o) => o.name));
    }
  });

  it('fails with a ModelError for a missing file, a foreign file, or a bad thread count', async () => {
    const dir = tempDir();
    vi.stubEnv('LAMBDAFACE_MODEL_DIR', dir);
    const missing = await modelErrorOf(loadModel('face-embedder'));
    expect(missing.message).toMatch(/face-embedder not found/);
    expect(missing.hint).toContain('npm run models');

    copyFileSync(join(REPO_MODELS, MODELS['face-detector'].file), join(dir, MODELS['face-embedder'].file));
    const foreign = await modelErrorOf(loadModel('face-embedder'));
    expect(foreign.message).toMatch(/has inputs\/outputs image,\|,detections, expected image \| embedding/);

    await modelErrorOf(loadModel('face-embedder', { threads: 0 }));
  });
});

describe('detector anchors and decoding', () => {
  it('lays 2304 anchors on a 48x48 grid, row-major, at cell centres', () => {
    expect(FACE_DETECTOR.anchors.count).toBe(48 * 48);
    expect(detectorAnchor(0)).toEqual({ cx: 0.5 / 48, cy: 0.5 / 48 });
    expect(detectorAnchor(1)).toEqual({ cx: 1.5 / 48, cy: 0.5 / 48 });
    expect(detectorAnchor(48)).toEqual({ cx: 0.5 / 48, cy: 1.5 / 48 });
    expect(detectorAnchor(2303)).toEqual({ cx: 47.5 / 48, cy: 47.5 / 48 });
  });

  it('decodes offsets in input pixels relative to the anchor, and a clipped sigmoid score', () => {
    const rows = new Float32Array(2304 * 17);
    const i = 49; // anchor centre (1.5/48, 1.5/48) = (6, 6) px
    rows.set([0, 19.2, -9.6, 38.4, 19.2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], i * 17);
    const d = decodeDetection(rows, i);
    expect(d.score).toBeCloseTo(0.5, 6);
    const cx = 6 / 192 + 0.1;
    const cy = 6 / 192 - 0.05;
    expect(d.box.xMin).toBeCloseTo(cx - 0.1, 6);
    expect(d.box.xMax).toBeCloseTo(cx + 0.1, 6);
    expect(d.box.yMin).toBeCloseTo(cy - 0.05, 6);
    expect(d.box.yMax).toBeCloseTo(cy + 0.05, 6);
    expect(d.keypoints).toHaveLength(6);
    expect(d.keypoints[0]!.x).toBeCloseTo(6 / 192 + 1 / 192, 6);
    expect(d.keypoints[5]!.y).toBeCloseTo(6 / 192 + 12 / 192, 6);
    rows[i * 17] = 1e6;
    expect(decodeDetection(rows, i).score).toBeCloseTo(1 / (1 + Math.exp(-100)), 12);
  });

  it('lays an HxW input out as a (W/4)x(H/4) grid and normalizes x by W, y by H', () => {
    const input = { width: 352, height: 192 };
    const columns = 352 / 4;
    expect(detectorAnchor(0, input)).toEqual({ cx: 0.5 / columns, cy: 0.5 / 48 });
    expect(detectorAnchor(columns, input)).toEqual({ cx: 0.5 / columns, cy: 1.5 / 48 });
    expect(detectorAnchor(columns * 48 - 1, input)).toEqual({ cx: (columns - 0.5) / columns, cy: 47.5 / 48 });
    const rows = new Float32Array(columns * 48 * 17);
    const i = columns + 1; // anchor centre (6, 6) px
    rows.set([0, 35.2, -9.6, 70.4, 19.2, 1, 2], i * 17);
    const d = decodeDetection(rows, i, input);
    // In input pixels: centre (41.2, -3.6), size 70.4 x 19.2.
    expect(d.box.xMin * 352).toBeCloseTo(41.2 - 35.2, 4);
    expect(d.box.xMax * 352).toBeCloseTo(41.2 + 35.2, 4);
    expect(d.box.yMin * 192).toBeCloseTo(-3.6 - 9.6, 4);
    expect(d.keypoints[0]!.x * 352).toBeCloseTo(7, 4);
    expect(d.keypoints[0]!.y * 192).toBeCloseTo(8, 4);
  });
});

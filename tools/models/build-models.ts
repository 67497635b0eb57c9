import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { modelError } from '../../shared/errors.ts';
import { MODEL_NAMES, MODELS, MODELS_MANIFEST, type ModelName } from '../../shared/vision/models.ts';
import { CONVERTER_VERSION } from './converter-version.ts';
import { loadSourcePins, nodeModulesLocator, sha256, verifySources, type PackageLocator, type SourcePins } from './source-integrity.ts';
import type { LayoutMode } from './tf-ops-emitter.ts';

/**
 * `npm run models`: converts the pinned TF.js weights into layers/onnx/models/*.onnx plus
 * models.json. Deterministic (same inputs, same bytes) and cached: when models.json records the
 * same source hashes, converter version and converter sources, and every output still has its
 * recorded sha256, nothing is rebuilt.
 */

export interface BuildOptions {
  outDir: string;
  /** Where the pinned packages are installed (default: this repo's node_modules). */
  locate?: PackageLocator;
  /** The pins (default: tools/models/sources.json). */
  pins?: SourcePins;
  layoutMode?: LayoutMode;
  /** Rebuild even when the outputs are current. */
  force?: boolean;
  log?: (message: string) => void;
}

export interface BuildResult {
  status: 'up-to-date' | 'built';
  manifest: ModelsManifest;
  ms: number;
}

const modelEntrySchema = z.object({ file: z.string(), sha256: z.string(), bytes: z.number(), sources: z.array(z.string()) });
export const modelsManifestSchema = z.object({
  converterVersion: z.string(),
  converterSourceSha256: z.string(),
  layoutMode: z.enum(['track', 'wrap']),
  sources: z.record(z.string(), z.string()),
  models: z.record(z.string(), modelEntrySchema),
});
export type ModelsManifest = z.infer<typeof modelsManifestSchema>;

const CONVERTER_DIR = fileURLToPath(new URL('./', import.meta.url));
const DESCRIPTORS_FILE = fileURLToPath(new URL('../../shared/vision/models.ts', import.meta.url));

/**
 * A hash of the converter's own sources, so editing the converter without bumping
 * CONVERTER_VERSION still invalidates cached models (the version stays the human-facing label).
 */
export function converterSourceSha256(): string {
  const files = readdirSync(CONVERTER_DIR)
    .filter((f) => f.endsWith('.ts') || f === 'sources.json')
    .sort()
    .map((f) => join(CONVERTER_DIR, f));
  files.push(DESCRIPTORS_FILE);
  const parts = files.map((f) => `${f.slice(f.lastIndexOf('/') + 1)}\n${sha256(readFileSync(f))}`);
  return sha256(Buffer.from(parts.join('\n')));
}

function readManifest(dir: string): ModelsManifest | undefined {
  const path = join(dir, MODELS_MANIFEST);
  if (!existsSync(path)) return undefined;
  try {
    return modelsManifestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return undefined; // unreadable or from another converter: rebuild
  }
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

function isCurrent(dir: string, existing: ModelsManifest | undefined, wanted: Omit<ModelsManifest, 'models'>): boolean {
  if (!existing) return false;
  if (existing.converterVersion !== wanted.converterVersion) return false;
  if (existing.converterSourceSha256 !== wanted.converterSourceSha256) return false;
  if (existing.layoutMode !== wanted.layoutMode) return false;
  if (!sameRecord(existing.sources, wanted.sources)) return false;
  return MODEL_NAMES.every((name) => {
    const entry = existing.models[name];
    const path = join(dir, MODELS[name].file);
    return entry !== undefined && entry.file === MODELS[name].file && existsSync(path) && sha256(readFileSync(path)) === entry.sha256;
  });
}

/** Writes via a temporary file and a rename, so a reader never sees half a model. */
function writeAtomically(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/** Stable JSON: keys in insertion order as built below, two-space indent, final newline. */
const toJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export async function buildModels(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const pins = options.pins ?? loadSourcePins();
  const files = verifySources(pins, options.locate ?? nodeModulesLocator);
  const layoutMode = options.layoutMode ?? 'track';

  // Keyed by package@version/file, in sorted order, so models.json says exactly what was read.
  const sources: Record<string, string> = {};
  const sorted = [...files.values()].sort((a, b) => (`${a.pkg}/${a.file}` < `${b.pkg}/${b.file}` ? -1 : 1));
  for (const f of sorted) sources[`${f.pkg}@${pins.packages[f.pkg]?.version}/${f.file}`] = f.sha256;
  const wanted = { converterVersion: CONVERTER_VERSION, converterSourceSha256: converterSourceSha256(), layoutMode, sources };

  const existing = readManifest(options.outDir);
  if (!options.force && isCurrent(options.outDir, existing, wanted) && existing) {
    return { status: 'up-to-date', manifest: existing, ms: performance.now() - started };
  }

  try {
    mkdirSync(options.outDir, { recursive: true });
  } catch (cause) {
    throw modelError(`cannot create the model directory ${options.outDir}`, { input: options.outDir, hint: 'check the path and its permissions', cause });
  }
  // The manifest goes first so an interrupted build is never mistaken for a current one.
  rmSync(join(options.outDir, MODELS_MANIFEST), { force: true });

  // Loaded only now: the graph builders and onnx-proto are not needed to find models current.
  const { MODEL_RECIPES } = await import('./model-recipes.ts');
  const models: Record<string, z.infer<typeof modelEntrySchema>> = {};
  for (const recipe of MODEL_RECIPES) {
    const t0 = performance.now();
    let bytes: Uint8Array;
    try {
      bytes = recipe.convert(files, { layoutMode });
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw modelError(`converting ${recipe.name} failed: ${message}`, { input: recipe.sources.join(', '), hint: 'this is a converter bug or an unexpected source file', cause });
    }
    const file = MODELS[recipe.name as ModelName].file;
    writeAtomically(join(options.outDir, file), bytes);
    models[recipe.name] = { file, sha256: sha256(bytes), bytes: bytes.byteLength, sources: [...recipe.sources] };
    log(`${file}: ${(bytes.byteLength / 1e6).toFixed(1)} MB in ${Math.round(performance.now() - t0)} ms`);
  }
  const manifest: ModelsManifest = { ...wanted, models };
  writeAtomically(join(options.outDir, MODELS_MANIFEST), toJson(manifest));
  return { status: 'built', manifest, ms: performance.now() - started };
}

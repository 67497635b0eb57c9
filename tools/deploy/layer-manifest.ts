import { existsSync, readFileSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LambdaArch } from './target.ts';

/**
 * Written into every built layer folder (and left out of the layer's zip by serverless.yml), so
 * `npm run package` can tell whether a folder was built for the architecture being packaged.
 */
export const LAYER_MANIFEST = 'layer-manifest.json';

export interface LayerManifest {
  layer: string;
  arch: LambdaArch;
  /** Unzipped bytes of the layer's content (what counts against Lambda's 250 MB). */
  bytes: number;
  /** Where each part came from: npm package name@version, or a file path. */
  sources: string[];
  warnings: string[];
  /**
   * The onnx layer's: the fingerprint of its models (shared/vision/models.ts modelsFingerprint).
   * serverless.yml gives it to the start function and tags the state machine with it, so an
   * execution's name says which models it ran (shared/workflow/execution-name.ts).
   */
  modelsFingerprint?: string;
}

export async function writeLayerManifest(dir: string, manifest: LayerManifest): Promise<void> {
  await writeFile(join(dir, LAYER_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function readLayerManifest(dir: string): LayerManifest | undefined {
  const path = join(dir, LAYER_MANIFEST);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf-8')) as LayerManifest;
}

/** Bytes of every file under `dir` except the manifest itself. */
export async function folderBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    if (entry.parentPath === dir && entry.name === LAYER_MANIFEST) continue;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return bytes;
}

export const MB = 1024 * 1024;
export const formatMb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;

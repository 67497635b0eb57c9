import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { buildFfmpegLayer } from './ffmpeg-layer.ts';
import { formatMb, type LayerManifest } from './layer-manifest.ts';
import { buildOnnxLayer } from './onnx-layer.ts';
import type { LambdaArch } from './target.ts';

export const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));

export type LayerName = 'ffmpeg' | 'onnx';
export const LAYER_NAMES: readonly LayerName[] = ['ffmpeg', 'onnx'];

export const layerDir = (name: LayerName, projectDir = PROJECT_DIR): string => join(projectDir, 'layers', name);

export interface BuildLayersOptions {
  arch: LambdaArch;
  projectDir?: string;
  log?: (message: string) => void;
}

/**
 * Builds both layers for `arch` from installed packages (nothing is downloaded). Always rebuilt
 * from scratch (a few seconds): a stale layer after `npm ci` would be worse than the copy.
 */
export async function buildLayers(options: BuildLayersOptions): Promise<LayerManifest[]> {
  const projectDir = options.projectDir ?? PROJECT_DIR;
  const log = options.log ?? (() => undefined);
  const manifests: LayerManifest[] = [];
  for (const name of LAYER_NAMES) {
    const outDir = layerDir(name, projectDir);
    const manifest =
      name === 'ffmpeg'
        ? await buildFfmpegLayer({ arch: options.arch, projectDir, outDir })
        : await buildOnnxLayer({ arch: options.arch, projectDir, outDir, log: (m) => log(`  ${m}`) });
    log(`layer ${name}: built for ${options.arch} in ${outDir} (${formatMb(manifest.bytes)})`);
    for (const warning of manifest.warnings) log(`  warning: ${warning}`);
    manifests.push(manifest);
  }
  return manifests;
}

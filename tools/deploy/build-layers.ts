import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { buildFfmpegLayer } from './ffmpeg-layer.ts';
import { formatMb, type LayerManifest } from './layer-manifest.ts';
import { buildOnnxLayer } from './onnx-layer.ts';
import type { LambdaArch } from './target.ts';

export const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));

export type LayerName = 'ffmpeg' | 'ffprobe' | 'onnx';
export const LAYER_NAMES: readonly LayerName[] = ['ffmpeg', 'ffprobe', 'onnx'];

export const layerDir = (name: LayerName, projectDir = PROJECT_DIR): string => join(projectDir, 'layers', name);

export interface BuildLayersOptions {
  arch: LambdaArch;
  projectDir?: string;
  log?: (message: string) => void;
}

/**
 * Builds every layer for `arch` from installed packages (nothing is downloaded). Always rebuilt
 * from scratch (a few seconds): a stale layer after `npm ci` would be worse than the copy.
 */
export async function buildLayers(options: BuildLayersOptions): Promise<LayerManifest[]> {
  const projectDir = options.projectDir ?? PROJECT_DIR;
  const log = options.log ?? (() => undefined);
  const manifests: LayerManifest[] = [];
  for (const name of LAYER_NAMES) {
    const outDir = layerDir(name, projectDir);
    const manifest =
      name === 'onnx'
        ? await buildOnnxLayer({ arch: options.arch, projectDir, outDir, log: (m) => log(`  ${m}`) })
        : await buildFfmpegLayer({ tool: name, arch: options.arch, projectDir, outDir });
    log(`layer ${name}: built for ${options.arch} in ${outDir} (${formatMb(manifest.bytes)})`);
    for (const warning of manifest.warnings) log(`  warning: ${warning}`);
    manifests.push(manifest);
  }
  return manifests;
}

import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../../shared/errors.ts';
import { findPackageDir } from './copy-packages.ts';
import { elfCpu } from './elf.ts';
import { folderBytes, writeLayerManifest, type LayerManifest } from './layer-manifest.ts';
import { nodeCpu, type LambdaArch } from './target.ts';

/** Static builds on npm; the x64 ones are the project's dependencies, arm64 must be added (docs/deploy.md). */
const TOOLS = [
  { tool: 'ffmpeg', scope: '@ffmpeg-installer' },
  { tool: 'ffprobe', scope: '@ffprobe-installer' },
] as const;

/**
 * Where a DejaVu Sans may be on the build machine (Debian's fonts-dejavu-core, Amazon Linux's
 * dejavu-sans-fonts, Arch's ttf-dejavu). No npm package here ships one.
 */
const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
];

export interface FfmpegLayerOptions {
  arch: LambdaArch;
  projectDir: string;
  /** The layer folder (`layers/ffmpeg`): emptied and rebuilt. */
  outDir: string;
  /** A .ttf to ship for montage labels; default: the first of FONT_CANDIDATES that exists. */
  font?: string | null;
}

export function missingFfmpegPackages(arch: LambdaArch, projectDir: string): string[] {
  const cpu = nodeCpu(arch);
  return TOOLS.map(({ scope }) => `${scope}/linux-${cpu}`).filter((name) => findPackageDir(name, projectDir, projectDir) === undefined);
}

/**
 * The ffmpeg layer, mounted at /opt: `bin/ffmpeg` and `bin/ffprobe` (where shared/video/ffmpeg.ts
 * looks on Lambda) and `fonts/DejaVuSans.ttf` for montage labels when the build machine has it.
 */
export async function buildFfmpegLayer(options: FfmpegLayerOptions): Promise<LayerManifest> {
  const { arch, projectDir, outDir } = options;
  const cpu = nodeCpu(arch);
  const missing = missingFfmpegPackages(arch, projectDir);
  if (missing.length > 0) {
    throw inputError(`the ffmpeg layer for ${arch} needs ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed`, {
      input: '--arch',
      hint:
        `npm installs a static build only for the machine's own CPU; on this ${process.arch} machine run ` +
        `\`npm install --no-save --force ${missing.join(' ')}\` (see docs/deploy.md, "arm64"), or build for x86_64`,
    });
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, 'bin'), { recursive: true });
  const sources: string[] = [];
  for (const { tool, scope } of TOOLS) {
    const pkgDir = findPackageDir(`${scope}/linux-${cpu}`, projectDir, projectDir)!;
    const from = join(pkgDir, tool);
    const built = existsSync(from) ? await elfCpu(from) : undefined;
    if (built !== cpu) {
      throw inputError(`${from} is ${built === undefined ? 'missing or not an ELF executable' : `built for ${built}`}, not linux/${cpu}`, {
        input: `${scope}/linux-${cpu}`,
        hint: 'reinstall the package (npm ci)',
      });
    }
    const to = join(outDir, 'bin', tool);
    await copyFile(from, to);
    // The npm package ships ffprobe as rwxr--r--; Lambda's sandbox user is not its owner.
    await chmod(to, 0o755);
    sources.push(`${scope}/linux-${cpu}`);
  }
  const warnings: string[] = [];
  const font = options.font === undefined ? FONT_CANDIDATES.find((path) => existsSync(path)) : options.font;
  if (font) {
    await mkdir(join(outDir, 'fonts'), { recursive: true });
    await copyFile(font, join(outDir, 'fonts', 'DejaVuSans.ttf'));
    sources.push(font);
  } else {
    warnings.push(
      'no DejaVuSans.ttf on this machine (Debian: apt-get install fonts-dejavu-core): the layer has no font, ' +
        'so montages on AWS are cut without name labels',
    );
  }
  const manifest: LayerManifest = { layer: 'ffmpeg', arch, bytes: await folderBytes(outDir), sources, warnings };
  await writeLayerManifest(outDir, manifest);
  return manifest;
}

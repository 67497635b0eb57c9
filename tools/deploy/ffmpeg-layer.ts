import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../../shared/errors.ts';
import { findPackageDir } from './copy-packages.ts';
import { elfCpu } from './elf.ts';
import { folderBytes, writeLayerManifest, type LayerManifest } from './layer-manifest.ts';
import { nodeCpu, type LambdaArch } from './target.ts';

/**
 * The static builds, one npm package per tool and CPU (optionalDependencies pinned for x64 and
 * arm64: `npm ci` installs the machine's own, `npm ci --cpu=arm64` the arm64 ones). ffmpeg and
 * ffprobe are separate layers: recognize needs only ffmpeg (its probe comes from Shard), which keeps
 * it 75 MB under Lambda's 250 MB.
 */
export const FF_TOOLS = [
  { tool: 'ffmpeg', scope: '@ffmpeg-installer' },
  { tool: 'ffprobe', scope: '@ffprobe-installer' },
] as const;
export type FfLayerTool = (typeof FF_TOOLS)[number]['tool'];

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
  /** Which tool the layer holds: `ffmpeg` (with the label font) or `ffprobe`. */
  tool: FfLayerTool;
  arch: LambdaArch;
  projectDir: string;
  /** The layer folder (`layers/ffmpeg`, `layers/ffprobe`): emptied and rebuilt. */
  outDir: string;
  /** A .ttf to ship for montage labels; default: the first of FONT_CANDIDATES that exists. */
  font?: string | null;
}

const packageOf = (tool: FfLayerTool, arch: LambdaArch): string => `${FF_TOOLS.find((entry) => entry.tool === tool)!.scope}/linux-${nodeCpu(arch)}`;

/**
 * One tool's layer, mounted at /opt: `bin/ffmpeg` or `bin/ffprobe` (where shared/video/ffmpeg.ts
 * looks on Lambda); the ffmpeg layer also has `fonts/DejaVuSans.ttf` for montage labels when the
 * build machine has it.
 */
export async function buildFfmpegLayer(options: FfmpegLayerOptions): Promise<LayerManifest> {
  const { tool, arch, projectDir, outDir } = options;
  const cpu = nodeCpu(arch);
  const pkg = packageOf(tool, arch);
  const pkgDir = findPackageDir(pkg, projectDir, projectDir);
  if (pkgDir === undefined) {
    throw inputError(`the ${tool} layer for ${arch} needs ${pkg}, which is not installed`, {
      input: '--arch',
      hint:
        `npm installs a static build only for the CPU it runs on (both are pinned in package.json); for ${arch} run ` +
        `\`ONNXRUNTIME_NODE_INSTALL=skip npm ci --cpu=${cpu}\` in a separate checkout (see docs/deploy.md, "arm64"), or build for ${process.arch === 'arm64' ? 'arm64' : 'x86_64'}`,
    });
  }
  const from = join(pkgDir, tool);
  const built = existsSync(from) ? await elfCpu(from) : undefined;
  if (built !== cpu) {
    throw inputError(`${from} is ${built === undefined ? 'missing or not an ELF executable' : `built for ${built}`}, not linux/${cpu}`, {
      input: pkg,
      hint: 'reinstall the package (npm ci)',
    });
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, 'bin'), { recursive: true });
  const to = join(outDir, 'bin', tool);
  await copyFile(from, to);
  // The npm package ships ffprobe as rwxr--r--; Lambda's sandbox user is not its owner.
  await chmod(to, 0o755);
  const sources: string[] = [`${pkg}@${packageVersion(pkgDir)}`];
  const warnings: string[] = [];
  if (tool === 'ffmpeg') {
    const font = options.font === undefined ? FONT_CANDIDATES.find((path) => existsSync(path)) : options.font;
    if (font) {
      await mkdir(join(outDir, 'fonts'), { recursive: true });
      await copyFile(font, join(outDir, 'fonts', 'DejaVuSans.ttf'));
      sources.push(font);
    } else {
      warnings.push('no DejaVuSans.ttf on this machine (Debian: apt-get install fonts-dejavu-core): the layer has no font, ' + 'so montages on AWS are cut without name labels');
    }
  }
  const manifest: LayerManifest = { layer: tool, arch, bytes: await folderBytes(outDir), sources, warnings };
  await writeLayerManifest(outDir, manifest);
  return manifest;
}

const packageVersion = (dir: string): string => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf-8')) as { version?: string }).version ?? '?';

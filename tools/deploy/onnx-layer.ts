import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../../shared/errors.ts';
import { MODEL_NAMES, MODELS, MODELS_MANIFEST, modelsFingerprintOf } from '../../shared/vision/models.ts';
import { buildModels } from '../models/build-models.ts';
import { copyPackages, findPackageDir, type PackageRule, type PlatformTarget } from './copy-packages.ts';
import { elfCpu } from './elf.ts';
import { folderBytes, writeLayerManifest, type LayerManifest } from './layer-manifest.ts';
import { nodeCpu, type LambdaArch } from './target.ts';

/** Native pieces npm installs only for the machine's own CPU: named so a missing one is reported, not silently skipped. */
export function platformPackages(arch: LambdaArch): string[] {
  const cpu = nodeCpu(arch);
  return [`@img/sharp-linux-${cpu}`, `@img/sharp-libvips-linux-${cpu}`];
}

const RULES: Record<string, PackageRule> = {
  'onnxruntime-node': {
    // Used by its postinstall script (GPU downloads) only.
    skipDependencies: ['adm-zip', 'global-agent'],
    exclude: (path, target) => {
      if (path.startsWith('lib/') || path.startsWith('script/')) return true;
      // bin/napi-v<N>/<platform>/<cpu>/...: 290 MB for every platform, ~45 MB for one.
      const [top, , platform, cpu] = path.split('/').filter(Boolean);
      if (top !== 'bin') return false;
      return (platform !== undefined && platform !== target.os) || (cpu !== undefined && cpu !== target.cpu);
    },
  },
  // onnxruntime-node requires the CommonJS build; the TypeScript sources are not needed.
  'onnxruntime-common': { exclude: (path) => path.startsWith('lib/') || path.startsWith('dist/esm/') },
  sharp: { exclude: (path) => path.startsWith('src/') || path.startsWith('install/') },
};

export interface OnnxLayerOptions {
  arch: LambdaArch;
  projectDir: string;
  /** The layer folder (`layers/onnx`): its `nodejs/` is rebuilt, its `models/` kept and brought up to date. */
  outDir: string;
  log?: (message: string) => void;
}

async function checkNativeFiles(dir: string, target: PlatformTarget): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.node$|\.so(\.\d+)*$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const cpu = await elfCpu(path);
    if (cpu !== target.cpu) {
      throw inputError(`${path} is built for ${cpu ?? 'an unknown platform'}, not linux/${target.cpu}`, {
        input: path,
        hint: 'a package for the wrong architecture was copied: report this as a bug in tools/deploy',
      });
    }
  }
}

/**
 * The onnx layer, mounted at /opt: `models/` (the converted ONNX models, LAMBDAFACE_MODEL_DIR) and
 * `nodejs/node_modules/` with onnxruntime-node pruned to linux/<cpu> and sharp with its libvips
 * (Train decodes photos with it) — the two native modules the function bundles leave out.
 */
export async function buildOnnxLayer(options: OnnxLayerOptions): Promise<LayerManifest> {
  const { arch, projectDir, outDir } = options;
  const target: PlatformTarget = { os: 'linux', cpu: nodeCpu(arch), libc: 'glibc' };
  const missing = platformPackages(arch).filter((name) => findPackageDir(name, projectDir, projectDir) === undefined);
  if (missing.length > 0) {
    throw inputError(`the onnx layer for ${arch} needs ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed`, {
      input: '--arch',
      hint:
        `npm installs sharp's native parts only for the CPU it runs on; for ${arch} run ` +
        `\`ONNXRUNTIME_NODE_INSTALL=skip npm ci --cpu=${nodeCpu(arch)}\` in a separate checkout (see docs/deploy.md, "arm64"), or build for x86_64`,
    });
  }

  const modelsDir = join(outDir, 'models');
  const models = await buildModels({ outDir: modelsDir, ...(options.log ? { log: options.log } : {}) });
  const expected = [...MODEL_NAMES.map((name) => MODELS[name].file), MODELS_MANIFEST];
  const present = new Set(await readdir(modelsDir));
  const absent = expected.filter((file) => !present.has(file));
  if (absent.length > 0) {
    throw inputError(`models missing in ${modelsDir}: ${absent.join(', ')}`, { input: modelsDir, hint: 'run `npm run models`' });
  }

  const nodejsDir = join(outDir, 'nodejs');
  await rm(nodejsDir, { recursive: true, force: true });
  const copied = await copyPackages({
    roots: ['onnxruntime-node', 'sharp', ...platformPackages(arch)],
    projectDir,
    destDir: nodejsDir,
    target,
    rules: RULES,
  });
  await checkNativeFiles(nodejsDir, target);

  const manifest: LayerManifest = {
    layer: 'onnx',
    arch,
    bytes: await folderBytes(outDir),
    sources: [
      ...copied.map((pkg) => `${pkg.name}@${pkg.version}`),
      `models (converter ${models.manifest.converterVersion}): ${expected.filter((f) => f.endsWith('.onnx')).join(', ')}`,
    ],
    warnings: [],
    modelsFingerprint: await modelsFingerprintOf(modelsDir),
  };
  await writeLayerManifest(outDir, manifest);
  return manifest;
}

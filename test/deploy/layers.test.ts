import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../tools/deploy/build-layers.ts';
import { copyPackages, runsOn } from '../../tools/deploy/copy-packages.ts';
import { buildFfmpegLayer } from '../../tools/deploy/ffmpeg-layer.ts';
import { buildOnnxLayer } from '../../tools/deploy/onnx-layer.ts';
import { parseArch } from '../../tools/deploy/target.ts';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambdaface-layers-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('layer builders', () => {
  it('say which npm packages an arm64 build needs instead of shipping x64 binaries', async () => {
    for (const [tool, pkg] of [
      ['ffmpeg', '@ffmpeg-installer/linux-arm64'],
      ['ffprobe', '@ffprobe-installer/linux-arm64'],
    ] as const) {
      await expect(buildFfmpegLayer({ tool, arch: 'arm64', projectDir: PROJECT_DIR, outDir: join(work, tool) })).rejects.toMatchObject({
        kind: 'InputError',
        message: `the ${tool} layer for arm64 needs ${pkg}, which is not installed`,
        // Both builds are pinned in package.json: npm installs the other CPU's with --cpu, no --force.
        hint: expect.stringMatching(/npm ci --cpu=arm64/),
      });
    }
    const onnx = buildOnnxLayer({ arch: 'arm64', projectDir: PROJECT_DIR, outDir: join(work, 'onnx') });
    await expect(onnx).rejects.toMatchObject({ message: expect.stringMatching(/@img\/sharp-linux-arm64 and @img\/sharp-libvips-linux-arm64/) });
    // Nothing was written before the check failed.
    expect(existsSync(join(work, 'ffmpeg'))).toBe(false);
    expect(existsSync(join(work, 'ffprobe'))).toBe(false);
    expect(existsSync(join(work, 'onnx'))).toBe(false);
  });

  it('accept both spellings of an architecture', () => {
    expect(parseArch('x64')).toBe('x86_64');
    expect(parseArch(undefined)).toBe('x86_64');
    expect(parseArch('aarch64')).toBe('arm64');
    expect(() => parseArch('mips')).toThrow(/unknown architecture/);
  });
});

describe('copyPackages', () => {
  it('reads npm os/cpu/libc fields, including negations', () => {
    const linuxX64 = { os: 'linux', cpu: 'x64', libc: 'glibc' } as const;
    expect(runsOn({}, linuxX64)).toBe(true);
    expect(runsOn({ os: ['linux'], cpu: ['x64'], libc: ['glibc'] }, linuxX64)).toBe(true);
    expect(runsOn({ cpu: ['arm64'] }, linuxX64)).toBe(false);
    expect(runsOn({ libc: ['musl'] }, linuxX64)).toBe(false);
    expect(runsOn({ os: ['!win32'] }, linuxX64)).toBe(true);
    expect(runsOn({ cpu: ['!x64'] }, linuxX64)).toBe(false);
  });

  it('copies the run-time closure: nested copies stay nested, other platforms and dev files are left out', async () => {
    const project = join(work, 'project');
    const pkg = async (dir: string, json: object, files: Record<string, string> = {}) => {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'package.json'), JSON.stringify(json));
      for (const [file, text] of Object.entries(files)) {
        await mkdir(join(dir, file, '..'), { recursive: true });
        await writeFile(join(dir, file), text);
      }
    };
    const nm = join(project, 'node_modules');
    await pkg(
      join(nm, 'app'),
      { name: 'app', version: '1.0.0', dependencies: { dep: '1', build: '1' }, optionalDependencies: { 'native-x64': '1', 'native-arm64': '1', absent: '1' } },
      {
        'index.js': '',
        'index.d.ts': '',
        'README.md': '',
        LICENSE: '',
        'src/a.cc': '',
      },
    );
    await pkg(join(nm, 'app/node_modules/dep'), { name: 'dep', version: '2.0.0' }, { 'index.js': '' });
    await pkg(join(nm, 'dep'), { name: 'dep', version: '1.0.0' }, { 'index.js': '' });
    await pkg(join(nm, 'build'), { name: 'build', version: '1.0.0' }, { 'index.js': '' });
    await pkg(join(nm, 'native-x64'), { name: 'native-x64', version: '1.0.0', os: ['linux'], cpu: ['x64'] }, { 'lib.node': '' });
    await pkg(join(nm, 'native-arm64'), { name: 'native-arm64', version: '1.0.0', os: ['linux'], cpu: ['arm64'] }, { 'lib.node': '' });

    const dest = join(work, 'layer/nodejs');
    const copied = await copyPackages({
      roots: ['app'],
      projectDir: project,
      destDir: dest,
      target: { os: 'linux', cpu: 'x64', libc: 'glibc' },
      rules: { app: { skipDependencies: ['build'], exclude: (path) => path.startsWith('src/') } },
    });
    expect(copied.map((p) => `${p.path}@${p.version}`)).toEqual(['node_modules/app@1.0.0', 'node_modules/app/node_modules/dep@2.0.0', 'node_modules/native-x64@1.0.0']);
    expect((await readdir(join(dest, 'node_modules/app'))).sort()).toEqual(['LICENSE', 'index.js', 'node_modules', 'package.json']);
    expect(existsSync(join(dest, 'node_modules/build'))).toBe(false);

    await expect(copyPackages({ roots: ['missing'], projectDir: project, destDir: join(work, 'x'), target: { os: 'linux', cpu: 'x64', libc: 'glibc' } })).rejects.toMatchObject({
      message: 'package missing (needed by the layer) is not installed',
    });
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { inputError } from '../../shared/errors.ts';
import type { NodeCpu } from './target.ts';

/** What a copied package needs at run time on Lambda (Amazon Linux, glibc). */
export interface PlatformTarget {
  os: 'linux';
  cpu: NodeCpu;
  libc: 'glibc';
}

/** Per-package pruning: what an installed package carries that a Lambda never runs. */
export interface PackageRule {
  /** Dependencies only its install or build scripts use. */
  skipDependencies?: readonly string[];
  /** Leaves out a file or folder, given its path inside the package (posix separators; folders end in `/`). */
  exclude?: (path: string, target: PlatformTarget) => boolean;
}

export interface CopyPackagesOptions {
  /** Package names to copy with their run-time dependency closure. */
  roots: readonly string[];
  /** The project root whose node_modules holds the installed packages. */
  projectDir: string;
  /** Where `node_modules/...` is recreated (a layer's `nodejs` folder). */
  destDir: string;
  target: PlatformTarget;
  rules?: Readonly<Record<string, PackageRule>>;
}

export interface CopiedPackage {
  name: string;
  version: string;
  /** Relative to the destination, e.g. `node_modules/sharp/node_modules/semver`. */
  path: string;
  bytes: number;
}

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

/** Type declarations, source maps and docs: never loaded at run time. Licenses are kept. */
function generallyUnneeded(path: string): boolean {
  const base = path.split('/').filter(Boolean).at(-1) ?? path;
  if (/^(license|licence|notice|copying)/i.test(base)) return false;
  return /\.(d\.ts|d\.mts|d\.cts|map|md|markdown)$/i.test(base) || /^(\.github|docs?|test|tests|__tests__|example|examples)$/i.test(base);
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf-8')) as PackageJson;
}

/** npm's `os`/`cpu`/`libc` fields: a list of allowed values, or of `!excluded` ones. */
function allows(field: string[] | undefined, value: string): boolean {
  if (field === undefined || field.length === 0) return true;
  if (field.includes(`!${value}`)) return false;
  const positive = field.filter((entry) => !entry.startsWith('!'));
  return positive.length === 0 || positive.includes(value);
}

export function runsOn(pkg: PackageJson, target: PlatformTarget): boolean {
  return allows(pkg.os, target.os) && allows(pkg.cpu, target.cpu) && allows(pkg.libc, target.libc);
}

/**
 * Node's lookup for a bare package name from inside `fromDir`: the nearest `node_modules/<name>`
 * going up, but never above the project. Done by hand because a package's `exports` may hide its
 * package.json from `require.resolve`.
 */
export function findPackageDir(name: string, fromDir: string, projectDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (relative(projectDir, dir) === '' || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}

/** Copies the kept files of `srcDir`; folders are created only for files, so a pruned folder leaves nothing behind. */
async function copyTree(srcDir: string, destDir: string, keep: (path: string) => boolean, prefix = ''): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(srcDir, { withFileTypes: true })) {
    // Nested node_modules are copied as dependencies in their own right, and only if needed.
    if (prefix === '' && entry.name === 'node_modules') continue;
    const from = join(srcDir, entry.name);
    const to = join(destDir, entry.name);
    if (entry.isDirectory()) {
      // Folders are offered to `keep` with a trailing slash, so `lib/` prunes the folder itself.
      if (keep(`${prefix}${entry.name}/`)) bytes += await copyTree(from, to, keep, `${prefix}${entry.name}/`);
    } else if (entry.isFile() && keep(prefix + entry.name)) {
      await mkdir(destDir, { recursive: true });
      await copyFile(from, to);
      const { mode, size } = await stat(from);
      // Lambda runs code as an unprivileged user: whatever is executable must be for everyone.
      await chmod(to, mode & 0o100 ? 0o755 : 0o644);
      bytes += size;
    }
  }
  return bytes;
}

/**
 * Copies packages and everything they need at run time from the project's node_modules into a
 * layer, keeping node_modules' nesting (so a package's private copy of a dependency stays private)
 * and only the files for `target`. Optional dependencies for other platforms are skipped by their
 * os/cpu/libc fields; a required package that is not installed is an error that names it.
 */
export async function copyPackages(options: CopyPackagesOptions): Promise<CopiedPackage[]> {
  const { projectDir, destDir, target, rules = {} } = options;
  const copied = new Map<string, CopiedPackage>();

  const visit = async (name: string, fromDir: string, optional: boolean, requiredBy: string): Promise<void> => {
    const dir = findPackageDir(name, fromDir, projectDir);
    if (dir === undefined) {
      if (optional) return;
      throw inputError(`package ${name} (needed by ${requiredBy}) is not installed`, {
        input: name,
        hint: 'run npm ci; see docs/deploy.md for packages of another architecture',
      });
    }
    const path = relative(projectDir, dir).split(sep).join('/');
    if (copied.has(path)) return;
    const pkg = readPackageJson(dir);
    if (!runsOn(pkg, target)) {
      if (optional) return;
      throw inputError(`package ${name} is built for ${[pkg.os, pkg.cpu, pkg.libc].flat().filter(Boolean).join('/')}, not linux/${target.cpu}`, {
        input: name,
        hint: `install the ${target.cpu} variant of ${name}`,
      });
    }
    const rule = rules[name] ?? {};
    const keep = (file: string): boolean => !generallyUnneeded(file) && !(rule.exclude?.(file, target) ?? false);
    const bytes = await copyTree(dir, join(destDir, path), keep);
    copied.set(path, { name, version: pkg.version ?? '?', path, bytes });
    const skip = new Set(rule.skipDependencies ?? []);
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      if (!skip.has(dep)) await visit(dep, dir, false, name);
    }
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) {
      if (!skip.has(dep)) await visit(dep, dir, true, name);
    }
  };

  for (const root of options.roots) await visit(root, projectDir, false, 'the layer');
  return [...copied.values()].sort((a, b) => a.path.localeCompare(b.path));
}

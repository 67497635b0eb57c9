import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { workflowError } from '../../shared/errors.ts';
import { buildLayers, PROJECT_DIR } from './build-layers.ts';
import type { LayerManifest } from './layer-manifest.ts';
import { packageSizes, type FunctionSize } from './package-sizes.ts';
import type { LambdaArch } from './target.ts';

export interface PackageOptions {
  arch: LambdaArch;
  stage?: string;
  region?: string;
  /** Where `sls package` writes the template and zips. Default: `.serverless`. */
  packageDir?: string;
  projectDir?: string;
  /**
   * Run `sls package` in a network namespace with no network (`unshare --net`, Linux as root),
   * proving it needs neither credentials nor the internet. Ignored where unshare is unavailable.
   */
  isolateNetwork?: boolean;
  /**
   * Hide every AWS credential source from the Framework (env keys, profile, the shared files), as
   * on a CI machine that has none.
   */
  withoutCredentials?: boolean;
  /** Show the Framework's output (default) or keep it for the error message only. */
  quiet?: boolean;
  log?: (message: string) => void;
}

export interface PackageResult {
  packageDir: string;
  templatePath: string;
  layers: LayerManifest[];
  sizes: FunctionSize[];
  /** Whether `sls package` ran with no network at all. */
  networkIsolated: boolean;
  packageSeconds: number;
}

function canIsolateNetwork(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  return spawnSync('unshare', ['--net', 'true'], { stdio: 'ignore' }).status === 0;
}

function credentialFreeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { FORCE_COLOR: '0' };
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_')) env[name] = value;
  env['AWS_SHARED_CREDENTIALS_FILE'] = '/nonexistent/lambdaface/credentials';
  env['AWS_CONFIG_FILE'] = '/nonexistent/lambdaface/config';
  // No EC2/ECS metadata endpoint either: the SDK must not be able to find anything.
  env['AWS_EC2_METADATA_DISABLED'] = 'true';
  return env;
}

function slsBin(projectDir: string): string {
  const require = createRequire(join(projectDir, 'package.json'));
  return join(dirname(require.resolve('osls/package.json')), 'bin', 'serverless.js');
}

/**
 * `npm run package`: builds the models and both layers for `arch`, runs `sls package` (no AWS call:
 * tools/deploy/offline-package-plugin.cjs) and checks every function's unzipped size.
 */
export async function packageService(options: PackageOptions): Promise<PackageResult> {
  const projectDir = options.projectDir ?? PROJECT_DIR;
  const packageDir = resolve(projectDir, options.packageDir ?? '.serverless');
  const log = options.log ?? (() => undefined);
  const layers = await buildLayers({ arch: options.arch, projectDir, log });

  const args = [slsBin(projectDir), 'package', '--param', `arch=${options.arch}`, '--package', packageDir];
  if (options.stage) args.push('--stage', options.stage);
  if (options.region) args.push('--region', options.region);
  const networkIsolated = Boolean(options.isolateNetwork) && canIsolateNetwork();
  const [command, commandArgs] = networkIsolated ? ['unshare', ['--net', process.execPath, ...args]] : [process.execPath, args];

  const started = performance.now();
  const output: string[] = [];
  const exit = await new Promise<number | null>((resolveExit, reject) => {
    const child = spawn(command, commandArgs, {
      cwd: projectDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.withoutCredentials ? credentialFreeEnv() : { ...process.env, FORCE_COLOR: '0' },
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        if (!options.quiet) process.stderr.write(chunk);
      });
    }
    child.on('error', reject);
    child.on('close', resolveExit);
  });
  if (exit !== 0) {
    throw workflowError(`sls package failed (exit ${exit}): ${output.join('').trim().split('\n').slice(-15).join('\n')}`, {
      input: 'serverless.yml',
      hint: 'read the Framework message above; `npx sls print --param arch=...` shows the resolved configuration',
    });
  }
  const packageSeconds = (performance.now() - started) / 1000;
  log(`packaged into ${packageDir} in ${packageSeconds.toFixed(1)} s${networkIsolated ? ' with no network' : ''}`);
  return {
    packageDir,
    templatePath: join(packageDir, 'cloudformation-template-update-stack.json'),
    layers,
    sizes: await packageSizes(packageDir),
    networkIsolated,
    packageSeconds,
  };
}

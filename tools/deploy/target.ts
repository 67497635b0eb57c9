import { inputError } from '../../shared/errors.ts';

/** A Lambda architecture, as serverless.yml and the Lambda API spell it. */
export type LambdaArch = 'x86_64' | 'arm64';

/** The same architecture as Node (`process.arch`) and npm's `cpu` field spell it. */
export type NodeCpu = 'x64' | 'arm64';

export const LAMBDA_ARCHS: readonly LambdaArch[] = ['x86_64', 'arm64'];

export function nodeCpu(arch: LambdaArch): NodeCpu {
  return arch === 'x86_64' ? 'x64' : 'arm64';
}

/** Accepts either spelling (`x86_64`/`x64`/`amd64`, `arm64`/`aarch64`), so a user need not remember which tool wants which. */
export function parseArch(value: string | undefined): LambdaArch {
  const normalized = (value ?? 'x86_64').trim().toLowerCase();
  if (['x86_64', 'x64', 'amd64'].includes(normalized)) return 'x86_64';
  if (['arm64', 'aarch64'].includes(normalized)) return 'arm64';
  throw inputError(`unknown architecture ${JSON.stringify(value)}`, {
    input: '--arch',
    hint: 'use x86_64 (the default) or arm64',
  });
}

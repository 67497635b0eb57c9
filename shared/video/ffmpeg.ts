import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { mediaError, type LambdafaceError } from '../errors.ts';
import { ffmpegFailure } from './ffmpeg-errors.ts';

export type FfTool = 'ffmpeg' | 'ffprobe';

const ENV_VAR: Record<FfTool, string> = { ffmpeg: 'LAMBDAFACE_FFMPEG', ffprobe: 'LAMBDAFACE_FFPROBE' };
const NPM_SCOPE: Record<FfTool, string> = { ffmpeg: '@ffmpeg-installer', ffprobe: '@ffprobe-installer' };
/** Where the ffmpeg layer puts its binaries (layers are mounted at /opt). */
const LAYER_DIR = '/opt/bin';

const onLambda = (): boolean => Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME ?? process.env.LAMBDA_TASK_ROOT);

/**
 * The executable to run for `tool`: the env override if set (a system ffmpeg), else on Lambda the
 * layer's copy, else the static build shipped by the npm package for this platform. Resolved on
 * every call so a test or the CLI can change the env.
 */
export function toolPath(tool: FfTool): string {
  const envVar = ENV_VAR[tool];
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw mediaError(`${envVar} is set to ${fromEnv}, which does not exist`, {
        input: envVar,
        hint: `point ${envVar} at an ${tool} executable, or unset it to use the bundled one`,
      });
    }
    return fromEnv;
  }
  const layerCopy = join(LAYER_DIR, tool);
  if (onLambda() && existsSync(layerCopy)) return layerCopy;

  const pkg = `${NPM_SCOPE[tool]}/${process.platform}-${process.arch}`;
  try {
    const bundled = join(dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), tool);
    if (existsSync(bundled)) return bundled;
  } catch {
    // not installed for this platform: reported below
  }
  throw mediaError(`no ${tool} executable found (looked for ${envVar}, ${onLambda() ? `${layerCopy}, ` : ''}and the npm package ${pkg})`, {
    input: envVar,
    hint: `run npm ci, or set ${envVar} to an ${tool} executable`,
  });
}

export const ffmpegPath = (): string => toolPath('ffmpeg');
export const ffprobePath = (): string => toolPath('ffprobe');

/**
 * Runs `ffmpeg -version` and `ffprobe -version`: a broken setting (a path that does not exist, is
 * not executable or is not ffmpeg) is then one error before a search starts, not a failure of
 * every chunk.
 */
export async function checkTools(): Promise<void> {
  for (const tool of ['ffmpeg', 'ffprobe'] as const) {
    const path = toolPath(tool);
    const child = spawn(path, ['-version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let banner = '';
    child.stdout.setEncoding('utf-8').on('data', (text: string) => (banner += text));
    const exit = await exitOf(child);
    if (exit.error) throw spawnFailure(tool, path, exit.error);
    if (exit.code !== 0) throw spawnFailure(tool, path, exit.signal ? `stopped by ${exit.signal}` : cannotExecute(exit.code));
    // Anything that exits 0 passes the above (/bin/true): only ffmpeg's own banner says it is ffmpeg.
    if (!banner.startsWith(`${tool} version`)) throw spawnFailure(tool, path, `it does not print "${tool} version ..." for -version, so it is not ${tool}`);
  }
}

export interface RunOptions {
  tool?: FfTool;
  /** The video the run is about, for error messages. */
  source?: string;
  /** What the run does to it, for error messages: "read", "cut", ... */
  action?: string;
  /** Fed to the process's standard input. */
  stdin?: Readable | Buffer;
  /** Stops the run: the process is killed and runFfmpeg throws the signal's reason. */
  signal?: AbortSignal | undefined;
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
}

/** How a child process ended; `error` when it could not be started or signalled. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

const SPAWN_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'not an executable file',
  ENOEXEC: 'not an executable for this machine',
};

/**
 * A failure to start the executable at all (missing, not executable, wrong architecture): says
 * which setting chose that path, since that is what the user changes.
 */
export function spawnFailure(tool: FfTool, path: string, reason: Error | string): LambdafaceError {
  const code = typeof reason === 'string' ? undefined : (reason as NodeJS.ErrnoException).code;
  const why = typeof reason === 'string' ? reason : ((code && SPAWN_REASONS[code]) ?? reason.message);
  const envVar = ENV_VAR[tool];
  const cause = typeof reason === 'string' ? {} : { cause: reason };
  if (process.env[envVar] === path) {
    return mediaError(`${envVar} is set to ${path}, which cannot be run as ${tool}: ${why}`, {
      input: envVar,
      hint: `point ${envVar} at an ${tool} executable, or unset it to use the bundled one`,
      ...cause,
    });
  }
  return mediaError(`could not run ${tool} at ${path}: ${why}`, {
    input: envVar,
    hint: `reinstall the bundled ${tool} (npm ci), or set ${envVar} to an ${tool} executable`,
    ...cause,
  });
}

const cannotExecute = (code: number | null): string => (code === 126 || code === 127 ? `not an executable for this machine (the shell's exit code ${code})` : `exit code ${code}`);

/**
 * The error for a run that ended badly. 126 and 127 are the shell's "cannot execute" and "not
 * found": what the kernel's script fallback answers when the path is not an executable at all.
 */
export function runFailure(tool: FfTool, path: string, exit: ChildExit, context: { source: string; stderr: string; action: string }): LambdafaceError {
  if (exit.error) return spawnFailure(tool, path, exit.error);
  if (exit.code === 126 || exit.code === 127) return spawnFailure(tool, path, cannotExecute(exit.code));
  return ffmpegFailure({ tool, ...context, exitCode: exit.code, signal: exit.signal });
}

/** Keeps the end of a log: what explains a failure is at the end, and a long decode logs a lot. */
export class LogTail {
  private text = '';
  constructor(private readonly limit = 64 * 1024) {}
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > 2 * this.limit) this.text = this.text.slice(-this.limit);
  }
  toString(): string {
    return this.text.slice(-this.limit);
  }
}

/** Resolves with the exit code and signal once the process is gone and its pipes are closed. */
export function exitOf(child: ChildProcess): Promise<ChildExit> {
  return new Promise((resolve) => {
    let error: Error | undefined;
    child.once('error', (e) => {
      error = e;
      // A process that never started emits no 'close' on every Node version.
      if (child.pid === undefined) resolve({ code: null, signal: null, error: e });
    });
    child.once('close', (code, signal) => resolve(error ? { code, signal, error } : { code, signal }));
  });
}

/**
 * Runs ffmpeg or ffprobe to completion, collecting stdout; a non-zero exit becomes an
 * InputError/MediaError about `source` carrying the last meaningful log line.
 */
export async function runFfmpeg(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const tool = options.tool ?? 'ffmpeg';
  const path = toolPath(tool);
  options.signal?.throwIfAborted();
  const child = spawn(path, args, {
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    ...(options.signal ? { signal: options.signal, killSignal: 'SIGKILL' as const } : {}),
  });
  const exited = exitOf(child);
  const stdout: Buffer[] = [];
  const stderr = new LogTail();
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => stderr.push(chunk));
  if (options.stdin && child.stdin) {
    // ffmpeg may stop reading early (it has what it needs, or it failed): not an error here.
    child.stdin.on('error', () => undefined);
    if (Buffer.isBuffer(options.stdin)) child.stdin.end(options.stdin);
    else options.stdin.pipe(child.stdin);
  }
  const exit = await exited;
  // Killed by the signal: that is the stop, not a failure to run ffmpeg.
  options.signal?.throwIfAborted();
  if (exit.error || exit.code !== 0) {
    throw runFailure(tool, path, exit, { source: options.source ?? '(input)', stderr: stderr.toString(), action: options.action ?? 'read' });
  }
  return { stdout: Buffer.concat(stdout), stderr: stderr.toString() };
}

let version: Promise<string> | undefined;

/** ffmpeg's version line (`ffmpeg version ...`), read once per process: pieces encoded by different builds may not join. */
export function ffmpegVersion(): Promise<string> {
  version ??= runFfmpeg(['-version'], { action: 'read the version of', source: 'ffmpeg' }).then(
    ({ stdout }) => stdout.toString('utf8').split('\n')[0]!.trim(),
    (error: unknown) => {
      version = undefined;
      throw error;
    },
  );
  return version;
}

import { execFile } from 'node:child_process';

export const ROOT = new URL('../', import.meta.url).pathname;
const BIN = new URL('../bin/lambdaface.js', import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the lambdaface CLI as a user would, from the checkout, and collects what it printed and its exit code. */
export function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; asNobody?: boolean } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        timeout: options.timeoutMs ?? 240_000,
        env: { ...process.env, ...options.env },
        // The user nobody: for probes of folders the tester (often root) could write anyway.
        ...(options.asNobody ? { uid: 65534, gid: 65534 } : {}),
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

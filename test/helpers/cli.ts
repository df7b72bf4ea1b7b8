/** Runs the real `dockerfile-llb` binary (built by `npm run build`) as a child process. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '../..');
export const binPath = join(repoRoot, 'bin/dockerfile-llb.cjs');

export interface RunResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export function runCli(args: readonly string[], options: { input?: Uint8Array | string; cwd?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  if (!existsSync(join(repoRoot, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does)');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, DEBUG: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    // A command that never reads its input may exit before the write: EPIPE then only means
    // that (its exit code and output still tell the result); any other error fails the run.
    child.stdin.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') reject(e);
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}

/** Runs the CLI's `main` in this process with captured streams (same code path as the binary). */
export async function runInProcess(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<RunResult> {
  const { main } = await import('../../src/cli/main');
  const out: Buffer[] = [];
  let err = '';
  const code = await main(args, {
    stdout: { write: (c: string | Uint8Array) => (out.push(Buffer.from(c)), true), isTTY: false },
    stderr: { write: (c: string) => ((err += c), true) },
    env: { ...options.env },
    cwd: options.cwd ?? repoRoot,
  });
  return { code, stdout: Buffer.concat(out), stderr: err };
}

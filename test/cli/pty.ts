/** Runs the real binary with its stdout (and stderr) on a pseudo-terminal, via util-linux `script`. */
import { spawn, spawnSync } from 'node:child_process';
import { binPath, repoRoot } from '../helpers/cli';

/** Whether `script` (util-linux) is installed: it gives the child a pseudo-terminal. */
export const hasScript = spawnSync('script', ['--version']).status === 0;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs `dockerfile-llb ARGS` on a pseudo-terminal; the terminal's output and the exit code. */
export function runInPty(args: readonly string[], cwd = repoRoot): Promise<{ code: number; output: string }> {
  const cmd = [process.execPath, binPath, ...args].map(shellQuote).join(' ');
  return new Promise((resolve, reject) => {
    // -q: no banner, -e: exit with the child's code, -c: the command; the typescript goes nowhere.
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd, env: { ...process.env, DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output: Buffer.concat(out).toString('utf8').replace(/\r\n/g, '\n') }));
  });
}

// Where the scripts find the oracle (docs/contributing.md), and what the daemon-driven ones share:
// running a process to completion, and refusing to start without buildctl, dist/ and a daemon.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './corpus.mjs';

/** The directory the oracle recipe installs into: $BUILDKIT_ORACLE, else ~/.cache/buildkit-oracle. */
export const ORACLE = process.env.BUILDKIT_ORACLE || join(homedir(), '.cache', 'buildkit-oracle');
/** The oracle's buildctl. */
export const BUILDCTL = join(ORACLE, 'bin', 'buildctl');
/** The daemon's address, as buildctl takes it: $BUILDKIT_HOST, else the oracle's own socket. */
export const BUILDKIT_HOST = process.env.BUILDKIT_HOST || `unix://${join(ORACLE, 'buildkitd.sock')}`;

/**
 * Runs `cmd` to completion: its exit code, stdout (bytes, also written to `stdoutFile` if given) and
 * stderr. A process that cannot start has code -1; one that exits before reading `input` is not an
 * error here, its exit status says why.
 */
export function run(cmd, args, { input, cwd, env, stdoutFile } = {}) {
  return new Promise((done) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd, env: env ? { ...process.env, ...env } : process.env });
    const out = [];
    let stderr = '';
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', (e) => done({ code: -1, stdout: Buffer.alloc(0), stderr: String(e) }));
    p.on('close', (code) => {
      const stdout = Buffer.concat(out);
      if (stdoutFile) writeFileSync(stdoutFile, stdout);
      done({ code, stdout, stderr });
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(input ?? '');
  });
}

/** Exits with status 2 and says what to do unless buildctl, our build and a daemon are all there. */
export async function requireDaemon(tag) {
  const stop = (message) => {
    console.error(`${tag}: ${message}`);
    process.exit(2);
  };
  if (!existsSync(BUILDCTL)) {
    stop(`no buildctl at ${BUILDCTL}.
Build the oracle once and start its daemon (docs/contributing.md):
  BUILDKIT_MIRROR=/path/to/a/clone/of/moby/buildkit bash ../shared/oracle/build.sh
  eval "$(bash ../shared/oracle/build.sh env)"`);
  }
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) stop('dist/ is missing: run `npm run build` first');
  const workers = await run(BUILDCTL, ['--addr', BUILDKIT_HOST, 'debug', 'workers']);
  if (workers.code !== 0) {
    stop(`no buildkitd answers at ${BUILDKIT_HOST}: ${workers.stderr.trim().split('\n').pop()}
Start the oracle's registry and daemon with: bash ../shared/oracle/build.sh start`);
  }
}

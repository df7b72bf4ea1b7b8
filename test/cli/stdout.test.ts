/**
 * Standard output and error of the binary: written with write(2) on the descriptors (see
 * FdWriter in src/cli/io.ts), not through Node's streams. Every byte arrives, in order, also
 * when the pipe is non-blocking and full (EAGAIN: Node's stream takes over); a reader that goes
 * away ends the command quietly with exit 1; and a compile to a pipe loads none of the modules
 * it does not need (node:crypto, Node's streams and sockets), which is most of a small compile's
 * start-up (bench/startup.mjs measures it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDefinition } from '../../src/llb/definition';
import { binPath, repoRoot } from '../helpers/cli';

const IMAGES = join(repoRoot, 'examples/images.json');
const work = mkdtempSync(join(tmpdir(), 'dfllb-stdout-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A Dockerfile of `n` stages whose Definition is far larger than a pipe's buffer. */
function bigDockerfile(n: number): string {
  const file = join(work, `Dockerfile.${n}`);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(`FROM alpine:3.20 AS s${i}`, `RUN echo ${i} > /out`, i ? `COPY --from=s${i - 1} /out /prev` : 'WORKDIR /');
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * Runs the binary in a Node process that first does `prelude` (JavaScript), with stdout a pipe
 * this side reads only after `delayMs`, and stops reading after `limit` bytes when given.
 */
function runPiped(args: readonly string[], opts: { prelude?: string; delayMs?: number; limit?: number } = {}): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  // `node -e` puts the arguments after the script's: argv is [node, 'x', ...args], as the launcher expects.
  const script = `${opts.prelude ?? ''};require(${JSON.stringify(binPath)});`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['-e', script, 'x', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBUG: '' } });
    const out: Buffer[] = [];
    let size = 0;
    const err: Buffer[] = [];
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.stdout.pause();
    setTimeout(() => {
      child.stdout.on('data', (d: Buffer) => {
        out.push(d);
        size += d.length;
        if (opts.limit !== undefined && size >= opts.limit) child.stdout.destroy();
      });
      child.stdout.resume();
    }, opts.delayMs ?? 0);
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

describe('standard output', () => {
  const big = bigDockerfile(1500);
  const want = spawnSync(process.execPath, [binPath, '-f', big, '--images', IMAGES, '-o', join(work, 'want.pb')], { encoding: 'utf8' });

  it('a Definition larger than the pipe arrives whole on a blocking pipe', async () => {
    expect(want.status, want.stderr).toBe(0);
    const expected = readFileSync(join(work, 'want.pb'));
    expect(expected.length).toBeGreaterThan(1 << 18);
    const r = await runPiped(['-f', big, '--images', IMAGES], { delayMs: 100 });
    expect(r.code, r.stderr).toBe(0);
    expect(Buffer.compare(r.stdout, expected)).toBe(0);
  });

  it('a non-blocking pipe that fills up (EAGAIN) still gets every byte, in order', async () => {
    // Node's own stream for a pipe makes the descriptor non-blocking, as a Node parent can.
    const prelude = "const fl = require('fs').readFileSync('/proc/self/fdinfo/1', 'utf8'); process.stdout; if (/flags:\\s*\\d*[4-7]\\d{3}$/m.test(fl)) throw new Error('already non-blocking')";
    const r = await runPiped(['-f', big, '--images', IMAGES], { prelude: process.platform === 'linux' ? prelude : 'process.stdout', delayMs: 300 });
    expect(r.code, r.stderr).toBe(0);
    expect(Buffer.compare(r.stdout, readFileSync(join(work, 'want.pb')))).toBe(0);
    expect(readDefinition(new Uint8Array(r.stdout)).def.length).toBeGreaterThan(1500);
  });

  it('a reader that goes away early: exit 1, nothing on stderr', async () => {
    const r = await runPiped(['-f', big, '--images', IMAGES], { limit: 1 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  });
});

describe('what a compile to a pipe loads', () => {
  it('not node:crypto, nor Node streams, sockets, terminals or AbortController', async () => {
    const prelude = "process.on('exit', () => require('fs').writeSync(2, JSON.stringify(process.moduleLoadList)))";
    const r = await runPiped([join(repoRoot, 'examples/hello'), '--images', IMAGES], { prelude });
    expect(r.code).toBe(0);
    expect(readDefinition(new Uint8Array(r.stdout)).def.length).toBeGreaterThan(0);
    const loaded = (JSON.parse(r.stderr) as string[]).filter((m) => m.startsWith('NativeModule '));
    for (const m of ['crypto', 'net', 'tty', 'stream', 'fs/promises', 'internal/fs/sync_write_stream', 'internal/abort_controller']) expect(loaded).not.toContain(`NativeModule ${m}`);
  });
});

/**
 * The binary against a scripted registry on loopback: a failed build exits as soon as its
 * first fatal error is known (pending requests to a hanging registry are cancelled), the
 * registry timeout and retries are settable by flag and environment variable, and a resolve
 * error names its reference once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, runCli } from '../helpers/cli';
import { startHttpServer } from '../helpers/registry.js';

let server: Awaited<ReturnType<typeof startHttpServer>>;
let hanging: ServerResponse[] = [];
const work = mkdtempSync(join(tmpdir(), 'dfllb-registry-cli-'));

beforeAll(async () => {
  server = await startHttpServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/v2/hang/')) {
      hanging.push(res); // never answered
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
  });
});
afterAll(async () => {
  for (const r of hanging) r.destroy();
  hanging = [];
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs the binary on `dockerfile` with an empty docker config; kills it after `killAfterMs`. */
function run(dockerfile: string, args: string[] = [], env: Record<string, string> = {}, killAfterMs = 20_000): Promise<{ code: number | null; stderr: string; ms: number; killed: boolean }> {
  const file = join(work, `Dockerfile.${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, dockerfile);
  return new Promise((resolve) => {
    const start = Date.now();
    const child = spawn(process.execPath, [binPath, '-f', file, work, '-o', '/dev/null', ...args], {
      env: { ...process.env, DEBUG: '', DOCKER_CONFIG: work, DOCKERFILE_LLB_REGISTRY_TIMEOUT: '', DOCKERFILE_LLB_REGISTRY_RETRIES: '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let killed = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, killAfterMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Errors name the file as -f does (test/cli/error-ux.test.ts); here only the message matters.
      resolve({ code, stderr: stderr.replaceAll(`${file}:`, 'Dockerfile:'), ms: Date.now() - start, killed });
    });
  });
}

describe('a failed build exits at once', () => {
  it('one stage on a hanging registry, another not found: exit 1 without waiting for the first', async () => {
    const r = await run(`FROM ${server.host}/hang/app:1 AS a\nFROM ${server.host}/missing/app:1\nCOPY --from=a / /\n`);
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`Dockerfile:2:1: ${server.host}/missing/app:1: not found: ${server.host} has no manifest for tag 1: manifest_unknown: manifest unknown`);
    // The defaults would wait 4 × 30 s for the hanging registry.
    expect(r.ms).toBeLessThan(10_000);
  });
});

describe('registry timeout and retries', () => {
  it('--registry-timeout and --registry-retries bound a silent registry', async () => {
    const r = await run(`FROM ${server.host}/hang/app:1\n`, ['--registry-timeout', '300ms', '--registry-retries', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`Dockerfile:1:1: ${server.host}/hang/app:1: network error talking to ${server.host}: timed out after 300ms (after 2 attempts)`);
    expect(r.ms).toBeLessThan(8000);
  });

  it('so do the environment variables; the flags win over them', async () => {
    const env = { DOCKERFILE_LLB_REGISTRY_TIMEOUT: '0.25s', DOCKERFILE_LLB_REGISTRY_RETRIES: '0' };
    const r = await run(`FROM ${server.host}/hang/app:1\n`, [], env);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`Dockerfile:1:1: ${server.host}/hang/app:1: network error talking to ${server.host}: timed out after 250ms`);
    const flags = await run(`FROM ${server.host}/hang/app:1\n`, ['--registry-retries', '1'], env);
    expect(flags.stderr.split('\n')[0]).toMatch(/timed out after 250ms \(after 2 attempts\)$/);
  });

  it('bad values are usage errors', async () => {
    writeFileSync(join(work, 'Dockerfile'), 'FROM scratch\n');
    const a = await runCli(['compile', '--registry-timeout', 'forever'], { cwd: work });
    expect(a.code).toBe(2);
    expect(a.stderr.split('\n')[0]).toBe('dockerfile-llb: invalid --registry-timeout "forever": expected a duration such as 10s, 500ms or 2m');
    const b = await runCli(['compile'], { cwd: work, env: { DOCKERFILE_LLB_REGISTRY_RETRIES: '-1' } });
    expect(b.code).toBe(2);
    expect(b.stderr.split('\n')[0]).toBe('dockerfile-llb: invalid DOCKERFILE_LLB_REGISTRY_RETRIES "-1": expected a whole number from 0 to 999');
  });
});

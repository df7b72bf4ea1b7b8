/**
 * The CLI under 10,000 mutated Dockerfiles: every run must exit 0 or 1 (never 70, a crash, a
 * hang or V8's heap exhaustion), and no process may grow past 1 GB. The CLI's `main` (the built
 * dist/cli.js) runs in a few child processes, each taking thousands of inputs, with a heap
 * capped at 1 GB; a watchdog kills a worker whose input takes longer than a minute.
 *
 * Seeded and reproducible. The golden corpus, when present, adds its Dockerfiles to the seeds.
 * Longer runs (docs/security.md): FUZZ_CLI_INPUTS=200000 FUZZ_CLI_SEED=$RANDOM npx vitest run test/cli/fuzz.test.ts
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSeeds } from '../helpers/cli-fuzz.mjs';
import { repoRoot } from '../helpers/cli';

const INPUTS = Number(process.env.FUZZ_CLI_INPUTS ?? 10_000);
const SEED = Number(process.env.FUZZ_CLI_SEED ?? 20261127);
const WORKERS = Number(process.env.FUZZ_CLI_WORKERS ?? 2);
const STALL_MS = 60_000;
const RSS_LIMIT_KB = 1024 * 1024;
const worker = join(repoRoot, 'test/helpers/cli-fuzz-worker.mjs');

interface Summary {
  n: number;
  codes: Record<string, number>;
  maxRssKb: number;
  slowest: { i: number; ms: number };
  ms: number;
}
interface WorkerResult {
  exit: number | null;
  signal: string | null;
  bad: string[];
  summary?: Summary;
  stalled?: number;
  lastStarted: number;
  stderr: string;
}

function runWorker(start: number, count: number): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=1024', worker, JSON.stringify({ seed: SEED, start, count })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result: WorkerResult = { exit: null, signal: null, bad: [], lastStarted: -1, stderr: '' };
    let buffered = '';
    let watchdog: NodeJS.Timeout;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        result.stalled = result.lastStarted;
        child.kill('SIGKILL');
      }, STALL_MS);
    };
    arm();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith('> ')) {
          result.lastStarted = Number(line.slice(2));
          arm();
        } else if (line.startsWith('! ')) result.bad.push(line.slice(2));
        else if (line.startsWith('= ')) result.summary = JSON.parse(line.slice(2)) as Summary;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (result.stderr.length < 4000) result.stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      result.exit = code;
      result.signal = signal;
      resolve(result);
    });
  });
}

const replay = (i: number) => `replay: node test/helpers/cli-fuzz-worker.mjs '${JSON.stringify({ seed: SEED, start: i, count: 1 })}'`;

describe('the CLI on mutated Dockerfiles', () => {
  it(`${INPUTS} inputs (seed ${SEED}) exit 0 or 1, each process under 1 GB`, { timeout: Math.max(600_000, INPUTS * 60) }, async () => {
    const started = Date.now();
    const per = Math.ceil(INPUTS / WORKERS);
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) => runWorker(w * per, Math.max(0, Math.min(per, INPUTS - w * per)))),
    );
    const problems: string[] = [];
    for (const r of results) {
      if (r.stalled !== undefined) problems.push(`input ${r.stalled} ran for more than ${STALL_MS / 1000} s (${replay(r.stalled)})`);
      else if (r.exit !== 0) problems.push(`a worker died (exit ${r.exit}, signal ${r.signal}) at input ${r.lastStarted} (${replay(r.lastStarted)}): ${r.stderr.slice(0, 1500)}`);
      for (const b of r.bad) {
        const [i, code] = b.split(' ', 2);
        problems.push(`input ${i} exited ${code} (${replay(Number(i))}): ${b.slice(i.length + code.length + 2, i.length + code.length + 1200)}`);
      }
      if (r.summary && r.summary.maxRssKb > RSS_LIMIT_KB) problems.push(`a worker reached ${Math.round(r.summary.maxRssKb / 1024)} MB`);
    }
    expect(problems.slice(0, 5)).toEqual([]);

    const codes: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.summary!.codes)) codes[k] = (codes[k] ?? 0) + v;
    const n = results.reduce((a, r) => a + r.summary!.n, 0);
    expect(n).toBe(INPUTS);
    expect(Object.keys(codes).sort()).toEqual(['0', '1']);
    const maxRss = Math.max(...results.map((r) => r.summary!.maxRssKb));
    const slowest = results.map((r) => r.summary!.slowest).reduce((a, b) => (b.ms > a.ms ? b : a));
    console.log(
      `cli fuzz: ${n} inputs from ${loadSeeds(repoRoot).source}, seed ${SEED}, ${WORKERS} workers: ` +
        `exit 0 ×${codes['0']}, exit 1 ×${codes['1']}; max RSS ${Math.round(maxRss / 1024)} MB; ` +
        `slowest input ${slowest.i} (${slowest.ms} ms); ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});

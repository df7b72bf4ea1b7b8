/** `dockerfile-llb dump`, spawned as a real process, against every Definition of our fixtures and the golden corpus. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allDefinitions, fixtureCase, readExpectedJson, type ExpectedJson } from '../helpers/corpus';
import { pool, runCli, runInProcess } from '../helpers/cli';

describe('dockerfile-llb dump', () => {
  it('prints, for every expected .pb, the ops of its .json in the same order', async () => {
    // All cases run through the CLI's main() in-process; a sample also runs as a real process.
    const cases = allDefinitions().map((d) => ({ name: `${d.case.corpus}:${d.label}`, pb: d.pb, json: d.json }));
    const spawned = new Set(cases.filter((_, i) => i % 20 === 0).map((c) => c.name));
    const results = await pool(cases, 4, async (c) => ({
      c,
      r: spawned.has(c.name) ? await runCli(['dump', c.pb]) : await runInProcess(['dump', c.pb]),
    }));
    let compared = 0;
    for (const { c, r } of results) {
      expect(r.code, `${c.name}: ${r.stderr}`).toBe(0);
      const lines = r.stdout.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
      const expected = (JSON.parse(readFileSync(c.json, 'utf8')) as ExpectedJson).ops;
      expect(lines.map((l) => l.Digest)).toEqual(expected.map((o) => o.digest));
      // The op bodies are the protojson BuildKit's tools print.
      expect(lines.map((l) => l.Op)).toEqual(expected.map((o) => o.op));
      expect(lines.map((l) => l.OpMetadata)).toEqual(expected.map((o) => o.metadata));
      compared++;
    }
    expect(compared).toBe(cases.length);
  });

  it('reads stdin and prints DOT', async () => {
    const c = fixtureCase('features/copy-link');
    const r = await runCli(['dump', '--dot'], { input: readFileSync(join(c.dir, 'expected.pb')) });
    expect(r.code).toBe(0);
    const dot = r.stdout.toString();
    expect(dot).toMatch(/^digraph llb \{/);
    for (const op of readExpectedJson(c).ops) expect(dot).toContain(`"${op.digest}"`);
    expect(dot).toContain('LINK COPY --link a.txt /linked/');
  });

  it('with -f compiles the Dockerfile first, taking compile\'s flags', async () => {
    const c = fixtureCase('e2e/target-middle');
    const args = ['-f', join(c.dir, 'Dockerfile'), c.dir, '--images', c.images, '--target', 'middle'];
    const r = await runCli(['dump', ...args, '--build-arg', 'MID=from-case-json', '--build-arg', 'GLOBAL=global-from-case-json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.Digest)).toEqual(readExpectedJson(c).ops.map((o) => o.digest));
    const dot = await runCli(['dump', '--dot', ...args]);
    expect(dot.code, dot.stderr).toBe(0);
    expect(dot.stdout.toString()).toMatch(/^digraph llb \{/);
  });

  it('rejects garbage with exit code 1 and a located message', async () => {
    const r = await runCli(['dump', '-'], { input: new Uint8Array([0x0a, 0xff, 0xff, 0x03]) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dockerfile-llb: standard input: not a serialized LLB Definition: length \d+ exceeds the \d+ bytes left at byte 1/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a missing file with exit code 1, and bad flags with exit code 2', async () => {
    const missing = await runCli(['dump', 'no/such/file.pb']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('dockerfile-llb: no/such/file.pb: no such file or directory\n');
    const bad = await runCli(['dump', '--dto']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown flag: --dto (did you mean --dot?)');
  });

  it('has --help', async () => {
    const r = await runCli(['dump', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain('Usage:\n  dockerfile-llb dump [FILE|-] [--dot] [-o OUT]');
  });
});

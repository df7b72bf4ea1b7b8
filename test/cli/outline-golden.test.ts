/**
 * `outline --format json` and `outline --targets --format json` print, byte for byte, what
 * BuildKit prints for `--call=outline,format=json` and `--call=targets,format=json`: every case
 * of our fixtures and of the golden corpus that has expected-outline.json or expected-targets.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli';
import { allCases, type CorpusCase, describeGolden, GOLDEN, listCases, readCaseJson } from '../helpers/corpus';

type Kind = 'outline' | 'targets';

function withExpected(cases: readonly CorpusCase[]): [string, CorpusCase, Kind][] {
  return cases.flatMap((c) =>
    (['outline', 'targets'] as const).filter((k) => existsSync(join(c.dir, `expected-${k}.json`))).map((k): [string, CorpusCase, Kind] => [`${k} ${c.id}`, c, k]),
  );
}

/** The request flags of case.json that the outline request reads (target, build args, platforms). */
function flags(dir: string): string[] {
  const cfg = readCaseJson(dir);
  const a: string[] = [];
  if (cfg.target) a.push('--target', cfg.target);
  for (const [k, v] of Object.entries(cfg.buildArgs ?? {})) a.push('--build-arg', `${k}=${String(v)}`);
  if (cfg.platform) a.push('--platform', cfg.platform);
  if (cfg.platforms) a.push('--platform', cfg.platforms.join(','));
  return a;
}

describeGolden('golden outline and targets requests', () => {
  it('are all there', () => {
    const golden = withExpected(listCases(GOLDEN!));
    expect(golden.filter(([, , k]) => k === 'outline').length).toBe(339);
    expect(golden.filter(([, , k]) => k === 'targets').length).toBe(342);
  });
});

describe('outline and targets JSON equal BuildKit\'s, byte for byte', () => {
  it.each(withExpected(allCases()))('%s', async (_n, c, kind) => {
    const extra = kind === 'targets' ? ['--targets'] : [];
    const r = await runInProcess(['outline', '-f', join(c.dir, 'Dockerfile'), '--images', c.images, ...flags(c.dir), ...extra, '--format', 'json', c.dir]);
    expect(r.stderr).toBe('');
    expect(r.stdout.toString('utf8')).toBe(readFileSync(join(c.dir, `expected-${kind}.json`), 'utf8'));
  });
});

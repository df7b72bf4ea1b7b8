/**
 * `outline --format json` and `outline --targets --format json` print, byte for byte, what
 * BuildKit prints for `--call=outline,format=json` and `--call=targets,format=json`: every case
 * of our fixtures and of the golden corpus that has expected-outline.json or expected-targets.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module shared with scripts/parity.mjs
import { expectedError } from '../../scripts/lib/golden-compare.mjs';
import { caseFlags } from '../helpers/case-flags';
import { normalizeErrorMessage } from '../helpers/checks';
import { runInProcess } from '../helpers/cli';
import { allCases, CASE_SETS, type CorpusCase, describeGolden, GOLDEN, listCases, readCaseJson } from '../helpers/corpus';

type Kind = 'outline' | 'targets';

function withExpected(cases: readonly CorpusCase[]): [string, CorpusCase, Kind][] {
  return cases.flatMap((c) =>
    (['outline', 'targets'] as const).filter((k) => existsSync(join(c.dir, `expected-${k}.json`))).map((k): [string, CorpusCase, Kind] => [`${k} ${c.id}`, c, k]),
  );
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
    const r = await runInProcess(['outline', '-f', join(c.dir, 'Dockerfile'), '--images', c.images, ...caseFlags(readCaseJson(c.dir)), ...extra, '--format', 'json', c.dir]);
    expect(r.stderr).toBe('');
    expect(r.stdout.toString('utf8')).toBe(readFileSync(join(c.dir, `expected-${kind}.json`), 'utf8'));
  });
});

/**
 * Cases whose build BuildKit refuses and whose outline (or targets) request fails too. Of the
 * rejected Dockerfiles (errors/), those with BuildKit's request answers (expected-lint.json) whose
 * outline request failed: the outline is the build's conversion, so it fails with the build's
 * error. Their targets request only parses, and its error is not recorded (an empty Dockerfile:
 * "file with no instructions", where the build says "the Dockerfile cannot be empty").
 */
function failing(cases: readonly CorpusCase[]): [string, CorpusCase, Kind][] {
  return cases.flatMap((c) =>
    existsSync(join(c.dir, 'expected-error.txt')) && (c.set !== 'errors' || existsSync(join(c.dir, 'expected-lint.json')))
      ? (['outline', 'targets'] as const)
          .filter((k) => !existsSync(join(c.dir, `expected-${k}.json`)) && (k === 'outline' || c.set !== 'errors'))
          .map((k): [string, CorpusCase, Kind] => [`${k} ${c.id}`, c, k])
      : [],
  );
}

describe('the outline and targets requests fail where BuildKit\'s do, with its error', () => {
  // check=error=true with a violation, a build error, a request option the frontend refuses.
  it.each(failing(allCases([...CASE_SETS, 'errors'])))('%s', async (_n, c, kind) => {
    const extra = kind === 'targets' ? ['--targets'] : [];
    const r = await runInProcess(['outline', '-f', join(c.dir, 'Dockerfile'), '--images', c.images, ...caseFlags(readCaseJson(c.dir)), ...extra, '--format', 'json', c.dir]);
    const want = expectedError(readFileSync(join(c.dir, 'expected-error.txt'), 'utf8')) as { message: string };
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBe(0);
    // An image missing from images.json is worded by each tool its own way (test/helpers/checks.ts).
    expect(normalizeErrorMessage(r.stderr)).toContain(normalizeErrorMessage(want.message.split('\n')[0]));
  });
});

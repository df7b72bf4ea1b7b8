/**
 * The build checks' own behaviour, beside the corpora (test/checks/corpus.test.ts): the library's
 * errors and options, what the CLI prints and exits with, and Go's sort.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check';
import { compile, compilePlatforms } from '../../src/compile';
import { DockerfileError } from '../../src/errors';
import { LintViolationError, type CheckWarning } from '../../src/frontend/checks/linter';
import { sourceExcerpt } from '../../src/frontend/checks/report';
import { RULES } from '../../src/frontend/checks/rules';
import { goSortSlice } from '../../src/util/gosort';
import { runInProcess } from '../helpers/cli';
import { FIXTURES, imagesOf } from '../helpers/corpus';

const images = imagesOf(FIXTURES);
const tmp = mkdtempSync(join(tmpdir(), 'dfllb-checks-unit-'));

function dockerfileDir(text: string): string {
  const dir = mkdtempSync(join(tmp, 'ctx-'));
  writeFileSync(join(dir, 'Dockerfile'), text);
  return dir;
}

describe('rules', () => {
  it('are BuildKit v0.32.2\'s 22, one experimental, every one but InvalidBaseImagePlatform documented', () => {
    expect(RULES).toHaveLength(22);
    expect(new Set(RULES.map((r) => r.name)).size).toBe(22);
    expect(RULES.filter((r) => r.experimental).map((r) => r.name)).toEqual(['InvalidDefinitionDescription']);
    expect(RULES.filter((r) => r.url === undefined).map((r) => r.name)).toEqual(['InvalidBaseImagePlatform']);
    for (const r of RULES.filter((x) => x.url)) expect(r.url).toMatch(/^https:\/\/docs\.docker\.com\/go\/dockerfile\/rule\/[a-z-]+\/$/);
  });
});

describe('check() and compile()', () => {
  it('a BUILDKIT_DOCKERFILE_CHECK that does not parse is a bad request, not a build error', async () => {
    const err = await check('FROM alpine:3.20\n', { images, buildArgs: { BUILDKIT_DOCKERFILE_CHECK: 'error=maybe' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerfileError);
    expect((err as DockerfileError).code).toBe('E_CHECK_BUILD_ARG');
    expect((err as DockerfileError).message).toBe('failed to parse build-arg:BUILDKIT_DOCKERFILE_CHECK: failed to parse check option "error=maybe": strconv.ParseBool: parsing "maybe": invalid syntax');
  });

  it('check=error=true fails compile with LintViolationError, which carries the rules and the warnings', async () => {
    const seen: CheckWarning[] = [];
    const text = '# check=error=true\nFROM alpine:3.20\nMAINTAINER me\nCMD echo hi\nCMD echo again\n';
    const err = await compile(text, { images, onWarning: (w) => seen.push(w) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LintViolationError);
    const v = err as LintViolationError;
    expect(v.code).toBe('E_LINT_VIOLATION');
    expect(v.location).toBeUndefined();
    // Each rule once, in the order they first fired (BuildKit lists them in Go map order).
    expect(v.rules).toEqual(['MaintainerDeprecated', 'JSONArgsRecommended', 'MultipleInstructionsDisallowed']);
    expect(v.message).toBe('lint violation found for rules: MaintainerDeprecated, JSONArgsRecommended, MultipleInstructionsDisallowed');
    expect(v.warnings.map((w) => w.ruleName)).toEqual(seen.map((w) => w.ruleName));
    expect(seen).toHaveLength(4);
  });

  it('only the first platform of a multi-platform request runs the checks (as BuildKit\'s builder)', async () => {
    const r = await compilePlatforms('FROM alpine:3.20\nCMD echo hi\n', { images, platforms: ['linux/amd64', 'linux/arm64'] });
    expect(r.results.map((x) => x.warnings.map((w) => w.ruleName))).toEqual([['JSONArgsRecommended'], []]);
  });

  it('check ignores the platform of a request and resolves the base image of every stage', async () => {
    const text = 'FROM arm64v8/alpine:3.20 AS unused\nFROM alpine:3.20\nRUN true\n';
    const built = await compile(text, { images });
    expect(built.warnings).toEqual([]);
    const r = await check(text, { images });
    expect(r.warnings.map((w) => [w.ruleName, w.location.ranges[0].start.line])).toEqual([['InvalidBaseImagePlatform', 1]]);
  });
});

describe('the CLI', () => {
  it('check --format takes json or text only (a usage error otherwise)', async () => {
    const r = await runInProcess(['check', dockerfileDir('FROM alpine:3.20\n'), '--images', FIXTURES.images, '--format', 'yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid --format "yaml": expected json or text');
  });

  it('check exits 0 and says so when nothing is found', async () => {
    const r = await runInProcess(['check', dockerfileDir('FROM alpine:3.20\nCMD ["sh"]\n'), '--images', FIXTURES.images]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.toString()).toBe('Check complete, no warnings found.\n');
  });

  it('compile under check=error=true: the summary, then the error; --warnings-json is written', async () => {
    const dir = dockerfileDir('# check=error=true\nFROM alpine:3.20\nCMD echo hi\n');
    const out = join(dir, 'w.json');
    const r = await runInProcess(['compile', dir, '--images', FIXTURES.images, '-o', join(dir, 'x.pb'), '--warnings-json', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      '\n 1 warning found (set DEBUG=1 to expand):\n' +
        ' - JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 3)\n' +
        'dockerfile-llb: lint violation found for rules: JSONArgsRecommended\n',
    );
    expect(JSON.parse(readFileSync(out, 'utf8')).map((w: CheckWarning) => w.ruleName)).toEqual(['JSONArgsRecommended']);
  });

  it('DEBUG=1 expands the summary as buildx --debug does: description, URL and the lines', async () => {
    const dir = dockerfileDir('FROM alpine:3.20\nCMD echo hi\n');
    const r = await runInProcess(['compile', dir, '--images', FIXTURES.images, '-o', join(dir, 'x.pb')], { env: { DEBUG: '1' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      [
        '',
        ' 1 warning found:',
        ' - JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 2)',
        'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals',
        'More info: https://docs.docker.com/go/dockerfile/rule/json-args-recommended/',
        'Dockerfile:2',
        '--------------------',
        '   1 |     FROM alpine:3.20',
        '   2 | >>> CMD echo hi',
        '   3 |     ',
        '--------------------',
        '',
        '',
      ].join('\n'),
    );
  });
});

describe('source excerpts (BuildKit\'s errdefs.Source.Print)', () => {
  const text = 'a\nb\nc\nd\ne\nf\ng\n';
  const at = (start: number, end = start) => [{ start: { line: start }, end: { line: end } }];
  it('show two lines around one line, one around several, clipped to the file', () => {
    expect(sourceExcerpt('F', text, at(4))).toBe('F:4\n--------------------\n   2 |     b\n   3 |     c\n   4 | >>> d\n   5 |     e\n   6 |     f\n--------------------\n');
    expect(sourceExcerpt('F', text, at(1, 2))).toBe('F:1\n--------------------\n   1 | >>> a\n   2 | >>> b\n   3 |     c\n--------------------\n');
    expect(sourceExcerpt('F', text, at(8))).toBe('F:8\n--------------------\n   6 |     f\n   7 |     g\n   8 | >>> \n--------------------\n');
  });
  it('show nothing without ranges or outside the file', () => {
    expect(sourceExcerpt('F', text, [])).toBe('');
    expect(sourceExcerpt('F', text, at(9))).toBe('');
    expect(sourceExcerpt('F', text, at(0))).toBe('');
  });
});

describe('goSortSlice (Go\'s sort.Slice)', () => {
  it('sorts, keeps every element, and is stable up to 12 elements (insertion sort)', () => {
    let seed = 1;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 300; round++) {
      const n = rand(200);
      const xs = Array.from({ length: n }, (_, i) => ({ key: rand(1 + rand(20)), i }));
      const sorted = [...xs];
      goSortSlice(sorted, (a, b) => a.key < b.key);
      for (let k = 1; k < n; k++) expect(sorted[k - 1].key).toBeLessThanOrEqual(sorted[k].key);
      expect(sorted.map((x) => x.i).sort((a, b) => a - b)).toEqual(xs.map((x) => x.i));
      if (n <= 12) expect(sorted).toEqual([...xs].sort((a, b) => a.key - b.key));
    }
  });
});

/**
 * Build checks against BuildKit's answers, case by case: the check request (`check()`, and the
 * CLI's `check --format json` and `check`) must give `expected-lint.json` and `expected-lint.txt`,
 * and a build (`compile()`, and the CLI's `compile --warnings-json`) the checks of
 * `expected-warnings.json`, for every case that has them.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check';
import { compilePlatforms } from '../../src/compile';
import { parseDockerignore } from '../../src/frontend/dockerignore';
import type { CheckWarning } from '../../src/frontend/checks/linter';
import { checkResultJson, checkResultText, warningsJson } from '../../src/frontend/checks/report';
import { caseFlags } from '../helpers/case-flags';
import { runInProcess } from '../helpers/cli';
import { normalizeErrorMessage, normalizeLint, normalizeUnknownImage, normalizeWarnings } from '../helpers/checks';
import { InstructionError } from '../../src/instructions/errors';
// @ts-expect-error plain JavaScript module shared with scripts/parity.mjs
import { expectedError as parseExpectedError } from '../../scripts/lib/golden-compare.mjs';
import { dockerignoreOf } from '../../scripts/lib/corpus.mjs';
import { allCases, corpora, imagesOf, readCaseJson } from '../helpers/corpus';

interface CaseJson {
  target?: string;
  buildArgs?: Record<string, string>;
  platform?: string;
  platforms?: string[];
  [option: string]: unknown;
}

const SETS = ['checks', 'options', 'features', 'real', 'e2e', 'errors'];
const tmp = mkdtempSync(join(tmpdir(), 'dfllb-checks-'));

function read(dir: string, f: string): string {
  return readFileSync(join(dir, f), 'utf8');
}

/** The cases with BuildKit's check answers, by corpus and set. */
const groups = corpora()
  .flatMap((corpus) => SETS.map((set) => ({ corpus, set, cases: allCases([set]).filter((c) => c.corpus === corpus.id && existsSync(join(c.dir, 'expected-lint.json'))) })))
  .filter((g) => g.cases.length > 0);

for (const { corpus, set, cases } of groups) {
  describe(`${corpus.id} cases/${set}: build checks`, () => {
    for (const kase of cases) {
      const { dir } = kase;
      const name = kase.name.slice(set.length + 1);
      const images = imagesOf(kase);
      const c = readCaseJson(dir) as CaseJson;
      const dockerfile = new Uint8Array(readFileSync(join(dir, 'Dockerfile')));
      const ignore = dockerignoreOf(dir);
      const excludePatterns = ignore === undefined ? undefined : parseDockerignore(ignore);
      const expectedLint = JSON.parse(read(dir, 'expected-lint.json'));
      const expectedText = read(dir, 'expected-lint.txt');
      const expectedWarnings = JSON.parse(read(dir, 'expected-warnings.json'));
      const expectedError = existsSync(join(dir, 'expected-error.txt')) ? read(dir, 'expected-error.txt').trim() : undefined;
      // The check request takes the target and build args; it ignores the platforms.
      const flags = [
        ...(c.target ? ['--target', c.target] : []),
        ...Object.entries(c.buildArgs ?? {}).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
        '--images',
        kase.images,
      ];

      it(`${name}: check()`, async () => {
        const result = await check(dockerfile, { target: c.target, buildArgs: c.buildArgs, images, excludePatterns });
        expect(normalizeLint(JSON.parse(checkResultJson(result)))).toEqual(normalizeLint(expectedLint));
        const text = checkResultText(result);
        expect(normalizeUnknownImage(text.report + text.error)).toBe(normalizeUnknownImage(expectedText));
      });

      it(`${name}: compilePlatforms() warnings`, async () => {
        const seen: CheckWarning[] = [];
        const options = { ...c, images, excludePatterns, onWarning: (w: CheckWarning) => seen.push(w) };
        let warnings: readonly CheckWarning[];
        if (expectedError !== undefined) {
          const err = await compilePlatforms(dockerfile, options).then(
            () => undefined,
            (e: Error) => e,
          );
          const message = err instanceof InstructionError ? err.buildkitMessage : (err?.message ?? '(no error)');
          expect(normalizeErrorMessage(message)).toBe(normalizeErrorMessage(expectedError));
          warnings = seen;
        } else {
          // BuildKit's builder gives the checks to the first platform only.
          const [first, ...others] = (await compilePlatforms(dockerfile, options)).results;
          warnings = first.warnings;
          expect(normalizeWarnings(warnings)).toEqual(normalizeWarnings(seen));
          for (const r of others) expect(r.warnings).toEqual([]);
        }
        expect(normalizeWarnings(JSON.parse(warningsJson(warnings)))).toEqual(normalizeWarnings(expectedWarnings));
      });

      it(`${name}: CLI check --format json, check, compile --warnings-json`, async () => {
        const json = await runInProcess(['check', dir, ...flags, '--format', 'json']);
        expect(normalizeLint(JSON.parse(json.stdout.toString('utf8')))).toEqual(normalizeLint(expectedLint));
        const clean = expectedLint.warnings === null && expectedLint.buildError === undefined;
        expect(json.code).toBe(clean ? 0 : 1);
        const text = await runInProcess(['check', dir, ...flags]);
        expect(normalizeUnknownImage(text.stdout.toString('utf8') + text.stderr)).toBe(normalizeUnknownImage(expectedText));
        expect(text.code).toBe(clean ? 0 : 1);

        const out = join(tmp, `${corpus.id}-${set}-${name}.json`);
        const dest = join(tmp, c.platforms ? `${corpus.id}-${set}-${name}/` : 'out.pb');
        const built = await runInProcess(['compile', dir, ...caseFlags(c), '--images', kase.images, '-o', dest, '--warnings-json', out]);
        expect(built.code).toBe(expectedError === undefined ? 0 : 1);
        // The CLI prints the message after BuildKit's `dockerfile parse error on line N:` prefix, at its line.
        if (expectedError !== undefined) expect(normalizeErrorMessage(built.stderr)).toContain(normalizeErrorMessage(parseExpectedError(expectedError).message));
        expect(normalizeWarnings(JSON.parse(readFileSync(out, 'utf8')))).toEqual(normalizeWarnings(expectedWarnings));
      });
    }
  });
}

/**
 * Build checks against BuildKit's answers, case by case: the check request (`check()`, and the
 * CLI's `check --format json` and `check`) must give `expected-lint.json` and `expected-lint.txt`,
 * and a build (`compile()`, and the CLI's `compile --warnings-json`) the checks of
 * `expected-warnings.json`, for every case that has them.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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
import { normalizeErrorMessage, normalizeLint, normalizeWarnings } from '../helpers/checks';
import { golden } from '../helpers/golden';

interface CaseJson {
  target?: string;
  buildArgs?: Record<string, string>;
  platform?: string;
  platforms?: string[];
  [option: string]: unknown;
}

const SETS = ['checks', 'options', 'features', 'real', 'e2e'];
const images = JSON.parse(readFileSync(golden('images.json'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'dfllb-checks-'));

function read(dir: string, f: string): string {
  return readFileSync(join(dir, f), 'utf8');
}

for (const set of SETS) {
  const cases = readdirSync(golden('cases', set))
    .sort()
    .filter((n) => existsSync(golden('cases', set, n, 'expected-lint.json')));
  describe(`golden cases/${set}: build checks`, () => {
    for (const name of cases) {
      const dir = golden('cases', set, name);
      const c: CaseJson = existsSync(join(dir, 'case.json')) ? JSON.parse(read(dir, 'case.json')) : {};
      const dockerfile = new Uint8Array(readFileSync(join(dir, 'Dockerfile')));
      const excludePatterns = existsSync(join(dir, '.dockerignore')) ? parseDockerignore(read(dir, '.dockerignore')) : undefined;
      const expectedLint = JSON.parse(read(dir, 'expected-lint.json'));
      const expectedText = read(dir, 'expected-lint.txt');
      const expectedWarnings = JSON.parse(read(dir, 'expected-warnings.json'));
      const expectedError = existsSync(join(dir, 'expected-error.txt')) ? read(dir, 'expected-error.txt').trim() : undefined;
      // The check request takes the target and build args; it ignores the platforms.
      const flags = [
        ...(c.target ? ['--target', c.target] : []),
        ...Object.entries(c.buildArgs ?? {}).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
        '--images',
        golden('images.json'),
      ];

      it(`${name}: check()`, async () => {
        const result = await check(dockerfile, { target: c.target, buildArgs: c.buildArgs, images, excludePatterns });
        expect(normalizeLint(JSON.parse(checkResultJson(result)))).toEqual(normalizeLint(expectedLint));
        const text = checkResultText(result);
        expect(text.report + text.error).toBe(expectedText);
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
          expect(normalizeErrorMessage(err?.message ?? '(no error)')).toBe(normalizeErrorMessage(expectedError));
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
        expect(text.stdout.toString('utf8') + text.stderr).toBe(expectedText);
        expect(text.code).toBe(clean ? 0 : 1);

        const out = join(tmp, `${set}-${name}.json`);
        const dest = join(tmp, c.platforms ? `${set}-${name}/` : 'out.pb');
        const built = await runInProcess(['compile', dir, ...caseFlags(c), '--images', golden('images.json'), '-o', dest, '--warnings-json', out]);
        expect(built.code).toBe(expectedError === undefined ? 0 : 1);
        if (expectedError !== undefined) expect(normalizeErrorMessage(built.stderr)).toContain(normalizeErrorMessage(expectedError));
        expect(normalizeWarnings(JSON.parse(readFileSync(out, 'utf8')))).toEqual(normalizeWarnings(expectedWarnings));
      });
    }
  });
}

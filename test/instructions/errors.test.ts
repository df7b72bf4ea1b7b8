import { expect, it } from 'vitest';
import { DockerfileError } from '../../src/errors.js';
import { expand, InstructionError, parseInstructions, type Command } from '../../src/instructions/index.js';
import { parse, parseCheckDirective, parseDirective } from '../../src/parser/index.js';
import { envFromMap, ShellLex } from '../../src/shell/index.js';
import { describeGolden } from '../helpers/corpus.js';
import { goldenDirs, readGolden } from '../helpers/golden.js';

/**
 * Runs the front half the way BuildKit's converter does up to dispatch: parse, build the
 * instructions, then expand every expandable command in order against the ENV/ARG values
 * seen so far. Throws whatever the first failing step throws.
 */
function frontHalf(text: string): void {
  const res = parse(text);
  const check = parseDirective('check', text);
  if (check) {
    const at = { line: check.line, column: 1 };
    parseCheckDirective(check.raw, { kind: 'source', file: 'Dockerfile', start: at, end: at });
  }
  const { stages } = parseInstructions(res.ast);
  const lex = new ShellLex(res.escapeToken);
  for (const st of stages) {
    const env = new Map<string, string>();
    for (const cmd of st.commands as Command[]) {
      const e = expand(cmd, (w) => lex.processWord(w, envFromMap(env)).result);
      if (e.kind === 'env') for (const kv of e.env) env.set(kv.key, kv.value);
      if (e.kind === 'arg') for (const a of e.args) env.set(a.key, a.value ?? '');
    }
  }
}

/** Golden error cases whose error only BuildKit's LLB conversion can raise. */
const CONVERSION_ONLY = new Set([
  '006-copy-from-missing-stage-index',
  '007-copy-from-missing-stage-name',
  '008-copy-from-forward-reference',
  '009-circular-stage-reference',
  '010-copy-from-variable',
  '012-mount-from-forward-reference',
  '014-from-empty-after-expansion',
  '016-invalid-platform',
  '018-no-stages',
  '019-empty-file',
  '028-copy-url-source',
  '029-copy-git-source',
  '030-add-checksum-local-source',
  '031-add-checksum-invalid-digest',
  '032-add-git-keep-git-dir-conflict',
  '033-add-git-unknown-query',
  '034-chmod-invalid-octal',
  '035-chmod-invalid-symbolic',
  '039-mount-target-root',
  '041-mount-ssh-with-source',
  '052-stopsignal-invalid',
  '053-expose-invalid-port',
  '055-target-not-found',
  '060-labs-run-device',
]);

describeGolden('golden errors/*', () => {
  const dirs = goldenDirs('errors');
  const mine = dirs.filter((d) => !CONVERSION_ONLY.has(d));
  it('are classified', () => {
    expect(dirs.length).toBe(mine.length + CONVERSION_ONLY.size);
    expect(mine.length).toBeGreaterThanOrEqual(30);
  });
  for (const d of mine) {
    it(d, () => {
      const expected = readGolden('errors', d, 'expected-error.txt').trim();
      const m = /^dockerfile parse error on line (\d+): ([\s\S]*)$/.exec(expected);
      let err: unknown;
      try {
        frontHalf(readGolden('errors', d, 'Dockerfile'));
      } catch (e) {
        err = e;
      }
      expect(err, 'must be rejected').toBeInstanceOf(DockerfileError);
      const de = err as DockerfileError;
      if (m) {
        expect(de).toBeInstanceOf(InstructionError);
        expect(de.message).toBe(m[2]);
        expect(de.line).toBe(Number(m[1]));
        expect((de as InstructionError).buildkitMessage).toBe(expected);
      } else {
        expect(de).not.toBeInstanceOf(InstructionError);
        expect(de.message).toBe(expected);
        expect(de.line).toBeGreaterThan(0);
      }
    });
  }
  it('conversion-only cases pass the front half (except 018/019, rejected earlier by design)', () => {
    for (const d of CONVERSION_ONLY) {
      const text = readGolden('errors', d, 'Dockerfile');
      if (d === '019-empty-file') {
        expect(() => frontHalf(text)).toThrow('file with no instructions');
        continue;
      }
      expect(() => frontHalf(text), d).not.toThrow();
    }
  });
});

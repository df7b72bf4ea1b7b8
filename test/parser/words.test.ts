/**
 * The parser splits heredoc markers into words without the shell layer (parser sits above shell,
 * docs/architecture.md), so its word splitter must give what BuildKit's shell lexer gives with no
 * variables set and unset references kept. Compared here with the shell layer's lexer (itself
 * checked against BuildKit in test/shell) on hand-picked and random input, in each of the three
 * settings the parser uses.
 */
import { describe, expect, it } from 'vitest';
import { DockerfileError, LimitError } from '../../src/errors.js';
import { MAX_WORD_NESTING, splitWords, type WordSplitOptions } from '../../src/parser/words.js';
import { emptyEnv, ShellLex } from '../../src/shell/index.js';
import { rng } from '../helpers/random.js';

const SETTINGS: WordSplitOptions[] = [
  { rawQuotes: true, rawEscapes: true }, // heredocsFromLine
  { rawQuotes: false, rawEscapes: false }, // ParseHeredoc, first pass
  { rawQuotes: true, rawEscapes: false }, // ParseHeredoc, second pass
];

type Outcome = { words: string[] } | { error: string; code: string };

function outcome(f: () => string[]): Outcome {
  try {
    return { words: f() };
  } catch (e) {
    if (!(e instanceof DockerfileError)) throw e;
    return { error: e.message, code: e.code };
  }
}

function viaShell(text: string, o: WordSplitOptions): Outcome {
  const lex = new ShellLex('\\', { skipUnsetEnv: true, rawQuotes: o.rawQuotes, rawEscapes: o.rawEscapes });
  return outcome(() => lex.processWords(text, emptyEnv));
}

function expectSame(text: string): void {
  for (const o of SETTINGS) {
    expect(outcome(() => splitWords(text, o)), `${JSON.stringify(text)} ${JSON.stringify(o)}`).toEqual(viaShell(text, o));
  }
}

const PIECES = [
  '$', '${', '}', '{', ':', ':-', ':+', ':?', ':#', ':%', '-', '+', '?', '#', '##', '%', '%%', '/', '//', '<', '<<', '<<-',
  '<< ', '\t', '\r', ' ', '  ', '\\', '\\\\', '"', "'", '""', "''", 'EOF', 'a', 'A_1', '0', '12', '@', '*', '!', '$$',
  '\u00a0', '\u0085', '\u3000', 'é', '😀', '\ud800', '\ufeff', '`', 'x y', '\n',
];

describe('parser word splitting (heredoc markers)', () => {
  it('matches the shell lexer on hand-picked input', () => {
    for (const text of [
      '', 'EOF', '<<EOF', '<<"EOF"', "<<'EOF'", '<<-EOF', '<< EOF x', 'RUN <<EOF cat <<-"two" >out', '"EOF', "'EOF",
      '\\', 'a\\', '"a\\', 'E\\OF', '"E\\"OF"', '"E\\$\\\\F"', '$', '$1x', '$@', '${', '${}', '${:a}', '${a', '${a}', '${a:-b c}',
      'abc${a:-x}def', 'abc"q${a:-x}"', '${a//x/y}', '${a/x/y}', '${a/x', '${a:#x}', '${a:%x}', '${a#"x y"}', "${a%'x'}",
      '${a!b}', '${a:}', '${a:x}', '${a?}', '${a-${b+c}}', '${a-"}"}', '\ufeffEOF', 'x\ufeff', 'a\u00a0b', '\ud800', '<', '< <',
      '<<\t\r x',
    ]) {
      expectSame(text);
    }
  });

  it('matches the shell lexer on random input', () => {
    const r = rng(0x5eed);
    for (let n = 0; n < 4000; n++) {
      let text = '';
      const len = Math.floor(r() * 12);
      for (let i = 0; i < len; i++) text += PIECES[Math.floor(r() * PIECES.length)];
      expectSame(text);
    }
  });

  it('nesting past the shell default depth is a LimitError, never a stack overflow', () => {
    const deep = (n: number) => '${a:-'.repeat(n) + 'x' + '}'.repeat(n);
    expectSame(deep(MAX_WORD_NESTING));
    for (const o of SETTINGS) {
      const e = (() => {
        try {
          return splitWords(deep(MAX_WORD_NESTING + 1), o);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(LimitError);
      expect((e as LimitError).message).toMatch(/^failed to process "\$\{a:-\$\{a:-.*…: \$\{…\} expansions nested deeper than 128 levels$/);
      // The shell lexer stops at the same depth.
      expect(() => new ShellLex('\\', { skipUnsetEnv: true }).processWords(deep(MAX_WORD_NESTING + 1), emptyEnv)).toThrow(LimitError);
    }
    expect(() => splitWords(deep(20_000), SETTINGS[0])).toThrow(LimitError);
  });
});

import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../src/errors.js';
import { ShellLex, envFromList } from '../../src/shell/index.js';
import { describeGolden, hasGolden } from '../helpers/corpus.js';
import { readGolden } from '../helpers/golden.js';

interface EnvCase {
  line: number;
  platform: string;
  source: string;
  expected: string;
}

function envVarCases(): EnvCase[] {
  const out: EnvCase[] = [];
  readGolden('conformance/shell/envVarTest')
    .split('\n')
    .forEach((raw, i) => {
      if (raw.startsWith('#')) return;
      const line = raw.trim();
      if (line === '') return;
      const parts = line.split('|');
      if (parts.length !== 3) throw new Error(`bad line ${i + 1}`);
      out.push({ line: i + 1, platform: parts[0].trim(), source: parts[1].trim(), expected: parts[2].trim() });
    });
  return out;
}

// BuildKit's lex_test.go environment (NULL is set to the empty string).
const ENVS = ['PWD=/home', 'SHELL=bash', 'KOREAN=한국어', 'NULL='];

describeGolden('BuildKit envVarTest', () => {
  const cases = hasGolden ? envVarCases() : [];
  const lex = new ShellLex('\\');
  // A (all) and U (unix) lines run with unix env semantics (case-sensitive keys).
  // W (windows) lines run with Windows semantics: env keys are case-insensitive.
  const unixEnv = envFromList(ENVS);
  const winEnv = envFromList(ENVS, { caseInsensitive: true });
  for (const platform of ['A', 'U', 'W']) {
    const sel = cases.filter((c) => c.platform === platform);
    it(`${platform} lines (${sel.length})`, () => {
      expect(sel.length).toBeGreaterThan(0);
      const env = platform === 'W' ? winEnv : unixEnv;
      for (const c of sel) {
        const label = `line ${c.line}: ${c.source}`;
        if (c.expected === 'error') {
          expect(() => lex.processWord(c.source, env), label).toThrow(DockerfileError);
        } else {
          expect(lex.processWord(c.source, env).result, label).toBe(c.expected);
        }
      }
    });
  }
  it('also passes A lines under Windows env semantics', () => {
    for (const c of cases.filter((x) => x.platform === 'A')) {
      if (c.expected === 'error') expect(() => lex.processWord(c.source, winEnv)).toThrow(DockerfileError);
      else expect(lex.processWord(c.source, winEnv).result, c.source).toBe(c.expected);
    }
  });
});

describeGolden('BuildKit wordsTest', () => {
  it('splits words like ProcessWords', () => {
    const lex = new ShellLex('\\');
    const envs: string[] = [];
    let n = 0;
    readGolden('conformance/shell/wordsTest')
      .split('\n')
      .forEach((line, i) => {
        if (line.startsWith('#') || line === '') return;
        if (line.startsWith('ENV ')) {
          envs.push(line.slice(3).replace(/^ +/, ''));
          return;
        }
        const parts = line.split('|');
        expect(parts.length, `line ${i + 1}`).toBe(2);
        const test = parts[0].trim();
        const expected = parts[1].replace(/^ +/, '').split(',');
        let result: string[];
        try {
          result = lex.processWords(test, envFromList(envs));
        } catch {
          result = ['error'];
        }
        expect(result, `line ${i + 1}: ${test}`).toEqual(expected);
        n++;
      });
    expect(n).toBeGreaterThan(20);
  });
});

describe('ShellLex details', () => {
  const env = envFromList(['A=hello world', 'P=/usr/local/bin', 'E=']);
  const lex = new ShellLex('\\');
  const w = (s: string) => lex.processWord(s, env).result;

  it('reports used and unmatched variables', () => {
    const r = lex.processWord('$A ${B:-x} $E', env);
    expect([...r.used].sort()).toEqual(['A', 'E']);
    expect([...r.unmatched]).toEqual(['B']);
  });
  it('pattern removal and substitution', () => {
    expect(w('${P#*/}')).toBe('usr/local/bin');
    expect(w('${P##*/}')).toBe('bin');
    expect(w('${P%/*}')).toBe('/usr/local');
    expect(w('${P%%/*}')).toBe('');
    expect(w('${P/local/opt}')).toBe('/usr/opt/bin');
    expect(w('${P//\\//:}')).toBe(':usr:local:bin');
    expect(w('${A/o/0}')).toBe('hell0 world');
    expect(w('${A//o/0}')).toBe('hell0 w0rld');
    expect(w('${A//?/x}')).toBe('xxxxxxxxxxx');
    expect(w('${A//*/x}')).toBe('x');
    // `$0` in the replacement is expanded by the lexer first (unset special parameter)
    expect(w('${A//o*/[$0]}')).toBe('hell[]');
    // an escaped `$0` reaches Go's ReplaceAllString template expansion: the whole match
    expect(w('${A//o*/[\\$0]}')).toBe('hell[\\o world]');
  });
  it('error messages are BuildKit words', () => {
    expect(() => w('${:x}')).toThrow('failed to process "${:x}": syntax error: bad substitution');
    expect(() => w('"${MISSING:?MISSING must be set}"')).toThrow(
      'failed to process "\\"${MISSING:?MISSING must be set}\\"": MISSING: MISSING must be set',
    );
    expect(() => w('${E:?}')).toThrow('E: is not allowed to be empty');
    expect(() => w('${X?}')).toThrow('X: is not allowed to be unset');
    expect(() => w('${A:#x}')).toThrow('unsupported modifier (:#) in substitution');
    expect(() => w('${A')).toThrow('unsupported modifier (\ufffd) in substitution');
    expect(() => w('${A:-x')).toThrow("syntax error: missing '}'");
    expect(() => w('${A/x')).toThrow("syntax error: missing '/' in ${}");
  });
  it('skipUnsetEnv keeps unset references', () => {
    const l = new ShellLex('\\', { skipUnsetEnv: true });
    expect(l.processWord('$X ${Y} ${Z:-d} ${W/a/b} $A', env).result).toBe('$X ${Y} ${Z:-d} ${W/a/b} hello world');
  });
  it('backtick escape token', () => {
    const l = new ShellLex('`');
    expect(l.processWord('a`$A\\b', env).result).toBe('a$A\\b');
    expect(l.processWord('"x`"y"', env).result).toBe('x"y');
  });
  it('raw quotes and escapes', () => {
    const l = new ShellLex('\\', { rawQuotes: true, rawEscapes: true });
    expect(l.processWord(`'a' "b\\"c" d\\ e`, env).result).toBe(`'a' "b\\"c" d\\ e`);
  });
  it('heredoc markers keep their spaces in one word', () => {
    expect(lex.processWords('cat << EOF > x', env)).toEqual(['cat', '<< EOF', '>', 'x']);
  });
});

describe('ShellLex words that expand to themselves', () => {
  // Words without `$`, quotes, escapes or `<` skip the scanner; appending `''` (which adds
  // nothing to the result or the words) sends the same word through it, so both paths must agree.
  const alphabet = ['a', 'Z', '9', '/', '.', '-', '=', ':', '@', ' ', '\t', '\n', '\u00a0', '\u2003', '\u3000', 'é', '한', '*', '{', '}', '#', '%'];
  const randomWord = (seed: number) => {
    let x = seed * 2654435761;
    let w = '';
    const n = seed % 13;
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      w += alphabet[x % alphabet.length];
    }
    return w;
  };

  it('give the scanner its result and words, for either escape token and with quotes skipped', () => {
    const env = envFromList(['A=1']);
    for (const lex of [new ShellLex('\\'), new ShellLex('`'), new ShellLex('\\', { skipProcessQuotes: true })]) {
      for (let seed = 0; seed < 3000; seed++) {
        const w = randomWord(seed);
        const plain = lex.processWord(w, env);
        const scanned = lex.processWord(`${w}''`, env);
        if (!lex.skipProcessQuotes) {
          expect(plain.result).toBe(scanned.result);
          expect(plain.words).toEqual(scanned.words);
        }
        expect(plain.result).toBe(w);
        expect(plain.words).toEqual(w.split(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/).filter((x) => x !== ''));
        expect([plain.used.size, plain.unmatched.size]).toEqual([0, 0]);
      }
    }
  });

  it('still count against the limits', () => {
    const lex = new ShellLex('\\', { limits: { maxWordLength: 8, maxTotalLength: 20 } });
    expect(() => lex.processWord('abcdefghi', envFromList([]))).toThrow(/maxWordLength/);
    lex.processWord('abcdefgh', envFromList([]));
    lex.processWord('abcdefgh', envFromList([]));
    expect(() => lex.processWord('abcdefgh', envFromList([]))).toThrow(/maxTotalLength/);
  });

  it('leave lone surrogates and byte-order marks to the scanner', () => {
    const lex = new ShellLex('\\');
    expect(lex.processWord('a\ud800b', envFromList([])).result).toBe('a\ufffdb');
    expect(lex.processWord('\ufeffab', envFromList([])).result).toBe('ab');
    expect(lex.processWord('x <<  y', envFromList([])).words).toEqual(['x', '<<  y']);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../src/errors.js';
import { detectSyntax, dumpNode, parse, parseCheckDirective, parseDirective } from '../../src/parser/index.js';
import type { Node } from '../../src/parser/node.js';
import { allCases } from '../helpers/corpus.js';

const dump = (s: string) => dumpNode(parse(s).ast);

describe('parser details', () => {
  it('keeps keyword case, lower-cases value', () => {
    const n = parse('FrOm alpine\n').ast.children[0];
    expect(n.value).toBe('from');
    expect(n.keyword).toBe('FrOm');
  });

  it('handles BOM, CRLF, trailing whitespace and a missing final newline', () => {
    const r = parse('\uFEFF# escape=`\r\nFROM a  \r\nRUN echo `\r\n  hi\r\nCMD x');
    expect(r.escapeToken).toBe('`');
    expect(r.directives).toEqual({ escape: '`' });
    expect(dumpNode(r.ast)).toBe('(from "a")\n(run "echo   hi")\n(cmd "x")');
    const run = r.ast.children[1];
    expect(run.startLine).toBe(3);
    expect(run.endLine).toBe(4);
    expect(run.range).toEqual({ start: { line: 3, column: 1 }, end: { line: 4, column: 5 } });
  });

  it('directives: case, spacing, duplicates, and where they stop', () => {
    expect(parse('#  ESCAPE  =  `  \nFROM a').escapeToken).toBe('`');
    expect(parse('# syntax=x\n\n# escape=`\nFROM a').escapeToken).toBe('\\');
    expect(parse('# hello\n# escape=`\nFROM a').escapeToken).toBe('\\');
    expect(parse('# foo=bar\n# escape=`\nFROM a').escapeToken).toBe('\\');
    const r = parse('# syntax=docker/dockerfile:1.7 x\n# check=skip=all\nFROM a');
    expect(r.directives).toEqual({ syntax: 'docker/dockerfile:1.7 x', check: 'skip=all' });
    expect(r.directiveList.map((d) => d.line)).toEqual([1, 2]);
    expect(r.ast.children[0].prevComment).toEqual([]);
    expect(() => parse('# syntax=a\n# Syntax=b\nFROM a')).toThrow('only one syntax parser directive can be used');
    expect(() => parse('# escape=x\nFROM a')).toThrow("invalid escape token 'x' does not match ` or \\");
  });

  it('detects directives like the frontend does', () => {
    expect(detectSyntax('#!/bin/sh\n# syntax=foo bar\nFROM a')).toEqual({ value: 'foo', raw: 'foo bar', line: 2 });
    expect(detectSyntax('// syntax = x/y\nFROM a')?.value).toBe('x/y');
    expect(detectSyntax('{"syntax": "j"}')?.value).toBe('j');
    expect(parseDirective('check', '# check=error=true\nFROM a')?.raw).toBe('error=true');
    expect(parseCheckDirective('skip=A, B;error=true')).toMatchObject({ skipRules: ['A', 'B'], returnAsError: true });
    expect(() => parseCheckDirective('error=maybe')).toThrow(
      'failed to parse check options: failed to parse check option "error=maybe": strconv.ParseBool: parsing "maybe": invalid syntax',
    );
  });

  it('collects previous comments', () => {
    const r = parse('FROM a\n# one\n  # two\n\n# three\nRUN x\n#\nRUN y');
    expect(r.ast.children[1].prevComment).toEqual(['one', '# two', 'three']);
    expect(r.ast.children[2].prevComment).toEqual([]);
  });

  it('comment and empty lines inside continuations, with a warning', () => {
    const r = parse('FROM a\nRUN a \\\n# c\n\n  b');
    expect(dumpNode(r.ast)).toBe('(from "a")\n(run "a   b")');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].short).toBe('Empty continuation line found in: RUN a   b');
    expect(r.warnings[0].location.start.line).toBe(5);
  });

  it('heredocs', () => {
    const r = parse('FROM a\nRUN <<EOF bash\necho $X\nEOF\nRUN <<-"A" cat <<\'B\'\n\tone\n\tA\ntwo\r\nB\nCOPY <<X <<Y /dst/\nx\nX\ny\nY\n');
    const [, run1, run2, copy] = r.ast.children;
    expect(run1.heredocs).toEqual([{ name: 'EOF', content: 'echo $X\n', expand: true, chomp: false, fileDescriptor: 0 }]);
    expect(run1.endLine).toBe(4);
    expect(run2.heredocs.map((h) => [h.name, h.content, h.expand, h.chomp])).toEqual([
      ['A', '\tone\n', false, true],
      ['B', 'two\r\n', false, false],
    ]);
    expect(copy.heredocs.map((h) => h.content)).toEqual(['x\n', 'y\n']);
    expect(copy.range.end).toEqual({ line: 14, column: 2 });
    // JSON form and other instructions never read heredocs
    expect(dump('FROM a\nRUN ["<<EOF"]\nCMD <<EOF\n')).toBe('(from "a")\n(run "<<EOF")\n(cmd "<<EOF")');
    expect(() => parse('FROM a\nRUN <<EOF\nx\n')).toThrow('unterminated heredoc');
    // ONBUILD with a heredoc trigger
    const ob = parse('FROM a\nONBUILD RUN <<E\nhi\nE\n').ast.children[1];
    expect(ob.heredocs[0].content).toBe('hi\n');
    expect(dumpNode(ob)).toBe('onbuild (run "<<E")');
  });

  it('exec form vs shell form fallback', () => {
    expect(dump('CMD ["a", "b"]')).toBe('(cmd "a" "b")');
    expect(parse('CMD ["a"]').ast.children[0].attributes).toEqual({ json: true });
    expect(dump('CMD ["a" "b"]')).toBe('(cmd "[\\"a\\" \\"b\\"]")');
    expect(dump('CMD ["a"] x')).toBe('(cmd "[\\"a\\"] x")');
    expect(dump('CMD ["a", 1e999]')).toBe('(cmd "[\\"a\\", 1e999]")');
    expect(() => parse('CMD ["a", {"b": [1]}]')).toThrow('when using JSON array syntax, arrays must be comprised of strings only');
    expect(dump('COPY [a b] c')).toBe('(copy "[a" "b]" "c")');
  });

  it('flags', () => {
    expect(dump('COPY --chown=a --x="y z" "--q" c')).toBe('(copy ["--chown=a" "--x=y z"] "\\"--q\\"" "c")');
    expect(dump('RUN --mount=type=bind,src="a b" x')).toBe('(run ["--mount=type=bind,src=a b"] "x")');
    // BuildKit reads flags byte by byte: non-ASCII characters come out as Latin-1 mojibake
    expect(parse('COPY --chown=é a b').ast.children[0].flags).toEqual(['--chown=\u00c3\u00a9']);
    // ... in quotes and after an escape as well; an ASCII flag before non-ASCII arguments is as written
    expect(parse('COPY --chown="é" a b').ast.children[0].flags).toEqual(['--chown=\u00c3\u00a9']);
    expect(parse('COPY --chown=\\é a b').ast.children[0].flags).toEqual(['--chown=\u00c3\u00a9']);
    const mixed = parse('COPY --from=x é/ b').ast.children[0];
    expect(mixed.flags).toEqual(['--from=x']);
    expect(mixed.next.map((n) => n.value)).toEqual(['é/', 'b']);
    expect(mixed.flagRanges[0]).toEqual({ start: { line: 1, column: 6 }, end: { line: 1, column: 14 } });
    expect(dump('RUN --a -- --b c')).toBe('(run ["--a"] "--b c")');
  });

  it('ENV/LABEL/ARG forms', () => {
    expect(dump('ENV a b c')).toBe('(env "a" "b c" "")');
    expect(dump('LABEL "a b"=c d=\'e f\'')).toBe('(label "\\"a b\\"" "c" "=" "d" "\'e f\'" "=")');
    expect(() => parse('ENV a=1 b')).toThrow('Syntax error - can\'t find = in "b". Must be of the form: name=value');
    expect(() => parse('ENV a')).toThrow('ENV must have two arguments');
    expect(dump('ARG a b=c "d e"=f')).toBe('(arg "a" "b=c" "\\"d e\\"=f")');
  });

  it('unknown instructions are kept with an empty argument', () => {
    expect(dump('FOO bar baz')).toBe('(foo "")');
  });

  it('rejects files without instructions and over-long lines', () => {
    expect(() => parse('')).toThrow('file with no instructions');
    expect(() => parse('# a\n\n   \n')).toThrow(DockerfileError);
    expect(() => parse('FROM a\n' + 'RUN ' + 'é'.repeat(40000))).toThrow('dockerfile line greater than max allowed size of 65535');
  });

  it('argument ranges follow continuation lines', () => {
    const n = parse('FROM a\nCOPY --from=x \\\n  src \\\n  /dst').ast.children[1];
    expect(n.next.map((a) => [a.value, a.range.start, a.range.end])).toEqual([
      ['src', { line: 3, column: 3 }, { line: 3, column: 6 }],
      ['/dst', { line: 4, column: 3 }, { line: 4, column: 7 }],
    ]);
    const env = parse('ENV k=v').ast.children[0];
    expect(env.next.map((a) => a.range.start.column)).toEqual([5, 7, 6]);
    const cmd = parse('CMD  [ "a" ]').ast.children[0];
    expect(cmd.next[0].range).toEqual({ start: { line: 1, column: 8 }, end: { line: 1, column: 11 } });
  });
});

describe("the converter's parse (argumentRanges: false)", () => {
  /** Every node under `n` that is an argument (a word), with its depth-first path. */
  const words = (n: Node, out: Node[] = []): Node[] => {
    for (const a of n.next) {
      out.push(a);
      for (const c of a.children) words(c, out);
    }
    for (const c of n.children) words(c, out);
    return out;
  };

  it('gives every corpus Dockerfile the same tree, instruction ranges and errors, and words one shared range', () => {
    const texts = allCases().map((c) => readFileSync(join(c.dir, 'Dockerfile'), 'utf8'));
    texts.push('FROM a\nCOPY --from=x --chmod=644 \\\n  src \\\n  /dst\nONBUILD RUN ["a", "b"]\nENV k=v x=y\nRUN <<EOT\nhi\nEOT\n');
    // ONBUILD wrappers hold their trigger: each keeps its own node, whatever the word sharing.
    texts.push('FROM a\nONBUILD RUN x\nONBUILD RUN x\nONBUILD COPY x x\nUNKNOWN\nUNKNOWN\n');
    let compared = 0;
    for (const text of texts) {
      let full: ReturnType<typeof parse>;
      try {
        full = parse(text);
      } catch (e) {
        expect(() => parse(text, { argumentRanges: false })).toThrow((e as Error).message);
        continue;
      }
      const lean = parse(text, { argumentRanges: false });
      expect(dumpNode(lean.ast)).toBe(dumpNode(full.ast));
      expect(lean.warnings).toEqual(full.warnings);
      lean.ast.children.forEach((n, i) => {
        const f = full.ast.children[i];
        expect([n.range, n.startLine, n.endLine, n.original, n.flags, n.prevComment, n.heredocs, n.attributes]).toEqual([
          f.range, f.startLine, f.endLine, f.original, f.flags, f.prevComment, f.heredocs, f.attributes,
        ]);
        expect(n.flagRanges).toEqual([]);
      });
      const leanWords = words(lean.ast);
      expect(leanWords.map((w) => w.value)).toEqual(words(full.ast).map((w) => w.value));
      const byValue = new Map<string, Node>();
      for (const w of leanWords) {
        if (w.children.length > 0) continue;
        expect(w.range).toBe(leanWords.find((x) => x.children.length === 0)!.range);
        // One parse shares one node per word value (up to 64 characters).
        if (w.value.length > 64) continue;
        if (!byValue.has(w.value)) byValue.set(w.value, w);
        expect(w).toBe(byValue.get(w.value));
      }
      compared++;
    }
    expect(compared).toBeGreaterThan(40);
  });
});

describe('shared word nodes (argumentRanges: false)', () => {
  it('keeps ONBUILD triggers apart and shares only within one parse', () => {
    const lean = parse('FROM a\nONBUILD RUN x\nONBUILD RUN y\n', { argumentRanges: false }).ast.children;
    const [a, b] = [lean[1].next[0], lean[2].next[0]];
    expect(a).not.toBe(b);
    expect(dumpNode(a.children[0])).toBe('run "x"');
    expect(dumpNode(b.children[0])).toBe('run "y"');
    const again = parse('FROM a\n', { argumentRanges: false }).ast.children[0].next[0];
    expect(again).not.toBe(lean[0].next[0]);
    expect(again).toEqual(lean[0].next[0]);
  });
});

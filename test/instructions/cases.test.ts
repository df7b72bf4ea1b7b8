import { describe, expect, it } from 'vitest';
import { expand, expandRaw, parseInstructions, type Command } from '../../src/instructions/index.js';
import { parse } from '../../src/parser/index.js';
import { envFromMap, ShellLex } from '../../src/shell/index.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allCases, hasGolden } from '../helpers/corpus.js';

/** A case whose Dockerfile BuildKit refuses while parsing (a build check case may be one). */
function failsToParse(dir: string): boolean {
  const err = join(dir, 'expected-error.txt');
  return existsSync(err) && readFileSync(err, 'utf8').startsWith('dockerfile parse error');
}

describe('every valid Dockerfile of the corpora', () => {
  const files = allCases()
    .filter((c) => !failsToParse(c.dir))
    .map((c) => ({ name: c.id, path: join(c.dir, 'Dockerfile') }));
  it('finds the corpora', () => expect(files.length).toBeGreaterThan(hasGolden ? 200 : 20));
  it('parses, builds instructions and expands without error', () => {
    for (const f of files) {
      const text = readFileSync(f.path, 'utf8');
      const res = parse(text);
      const { stages } = parseInstructions(res.ast);
      expect(stages.length, f.name).toBeGreaterThan(0);
      const lex = new ShellLex(res.escapeToken);
      const raw = new ShellLex(res.escapeToken, { rawQuotes: true, rawEscapes: true });
      for (const st of stages) {
        const env = new Map<string, string>([['TARGETPLATFORM', 'linux/amd64'], ['TARGETARCH', 'amd64'], ['TARGETOS', 'linux'], ['BUILDPLATFORM', 'linux/amd64']]);
        for (const cmd of st.commands as Command[]) {
          // every instruction range lies inside the file and starts at its keyword
          const lines = text.replace(/^\uFEFF/, '').split('\n');
          const startLine = lines[cmd.location.start.line - 1];
          expect(startLine.slice(cmd.location.start.column - 1).toLowerCase().startsWith(cmd.name.toLowerCase()), `${f.name}:${cmd.location.start.line}`).toBe(true);
          const e = expandRaw(expand(cmd, (w) => lex.processWord(w, envFromMap(env)).result), (w) => raw.processWord(w, envFromMap(env)).result);
          if (e.kind === 'env') for (const kv of e.env) env.set(kv.key, kv.value);
          if (e.kind === 'arg') for (const a of e.args) if (a.value !== undefined) env.set(a.key, a.value);
        }
      }
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../src/errors.js';
import { expand, expandRaw, parseInstruction, parseInstructions } from '../../src/instructions/index.js';
import { dumpNode, parse, parseCheckDirective, parseDirective, detectSyntax } from '../../src/parser/index.js';
import { envFromMap, ShellLex } from '../../src/shell/index.js';
import { allCases, allErrors } from '../helpers/corpus.js';
import { goldenDirs, readGolden } from '../helpers/golden.js';
import { rng } from '../helpers/random.js';


const TOKENS = [
  '\\', '`', '"', "'", '$', '${', '}', '{', ':-', ':?', '#', '##', '%', '/', '//', '<<', '<<-', '<<"EOF"', 'EOF', '\n',
  '\r\n', '\t', ' ', '[', ']', ',', '=', '--', '--mount=', 'type=cache', 'type=secret', '--from=', '--chmod=',
  '--network=', '--link', 'ONBUILD ', 'RUN ', 'COPY ', 'FROM ', 'AS ', 'ENV ', 'ARG ', 'HEALTHCHECK ', 'CMD ',
  '# escape=`\n', '# syntax=x\n', '# check=error=true\n', '\uFEFF', 'é', '😀', '\u00a0', '\u0085', '\0', '0', '"x"', '1e999',
];

function mutate(src: string, r: () => number): string {
  let s = src;
  const n = 1 + Math.floor(r() * 6);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(r() * (s.length + 1));
    const op = r();
    if (op < 0.45) s = s.slice(0, pos) + TOKENS[Math.floor(r() * TOKENS.length)] + s.slice(pos);
    else if (op < 0.65) s = s.slice(0, pos) + s.slice(pos + 1 + Math.floor(r() * 8));
    else if (op < 0.75) s = s.slice(0, pos);
    else if (op < 0.9) {
      const lines = s.split('\n');
      const i = Math.floor(r() * lines.length);
      lines.splice(Math.floor(r() * lines.length), 0, lines[i]);
      s = lines.join('\n');
    } else s = s.slice(0, pos) + String.fromCharCode(Math.floor(r() * 0x3000)) + s.slice(pos);
  }
  return s;
}

function randomText(r: () => number): string {
  const len = Math.floor(r() * 300);
  let s = '';
  for (let i = 0; i < len; i++) {
    const x = r();
    if (x < 0.3) s += TOKENS[Math.floor(r() * TOKENS.length)];
    else if (x < 0.9) s += String.fromCharCode(32 + Math.floor(r() * 95));
    else s += String.fromCharCode(Math.floor(r() * 0x10000));
  }
  return s;
}

/** Runs everything the front half offers on `text`; only DockerfileError may escape. */
function exercise(text: string): void {
  try {
    detectSyntax(text);
    const check = parseDirective('check', text);
    if (check) parseCheckDirective(check.raw);
  } catch (e) {
    if (!(e instanceof DockerfileError)) throw e;
  }
  let res;
  try {
    res = parse(text);
  } catch (e) {
    if (e instanceof DockerfileError) return;
    throw e;
  }
  dumpNode(res.ast);
  const lex = new ShellLex(res.escapeToken);
  const env = envFromMap({ A: 'a b', P: '/x/y.z' });
  for (const n of res.ast.children) {
    let ins;
    try {
      ins = parseInstruction(n);
    } catch (e) {
      if (e instanceof DockerfileError) continue;
      throw e;
    }
    if (ins.kind === 'stage') continue;
    try {
      expandRaw(expand(ins, (w) => lex.processWord(w, env).result), (w) => lex.processWords(w, env).join(' '));
    } catch (e) {
      if (!(e instanceof DockerfileError)) throw e;
    }
  }
  try {
    parseInstructions(res.ast);
  } catch (e) {
    if (!(e instanceof DockerfileError)) throw e;
  }
}

describe('fuzzing', () => {
  const seeds = [
    ...[...allCases(), ...allErrors()].map((c) => readFileSync(join(c.dir, 'Dockerfile'), 'utf8')),
    ...goldenDirs('conformance/parser').map((d) => readGolden('conformance/parser', d, 'Dockerfile')),
  ];

  it('mutated Dockerfiles of the corpora throw nothing but DockerfileError (6000 inputs)', () => {
    const r = rng(1);
    for (let i = 0; i < 6000; i++) {
      const input = mutate(seeds[Math.floor(r() * seeds.length)], r);
      try {
        exercise(input);
      } catch (e) {
        throw new Error(`input #${i} ${JSON.stringify(input.slice(0, 400))}: ${(e as Error).stack}`);
      }
    }
  });

  it('random text throws nothing but DockerfileError (4000 inputs)', () => {
    const r = rng(2);
    for (let i = 0; i < 4000; i++) {
      const input = randomText(r);
      try {
        exercise(input);
      } catch (e) {
        throw new Error(`input #${i} ${JSON.stringify(input)}: ${(e as Error).stack}`);
      }
    }
  });

  it('random words through the shell lexer throw nothing but DockerfileError (20000 words)', () => {
    const r = rng(3);
    const env = envFromMap({ A: 'abc', B: '', P: '/usr/local/bin' });
    const lexers = [new ShellLex('\\'), new ShellLex('`'), new ShellLex('\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true })];
    for (let i = 0; i < 20000; i++) {
      let w = '';
      const len = Math.floor(r() * 20);
      for (let k = 0; k < len; k++) w += r() < 0.6 ? TOKENS[Math.floor(r() * 20)] : 'AB*?P'[Math.floor(r() * 5)];
      for (const l of lexers) {
        try {
          l.processWords(w, env);
        } catch (e) {
          if (!(e instanceof DockerfileError)) throw new Error(`word ${JSON.stringify(w)}: ${(e as Error).stack}`);
        }
      }
    }
  });

  it('random --mount and --device values throw nothing but DockerfileError (5000 values)', async () => {
    const { parseMount, parseDevice } = await import('../../src/instructions/index.js');
    const r = rng(4);
    const parts = ['type=', 'cache', 'bind', 'tmpfs', 'secret', 'ssh', 'target=', '/t', 'from=', 'src=', 'ro', 'rw', 'required', 'size=',
      '1g', 'mode=', '0755', 'uid=', 'gid=', 'id=', 'sharing=', 'locked', 'env=', ',', '"', '=', 'x', '$A', '9'];
    for (let i = 0; i < 5000; i++) {
      let v = '';
      const len = Math.floor(r() * 12);
      for (let k = 0; k < len; k++) v += parts[Math.floor(r() * parts.length)];
      for (const fn of [() => parseMount(v), () => parseMount(v, (w) => w), () => parseDevice(v)]) {
        try {
          fn();
        } catch (e) {
          if (!(e instanceof DockerfileError)) throw new Error(`value ${JSON.stringify(v)}: ${(e as Error).stack}`);
        }
      }
    }
  });

  it('deep JSON nesting and huge lines are handled', () => {
    expect(() => exercise('FROM a\nCMD ' + '['.repeat(20000) + ']'.repeat(20000))).not.toThrow();
    expect(() => parse('FROM a\nRUN ' + 'x'.repeat(70000))).toThrow('dockerfile line greater than max allowed size of 65535');
    expect(() => exercise('FROM a\nRUN ' + '\\\n'.repeat(50000) + 'x')).not.toThrow();
  });
});

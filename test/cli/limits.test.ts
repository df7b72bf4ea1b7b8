/**
 * Hostile Dockerfiles against the expansion and output bounds (src/shell/limits.ts,
 * CompileLimits): an expansion that doubles 24 times, `${A:-` nested 1,600 deep in every
 * instruction that expands, pattern and replacement bombs, and outputs larger than BuildKit
 * accepts. Each must end with exit 1 and a located message, in bounded memory (the binary runs
 * with a 256 MB heap: a bomb that got through would die with V8's "heap out of memory").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile';
import { DockerfileError, LimitError } from '../../src/errors';
import { repoRoot, runCli, type RunResult } from '../helpers/cli';

const IMAGES = join(repoRoot, 'examples/images.json');
const work = mkdtempSync(join(tmpdir(), 'dfllb-limits-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let count = 0;
/** Runs the binary on `dockerfile` with a small heap. */
async function run(dockerfile: string, ...flags: string[]): Promise<RunResult> {
  const file = join(work, `Dockerfile.${count++}`);
  writeFileSync(file, dockerfile);
  const r = await runCli(['-f', file, work, '--images', IMAGES, '-o', '/dev/null', ...flags], {
    env: { NODE_OPTIONS: '--max-old-space-size=256' },
  });
  // Errors name the file as -f does (test/cli/error-ux.test.ts); here only the message matters.
  return { ...r, stderr: r.stderr.replaceAll(`${file}:`, 'Dockerfile:') };
}

/** `${A:-` nested `depth` deep around `inner`, closed unless `unclosed`. */
function nested(depth: number, inner = 'x', unclosed = false): string {
  return '${A:-'.repeat(depth) + inner + (unclosed ? '' : '}'.repeat(depth));
}

/** A Dockerfile whose variable doubles `n` times from 16 characters. */
function doubling(kind: 'ENV' | 'ARG', n: number): string {
  const lines = ['FROM scratch', `${kind} A0=xxxxxxxxxxxxxxxx`];
  for (let i = 1; i <= n; i++) lines.push(`${kind} A${i}=$A${i - 1}$A${i - 1}`);
  return `${lines.join('\n')}\n`;
}

/** The first line of stderr (the message; the excerpt follows). */
const head = (r: RunResult) => r.stderr.split('\n')[0];

describe('the memory bomb', () => {
  it.each(['ENV', 'ARG'] as const)('%s doubling 24 times stops at the first word over 1 MiB', async (kind) => {
    const start = Date.now();
    const r = await run(doubling(kind, 24));
    expect(r.code).toBe(1);
    // A16 is 1 MiB; A17 would be 2 MiB, on line 19.
    expect(head(r)).toBe(
      'Dockerfile:19:1: failed to process "$A16$A16": the expansion would be longer than 1048576 characters ' +
        '(limit maxWordLength=1048576; raise it with `--limit word-length=N` or the compile option limits.maxWordLength if the Dockerfile really needs it)',
    );
    expect(Date.now() - start).toBeLessThan(20_000);
  });

  it('the bound can be raised on the command line', async () => {
    const r = await run(doubling('ENV', 17), '--limit', 'word-length=2M');
    expect(r.code, r.stderr).toBe(0);
  });

  it('many lines of 1 MiB each stop at the build-wide total', async () => {
    const lines = [doubling('ARG', 16).trimEnd()];
    for (let i = 0; i < 80; i++) lines.push(`LABEL l${i}=$A16`);
    const r = await run(`${lines.join('\n')}\n`);
    expect(r.code).toBe(1);
    expect(head(r)).toMatch(/^Dockerfile:\d+:1: failed to process "l\d+=\$A16"|^Dockerfile:\d+:1: failed to process "\$A16": the expansions of this build would produce more than 67108864 characters \(limit maxTotalLength=67108864;/);
  });

  it('a replacement that multiplies the value stops at 1 MiB', async () => {
    const r = await run(`${doubling('ARG', 14).trimEnd()}\nENV B=\${A14//?/$A14}\n`);
    expect(r.code).toBe(1);
    expect(head(r)).toMatch(/^Dockerfile:17:1: failed to process "\$\{A14\/\/\?\/\$A14\}": the replacement would be longer than 1048576 characters \(limit maxWordLength=1048576;/);
  });

  it('pattern matching of a long pattern against a long value stops at the work bound', async () => {
    const r = await run(`${doubling('ARG', 16).trimEnd()}\nENV B=\${A16%%*$A12}\n`);
    expect(r.code).toBe(1);
    expect(head(r)).toMatch(/^Dockerfile:19:1: failed to process "\$\{A16%%\*\$A12\}": pattern matching in this build would take more than 268435456 steps \(this pattern: 65537 characters against a value of 1048576\) \(limit maxPatternWork=268435456;/);
  });

  it('an environment copied into many RUNs stops at the Definition size BuildKit accepts', async () => {
    const lines = ['FROM scratch', ...doubling('ENV', 16).trimEnd().split('\n').slice(1)];
    for (let i = 0; i < 40; i++) lines.push(`RUN echo ${i}`);
    const r = await run(`${lines.join('\n')}\n`);
    expect(r.code).toBe(1);
    // Each RUN carries 2 MiB of environment: the 8th crosses 16 MiB. That RUN is line 26.
    expect(head(r)).toMatch(/^Dockerfile:26:1: the LLB Definition would be larger than 16777216 bytes, more than BuildKit accepts in one request \(limit maxDefinitionBytes=16777216;/);
  });
});

describe('deep ${A:- nesting', () => {
  // Every instruction that expands a word, and the unclosed forms. 1,600 levels overflowed the
  // stack (exit 70) before the depth bound.
  const cases: [string, string][] = [
    ['ARG', `FROM scratch\nARG X=${nested(1600)}\n`],
    ['global ARG', `ARG X=${nested(1600)}\nFROM scratch\n`],
    ['ENV', `FROM scratch\nENV X=${nested(1600)}\n`],
    ['LABEL', `FROM scratch\nLABEL x=${nested(1600)}\n`],
    ['WORKDIR', `FROM scratch\nWORKDIR /${nested(1600)}\n`],
    ['EXPOSE', `FROM scratch\nEXPOSE ${nested(1600, '80')}\n`],
    ['STOPSIGNAL', `FROM scratch\nSTOPSIGNAL ${nested(1600, 'SIGTERM')}\n`],
    ['USER', `FROM scratch\nUSER ${nested(1600)}\n`],
    ['VOLUME', `FROM scratch\nVOLUME /${nested(1600)}\n`],
    ['COPY', `FROM scratch\nCOPY ${nested(1600)} /\n`],
    ['COPY --chown', `FROM scratch\nCOPY --chown=${nested(1600)} x /\n`],
    ['ADD', `FROM scratch\nADD ${nested(1600)} /\n`],
    ['RUN --mount', `FROM scratch\nRUN --mount=type=cache,target=/${nested(1600)} true\n`],
    ['FROM', `FROM ${nested(1600, 'scratch')}\n`],
    ['FROM --platform', `FROM --platform=${nested(1600, 'linux/amd64')} scratch\n`],
    ['ENV, unclosed', `FROM scratch\nENV X=${nested(1600, 'x', true)}\n`],
    ['ARG, unclosed', `FROM scratch\nARG X=${nested(1600, 'x', true)}\n`],
    ['FROM, unclosed', `FROM ${nested(1600, 'x', true)}\n`],
    ['in double quotes', `FROM scratch\nENV X="${'${A:-"'.repeat(1600)}x${'"}'.repeat(1600)}"\n`],
  ];

  it.each(cases)('%s: exit 1 with a located message', async (_name, dockerfile) => {
    const r = await run(dockerfile);
    expect(r.code, r.stderr.slice(0, 300)).toBe(1);
    const line = dockerfile.split('\n').findIndex((l) => l.includes('${A:-')) + 1;
    expect(head(r)).toMatch(new RegExp(`^Dockerfile:${line}:1: .*nested deeper than 128 levels \\(limit maxNestingDepth=128;`));
  });

  it('the library throws a LimitError at the instruction', async () => {
    const err = await compile(`FROM scratch\nENV A=1\nLABEL x=${nested(200)}\n`, { images: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitError);
    const e = err as LimitError;
    expect(e.code).toBe('E_LIMIT');
    expect(e.limit).toBe('maxNestingDepth');
    expect(e.max).toBe(128);
    expect(e.location).toMatchObject({ kind: 'source', file: 'Dockerfile', start: { line: 3, column: 1 } });
  });

  it('a raised depth bound still ends in a LimitError when the stack runs out, never a crash', async () => {
    const r = await run(`FROM scratch\nENV X=${nested(10_000)}\n`, '--limit', 'nesting-depth=1000000');
    expect(r.code).toBe(1);
    expect(head(r)).toMatch(/^Dockerfile:2:1: failed to process "(\$\{A:-)+"…: \$\{…\} expansions nested too deeply for the stack \(limit maxNestingDepth=1000000 is more than this stack holds\)$/);
  });

  it('nesting within the bound expands as BuildKit does', async () => {
    const r = await compile(`FROM scratch\nENV X=${nested(128, 'deep')}\n`, { images: {} });
    expect(r.imageConfig.config?.Env).toContain('X=deep');
  });
});

describe('--limit', () => {
  it('rejects unknown names and bad values as usage errors', async () => {
    const bad = await run('FROM scratch\n', '--limit', 'depth=3');
    expect(bad.code).toBe(2);
    expect(head(bad)).toBe('dockerfile-llb: invalid --limit "depth=3": unknown limit "depth" (known: word-length, nesting-depth, total-length, pattern-work, definition-bytes)');
    const zero = await run('FROM scratch\n', '--limit', 'word-length=0');
    expect(zero.code).toBe(2);
  });

  it('can lower a bound', async () => {
    const r = await run('FROM scratch\nENV A=abcdefgh\nENV B=$A$A\n', '--limit', 'word-length=10');
    expect(r.code).toBe(1);
    expect(head(r)).toMatch(/^Dockerfile:3:1: failed to process "B=\$A\$A"|^Dockerfile:3:1: failed to process "\$A\$A": the expansion would be longer than 10 characters/);
  });

  it('library limits must be positive integers', async () => {
    await expect(compile('FROM scratch\n', { images: {}, limits: { maxWordLength: -1 } })).rejects.toThrow(TypeError);
    await expect(compile('FROM scratch\n', { images: {}, limits: { maxDefinitionBytes: 1.5 } })).rejects.toThrow(TypeError);
  });

  it('errors under the bounds are still ordinary Dockerfile errors', async () => {
    const err = await compile('FROM scratch\nENV X=${A:-\n', { images: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerfileError);
    expect(err).not.toBeInstanceOf(LimitError);
  });
});

/**
 * Errors a user can act on (issue 13): an error names the Dockerfile as the user named it, at its
 * line and column; what it quotes of the Dockerfile is bounded and cannot drive the terminal.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXCERPT_WIDTH, formatDockerfileError, MESSAGE_WIDTH } from '../../src/cli/errors';
import { DockerfileError, DockerfileErrorCode } from '../../src/errors';
import { runInProcess } from '../helpers/cli';
import { FIXTURES } from '../helpers/corpus';

const IMAGES = FIXTURES.images;

function tmp(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dfllb-ux-'));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}

/** Nothing a terminal would act on: no C0/C1 control but newline, no bidirectional override. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('error locations', () => {
  it('name the Dockerfile as -f names it', async () => {
    const dir = tmp({ 'path/to/Dockerfile.prod': 'FROM alpine:3.20\nRUN --mount=type=bogus echo\n' });
    const r = await runInProcess(['compile', '-f', 'path/to/Dockerfile.prod', '--images', IMAGES, '-o', 'out.pb'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('path/to/Dockerfile.prod:2:1: unsupported mount type "bogus"\n   2 | RUN --mount=type=bogus echo\n       ^\n');
  });

  it.each([
    ['dump', ['dump', '-f', 'sub/Dockerfile.dev']],
    ['config', ['config', '-f', 'sub/Dockerfile.dev']],
    ['outline', ['outline', '-f', 'sub/Dockerfile.dev']],
    ['explain', ['explain', '-f', 'sub/Dockerfile.dev']],
    ['diff', ['diff', 'sub/Dockerfile.dev', 'sub/Dockerfile.dev']],
  ])('name it in %s too', async (_, args) => {
    const dir = tmp({ 'sub/Dockerfile.dev': 'FROM alpine:3.20\nFOO bar\n' });
    const r = await runInProcess([...args, '--images', IMAGES], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('sub/Dockerfile.dev:2:1: unknown instruction: FOO (did you mean FROM?)');
  });

  it('name PATH/Dockerfile when only the context is given, Dockerfile for stdin', async () => {
    const dir = tmp({ 'ctx/Dockerfile': 'FROM alpine:3.20\nFOO bar\n' });
    const r = await runInProcess(['compile', 'ctx', '--images', IMAGES, '-o', 'out.pb'], { cwd: dir });
    expect(r.stderr.split('\n')[0]).toBe(`${join('ctx', 'Dockerfile')}:2:1: unknown instruction: FOO (did you mean FROM?)`);
  });

  it('give the column where the instruction starts', async () => {
    const dir = tmp({ Dockerfile: 'FROM alpine:3.20\n    FOO bar\n' });
    const r = await runInProcess(['compile', '--images', IMAGES, '-o', 'out.pb'], { cwd: dir });
    expect(r.stderr).toBe('Dockerfile:2:5: unknown instruction: FOO (did you mean FROM?)\n   2 |     FOO bar\n           ^\n');
  });
});

describe('quoted lines', () => {
  it('a 2 MB line puts a bounded excerpt on stderr, not the line', async () => {
    const long = `RUN ${'x'.repeat(2_000_000)}`;
    const dir = tmp({ Dockerfile: `FROM alpine:3.20\n${long}\n` });
    const r = await runInProcess(['compile', '--images', IMAGES, '-o', 'out.pb'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.length).toBeLessThan(EXCERPT_WIDTH + MESSAGE_WIDTH + 100);
    const [head, quoted, caret] = r.stderr.split('\n');
    expect(head).toBe('Dockerfile:2:1: dockerfile line greater than max allowed size of 65535');
    expect(quoted).toBe(`   2 | ${long.slice(0, EXCERPT_WIDTH)}…`);
    expect(caret).toBe('       ^');
  });

  it('binary garbage and escape sequences are escaped, in the message and the line', async () => {
    const bytes = Buffer.concat([Buffer.from('FROM alpine:3.20\n\x1b[31m\x07\u202e junk\x00'), Buffer.from([0xff, 0x0a])]);
    const dir = tmp({ Dockerfile: bytes });
    const r = await runInProcess(['compile', '--images', IMAGES, '-o', 'out.pb'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(CONTROL);
    expect(r.stderr).toBe('Dockerfile:2:1: unknown instruction: \\x1b[31m\\x07\\u202e\n   2 | \\x1b[31m\\x07\\u202e junk\\x00\ufffd\n       ^\n');
  });

  it('the caret stays under the column when the line is cut on both sides', () => {
    const line = `${'a'.repeat(1000)}B${'c'.repeat(1000)}`;
    const err = new DockerfileError(DockerfileErrorCode.Syntax, 'bad', { kind: 'source', file: 'Dockerfile', start: { line: 1, column: 1001 }, end: { line: 1, column: 1002 } });
    const [, quoted, caret] = formatDockerfileError(err, line).split('\n');
    expect(quoted.startsWith('   1 | …')).toBe(true);
    expect(quoted.endsWith('…')).toBe(true);
    expect(quoted.length).toBeLessThanOrEqual('   1 | '.length + EXCERPT_WIDTH + 2);
    expect(quoted[caret.length - 1]).toBe('B');
    expect(caret.endsWith('^')).toBe(true);
  });

  it('a message quoting a huge word is cut in the middle, says how much, and keeps its end', () => {
    const err = new DockerfileError(DockerfileErrorCode.Expansion, `failed to process "${'Z'.repeat(100_000)}": nested too deeply`);
    const text = formatDockerfileError(err);
    expect(text.length).toBeLessThan(MESSAGE_WIDTH + 100);
    expect(text).toMatch(/^dockerfile-llb: failed to process "Z+… \(\d+ characters left out\) …Z+": nested too deeply\n$/);
  });
});

describe('dump and diff read Definitions', () => {
  it('dump Dockerfile says to use -f, not a wire type', async () => {
    const dir = tmp({ Dockerfile: '# syntax=docker/dockerfile:1\n\nFROM alpine:3.20\nRUN echo hi\n' });
    const r = await runInProcess(['dump', 'Dockerfile'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'dockerfile-llb: Dockerfile: this looks like a Dockerfile, not a serialized LLB Definition; compile it first with -f: dockerfile-llb dump -f Dockerfile\n',
    );
  });

  it('decode errors name the file, in dump and in diff', async () => {
    const dir = tmp({ 'junk.pb': new Uint8Array([0x0e, 0x01, 0x02]), 'ok.pb': new Uint8Array() });
    const d = await runInProcess(['dump', 'junk.pb'], { cwd: dir });
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/^dockerfile-llb: junk\.pb: not a serialized LLB Definition: .*at byte \d+/);
    for (const args of [['ok.pb', 'junk.pb'], ['junk.pb', 'ok.pb']]) {
      const r = await runInProcess(['diff', ...args], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^dockerfile-llb: junk\.pb: not a serialized LLB Definition: .*at byte \d+/);
    }
  });

  it('diff of a Dockerfile named .pb says so', async () => {
    const dir = tmp({ 'old.pb': 'FROM alpine:3.20\n', 'new.pb': new Uint8Array() });
    const r = await runInProcess(['diff', 'old.pb', 'new.pb'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('dockerfile-llb: old.pb: this looks like a Dockerfile, not a serialized LLB Definition; diff compiles a Dockerfile whose name does not end in .pb\n');
  });
});

describe('flags', () => {
  it('dump -f takes every flag compile takes for a Dockerfile, and lists them', async () => {
    const { buildFlags, requestFlags } = await import('../../src/cli/commands/compile');
    const r = await runInProcess(['dump', '--help']);
    for (const f of [...buildFlags, ...requestFlags]) expect(r.stdout.toString(), f.name).toMatch(new RegExp(`^ {2}(-\\w, )?\\s*--${f.name}\\b`, 'm'));
  });

  it('diff takes --limit and the registry flags, and applies them to both sides', async () => {
    const dir = tmp({ 'old/Dockerfile': 'FROM scratch\nENV A=abcdefgh\n', 'new/Dockerfile': 'FROM scratch\nENV A=abcdefgh\nENV B=$A$A\n' });
    const ok = await runInProcess(['diff', 'old/Dockerfile', 'new/Dockerfile'], { cwd: dir });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const limited = await runInProcess(['diff', 'old/Dockerfile', 'new/Dockerfile', '--limit', 'word-length=10'], { cwd: dir });
    expect(limited.code).toBe(1);
    expect(limited.stderr).toMatch(/^new\/Dockerfile:3:1: failed to process .*the expansion would be longer than 10 characters \(limit maxWordLength=10;/);
    const help = await runInProcess(['diff', '--help']);
    for (const f of ['limit', 'registry-timeout', 'registry-retries']) expect(help.stdout.toString()).toContain(`--${f} `);
    const bad = await runInProcess(['diff', 'old/Dockerfile', 'new/Dockerfile', '--registry-timeout', 'forever'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --registry-timeout "forever": expected a duration such as 10s, 500ms or 2m');
  });
});

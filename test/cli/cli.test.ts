/**
 * The command line as a whole, spawned as the real binary: help, version, the default command,
 * usage errors (exit 2), input errors (exit 1), the exact error format, and the refusal to write
 * binary to a terminal.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { describeError } from '../../src/cli/errors';
import { digestOf, readDefinition } from '../../src/llb/definition';
import { FIXTURES, fixtureCase, readExpectedJson } from '../helpers/corpus';
import { runCli } from '../helpers/cli';
import { hasScript, runInPty } from './pty';

const IMAGES = FIXTURES.images;
const commandNames = ['compile', 'config', 'dump', 'outline'];

function tmp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dfllb-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The op digests of a serialized Definition, in order. */
function digests(pb: Buffer | Uint8Array): string[] {
  return readDefinition(new Uint8Array(pb)).def.map(digestOf);
}

describe('dockerfile-llb (the binary)', () => {
  it('--help lists every command and says that compile is the default', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    const text = r.stdout.toString();
    for (const c of commandNames) expect(text).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    expect(text).toContain('dockerfile-llb [compile] [PATH] [-f DOCKERFILE] [FLAGS]');
    expect(r.stderr).toBe('');
  });

  it.each(commandNames)('%s --help shows its usage and flags, exit 0', async (name) => {
    for (const args of [[name, '--help'], [name, '-h'], ['help', name]]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(0);
      const text = r.stdout.toString();
      expect(text).toContain(`Usage:\n  dockerfile-llb ${name}`);
      expect(text).toContain('-h, --help');
    }
  });

  it('--version and -v print the version', async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
    for (const flag of ['--version', '-v']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.toString()).toBe(`dockerfile-llb ${pkg.version}\n`);
    }
  });

  it('with no command compiles: PATH/Dockerfile, context PATH, like docker build', async () => {
    const c = fixtureCase('features/copy-basic-forms');
    const expected = readExpectedJson(c).ops.map((o) => o.digest);
    // dockerfile-llb PATH, dockerfile-llb (in PATH), dockerfile-llb -f FILE, and compile -f FILE agree.
    const runs = [
      await runCli([c.dir, '--images', IMAGES]),
      await runCli(['--images', IMAGES], { cwd: c.dir }),
      await runCli(['-f', join(c.dir, 'Dockerfile'), c.dir, '--images', IMAGES]),
      await runCli(['compile', '-f', join(c.dir, 'Dockerfile'), c.dir, '--images', IMAGES]),
    ];
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      expect(digests(r.stdout)).toEqual(expected);
    }
  });

  it('reports a mistyped command as a usage error with a suggestion', async () => {
    const r = await runCli(['outlien']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('dockerfile-llb: unknown command "outlien" (did you mean outline?)\nRun \'dockerfile-llb --help\' for usage.\n');
  });

  it('bad flags are usage errors (exit 2) with the help hint', async () => {
    const cases: [string[], string][] = [
      [['--nope'], 'unknown flag: --nope'],
      [['compile', '--taget', 'x'], 'unknown flag: --taget (did you mean --target?)'],
      [['compile', '-x'], "unknown shorthand flag: 'x' in -x"],
      [['compile', '--target'], 'flag needs an argument: --target'],
      [['outline', '--targets=maybe'], 'invalid value "maybe" for --targets: expected true or false'],
      [['config', 'a', 'b'], 'accepts at most one PATH (the build context), got 2: a b'],
      [['compile', '--build-arg', '=v'], 'invalid --build-arg "=v": the name is empty'],
      [['dump', '--platform', 'linux/arm64'], '--platform needs -f DOCKERFILE (dump compiles only with -f)'],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`dockerfile-llb: ${message}\nRun 'dockerfile-llb --help' for usage.\n`);
      expect(r.stdout.length).toBe(0);
    }
  });

  it('a missing Dockerfile or context is an input error (exit 1), named as the user named it', async () => {
    const empty = tmp({});
    const cases: [string[], string, string?][] = [
      [['compile', '-f', 'no/such/Dockerfile'], 'no/such/Dockerfile: no such file or directory'],
      [['--images', IMAGES], 'Dockerfile: no such file or directory', empty],
      [['.', '--images', IMAGES], 'Dockerfile: no such file or directory', empty],
      [['sub'], 'sub: no such directory (PATH is the build context)', empty],
      [['outline', '-f', 'missing'], 'missing: no such file or directory', empty],
    ];
    for (const [args, message, cwd] of cases) {
      const r = await runCli(args, { cwd });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toBe(`dockerfile-llb: ${message}\n`);
    }
    const dir = tmp({ Dockerfile: 'FROM alpine:3.20\n' });
    const r = await runCli(['config', '--images', 'nope.json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dockerfile-llb: cannot read image metadata file .*nope\.json: no such file\n$/);
  });

  it('prints Dockerfile errors as Dockerfile:LINE:COL: message, the line and a caret (exit 1)', async () => {
    const dir = tmp({ Dockerfile: 'FROM alpine:3.20\nRUN echo hi\nCOPY --frm=build /out /out\n' });
    const r = await runCli(['--images', IMAGES], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toBe(['Dockerfile:3:1: unknown flag: --frm (did you mean from?)', '   3 | COPY --frm=build /out /out', '       ^', ''].join('\n'));

    // The same from stdin, from config, outline and dump -f: every command that reads a Dockerfile.
    const text = 'FROM alpine:3.20\nFOO bar\n';
    const want = 'Dockerfile:2:1: unknown instruction: FOO (did you mean FROM?)\n   2 | FOO bar\n       ^\n';
    for (const cmd of [[], ['config'], ['outline'], ['dump']]) {
      const s = await runCli([...cmd, '-f', '-', '--images', IMAGES], { input: text });
      expect(s.code, cmd.join(' ')).toBe(1);
      expect(s.stderr).toBe(want);
    }
  });

  it('locates errors that BuildKit locates: an unknown base image at its FROM, a target that is not there', async () => {
    const dir = tmp({ Dockerfile: 'FROM alpine:3.20 AS base\n\nFROM base\nFROM nosuchimage:1.0\n' });
    const r = await runCli(['--images', IMAGES], { cwd: dir });
    expect(r.code).toBe(1);
    const [head, line, caret] = r.stderr.split('\n');
    expect(head).toMatch(/^Dockerfile:4:1: nosuchimage:1\.0: image docker\.io\/library\/nosuchimage:1\.0 is not in the image metadata file /);
    expect(line).toBe('   4 | FROM nosuchimage:1.0');
    expect(caret).toBe('       ^');
    const t = await runCli(['--images', IMAGES, '--target', 'bsae'], { cwd: dir });
    expect(t.code).toBe(1);
    expect(t.stderr).toBe('dockerfile-llb: target stage "bsae" could not be found (did you mean base?)\n');
  });

  it('prints no stack trace unless DEBUG is set', () => {
    const boom = new Error('boom');
    const quiet = describeError(boom, undefined, false);
    expect(quiet).toEqual({ text: 'dockerfile-llb: internal error: boom\n', code: 70 });
    const loud = describeError(boom, undefined, true);
    expect(loud.text).toMatch(/^dockerfile-llb: internal error: boom\nError: boom\n\s+at /);
  });

  it('refuses to write binary to a terminal (in process, stdout.isTTY)', async () => {
    const dir = tmp({ Dockerfile: 'FROM scratch\nCOPY a /a\n' });
    let out = '';
    let err = '';
    const code = await main(['--images', IMAGES], {
      stdout: { write: (c: string | Uint8Array) => ((out += String(c)), true), isTTY: true },
      stderr: { write: (c: string) => ((err += c), true) },
      env: {},
      cwd: dir,
    });
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('refusing to write the LLB Definition (binary) to a terminal; pipe it');
    expect(err).toContain('or use -o FILE');
  });

  it.skipIf(!hasScript)('refuses to write binary to a terminal (real process on a pseudo-terminal)', async () => {
    const dir = tmp({ Dockerfile: 'FROM scratch\nCOPY a /a\n' });
    const r = await runInPty(['--images', IMAGES], dir);
    expect(r.code).toBe(2);
    expect(r.output).toBe(
      "dockerfile-llb: refusing to write the LLB Definition (binary) to a terminal; pipe it (e.g. `| buildctl build …`) or use -o FILE\nRun 'dockerfile-llb --help' for usage.\n",
    );
    // Text output is fine on a terminal, and -o FILE writes the binary there.
    const t = await runInPty(['outline', '--targets'], dir);
    expect(t.code).toBe(0);
    expect(t.output).toBe('TARGET    DESCRIPTION\n(default) \n');
    const o = await runInPty(['--images', IMAGES, '-o', 'out.pb'], dir);
    expect(o.code).toBe(0);
    expect(readDefinition(new Uint8Array(readFileSync(join(dir, 'out.pb')))).def.length).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../src/errors.js';
import {
  expand,
  expandRaw,
  InstructionError,
  parseInstruction,
  parseInstructions,
  parseMount,
  ramInBytes,
  type Command,
} from '../../src/instructions/index.js';
import { parse } from '../../src/parser/index.js';
import { envFromMap, ShellLex } from '../../src/shell/index.js';

const first = (src: string): Command => {
  const { stages } = parseInstructions(parse('FROM scratch\n' + src).ast);
  return stages[0].commands[0];
};
const lex = new ShellLex('\\');
const ex = (vars: Record<string, string>) => (w: string) => lex.processWord(w, envFromMap(vars)).result;

describe('stages and meta args', () => {
  it('splits stages, keeps meta ARGs, names and comments', () => {
    const { stages, metaArgs } = parseInstructions(
      parse('ARG A=1 B\n# build builds things\nFROM --platform=$P img AS Build\nRUN x\nfrom build as two\n').ast,
    );
    expect(metaArgs[0].args).toEqual([
      { key: 'A', value: '1', comment: '' },
      { key: 'B', comment: '' },
    ]);
    expect(stages.map((s) => [s.name, s.nameAsWritten, s.baseName, s.platform, s.commands.length])).toEqual([
      ['build', 'Build', 'img', '$P', 1],
      ['two', 'two', 'build', '', 0],
    ]);
    expect(stages[0].comment).toBe('builds things');
    expect(stages[0].sourceCode).toBe('FROM --platform=$P img AS Build');
  });
  it('rejects instructions before FROM without the parse-error prefix', () => {
    try {
      parseInstructions(parse('ARG a\nRUN x\nFROM a').ast);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DockerfileError);
      expect(e).not.toBeInstanceOf(InstructionError);
      expect((e as DockerfileError).message).toBe('no build stage in current context');
      expect((e as DockerfileError).line).toBe(2);
    }
  });
});

describe('commands', () => {
  it('RUN shell and exec form, heredoc files, defaults', () => {
    const r = first('RUN echo a  b');
    expect(r).toMatchObject({ kind: 'run', cmdLine: ['echo a  b'], prependShell: true, network: 'default', security: 'sandbox', files: [] });
    expect(first('RUN ["a", "b"]')).toMatchObject({ cmdLine: ['a', 'b'], prependShell: false });
    expect(first('RUN <<-EOF\n\techo\n\tEOF\n')).toMatchObject({ files: [{ name: 'EOF', data: '\techo\n', chomp: true }] });
    expect(first('RUN --network=none --security=insecure x')).toMatchObject({ network: 'none', security: 'insecure', flagsUsed: ['network', 'security'] });
    expect(() => first('RUN --security=foo x')).toThrow('security "foo" is not valid');
    expect(first('RUN --device=nvidia.com/gpu=all,required x')).toMatchObject({ devices: [{ name: 'nvidia.com/gpu=all', required: true }] });
  });

  it('RUN --mount: deferred at parse time, typed after expand', () => {
    const r = first('RUN --mount=type=cache,target=$DIR,id=c,sharing=locked,mode=0700,uid=1 --mount=type=secret,id=tok,env=TOK,required x');
    if (r.kind !== 'run') throw new Error();
    expect(r.mountSpecs).toHaveLength(2);
    const e = expand(r, ex({ DIR: '/cache' }));
    expect(e.mounts[0]).toEqual({
      type: 'cache', from: '', source: '', target: '/cache', readOnly: false, sizeLimit: 0, cacheId: 'c', cacheSharing: 'locked',
      required: false, mode: 0o700, uid: 1,
    });
    expect(e.mounts[1]).toMatchObject({ type: 'secret', cacheId: 'tok', env: 'TOK', required: true, readOnly: true });
    expect(r.mounts[0].target).toBe(''); // not interpreted before expansion, like BuildKit
  });

  it('mount aliases, defaults and validation messages', () => {
    const m = (s: string) => parseMount(s, (w) => w);
    expect(m('target=/a')).toMatchObject({ type: 'bind', readOnly: true });
    expect(m('type=bind,dst=/a,rw')).toMatchObject({ readOnly: false, target: '/a' });
    expect(m('type=bind,destination=/a,readwrite=true,src=s')).toMatchObject({ readOnly: false, source: 's' });
    expect(m('type=tmpfs,target=/t,size=64m')).toMatchObject({ readOnly: false, sizeLimit: 64 * 1024 * 1024 });
    expect(m('type=cache,target=/c,ro')).toMatchObject({ readOnly: true });
    expect(m('type=ssh')).toMatchObject({ type: 'ssh', readOnly: true });
    expect(() => m('type=volume')).toThrow('unsupported mount type "volume"');
    expect(() => m('type=cahce')).toThrow('unsupported mount type "cahce" (did you mean cache?)');
    expect(() => m('type=cache,target=/c,color=blue')).toThrow("unexpected key 'color' in 'color=blue'");
    expect(() => m('type=cache,targt=/c')).toThrow("unexpected key 'targt' in 'targt=/c' (did you mean target?)");
    expect(() => m('type=tmpfs,target=/t,uid=1')).toThrow('uid not allowed for "tmpfs" type mounts');
    expect(() => m('type=secret,id=a,from=b')).toThrow('secret mount should not have a from');
    expect(() => m('type=secret')).toThrow('invalid secret mount. one of source, target required');
    expect(() => m('type=bind,sharing=shared')).toThrow('invalid cache sharing set for bind mount');
    expect(() => m('type=cache,mode=9')).toThrow('invalid value 9 for mode');
    expect(() => m('type=bind,required')).toThrow("unexpected key 'required' for mount type 'bind'");
    expect(() => m('type=bind,foo')).toThrow("invalid field 'foo' must be a key=value pair");
    expect(() => m('type="bind')).toThrow('failed to parse csv mounts');
    expect(() => first('RUN --mount=from=$X,target=/a x')).toThrow("'from' doesn't support variable expansion, define alias stage instead");
    expect(() => first('RUN --mount=from=a$,target=/a x')).not.toThrow();
    expect(ramInBytes('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(ramInBytes('10 kb')).toBe(10240);
    expect(ramInBytes('10x')).toBeUndefined();
  });

  it('COPY and ADD flags, heredoc sources', () => {
    const c = first('COPY --from=b --chown=1:2 --chmod=u+x --link --parents --exclude=*.md --exclude=x a <<EOF /d/\nhi $X\nEOF\n');
    expect(c).toMatchObject({
      kind: 'copy', from: 'b', chown: '1:2', chmod: 'u+x', link: true, parents: true, excludes: ['*.md', 'x'],
      sourcePaths: ['a'], destPath: '/d/', sourceContents: [{ path: 'EOF', data: 'hi $X\n', expand: true }],
    });
    const a = first('ADD --keep-git-dir --checksum=sha256:x --unpack=false u /d');
    expect(a).toMatchObject({ kind: 'add', keepGitDir: true, unpack: false, checksum: 'sha256:x' });
    expect(first('ADD u /d')).not.toHaveProperty('keepGitDir');
    expect(() => first('COPY --foo=bar a /b')).toThrow('unknown flag: --foo (did you mean from?)');
    expect(() => first('COPY --from=a a')).toThrow('COPY requires at least two arguments');
    expect(() => first('ADD --parents a b')).toThrow('unknown flag: --parents');
    const raw = new ShellLex('\\', { rawQuotes: true, rawEscapes: true });
    const e = expandRaw(c, (w) => raw.processWord(w, envFromMap({ X: 'there' })).result);
    expect(e.kind === 'copy' && e.sourceContents[0].data).toBe('hi there\n');
    const q = first('COPY <<"EOF" /d\n$X\nEOF\n');
    expect(expandRaw(q, () => 'changed')).toMatchObject({ sourceContents: [{ data: '$X\n', expand: false }] });
  });

  it('HEALTHCHECK', () => {
    expect(first('HEALTHCHECK --interval=1m30s --timeout=500ms --start-period=1.5s --retries=3 CMD curl x')).toMatchObject({
      health: { test: ['CMD-SHELL', 'curl x'], interval: 90e9, timeout: 500e6, startPeriod: 1.5e9, startInterval: 0, retries: 3 },
    });
    expect(first('HEALTHCHECK CMD ["a", "b"]')).toMatchObject({ health: { test: ['CMD', 'a', 'b'] } });
    expect(first('HEALTHCHECK none')).toMatchObject({ health: { test: ['NONE'] } });
    expect(() => first('HEALTHCHECK --interval=1us CMD x')).toThrow('Interval "interval" cannot be less than 1ms');
    expect(() => first('HEALTHCHECK --interval=5 CMD x')).toThrow('time: missing unit in duration "5"');
    expect(() => first('HEALTHCHECK --retries=-1 CMD x')).toThrow('--retries cannot be negative (-1)');
    expect(() => first('HEALTHCHECK --retries=x CMD x')).toThrow('strconv.ParseInt: parsing "x": invalid syntax');
    expect(() => first('HEALTHCHECK CMD')).toThrow('Missing command after HEALTHCHECK CMD');
    expect(() => first('HEALTHCHECK NONE x')).toThrow('HEALTHCHECK NONE takes no arguments');
  });

  it('simple commands', () => {
    expect(first('ENV a=1 b="2 3"')).toMatchObject({ env: [{ key: 'a', value: '1', noDelim: false }, { key: 'b', value: '"2 3"', noDelim: false }] });
    expect(first('ENV a 1 2')).toMatchObject({ env: [{ key: 'a', value: '1 2', noDelim: true }] });
    expect(first('EXPOSE 80/udp 443 8080')).toMatchObject({ ports: ['443', '80/udp', '8080'] });
    expect(first('VOLUME ["/a", " /b "]')).toMatchObject({ volumes: ['/a', '/b'] });
    expect(first('ENTRYPOINT []')).toMatchObject({ cmdLine: null, prependShell: false });
    expect(first('CMD []')).toMatchObject({ cmdLine: [] });
    expect(first('SHELL ["pwsh", "-c"]')).toMatchObject({ shell: ['pwsh', '-c'] });
    expect(first('STOPSIGNAL --x SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
    expect(first('onbuild  RUN <<E\nhi\nE\n')).toMatchObject({ kind: 'onbuild', expression: 'RUN <<E\nhi\nE' });
    expect(() => first('ONBUILD MAINTAINER x')).toThrow("MAINTAINER isn't allowed as an ONBUILD trigger");
    expect(first('USER a b')).toMatchObject({ user: 'a b' }); // parseString: one argument
    expect(() => first('WORKDIR')).toThrow('WORKDIR requires exactly one argument');
    expect(() => first('LABEL')).toThrow('LABEL requires at least one argument');
    expect(() => first('ENV =x')).toThrow('ENV names can not be blank');
    expect(() => first('SHELL []')).toThrow('SHELL requires at least one argument');
    expect(() => first('frm x')).toThrow('unknown instruction: frm (did you mean from?)');
    expect(() => first('EXPOSE --x 80')).toThrow('unknown flag: --x');
  });

  it('error locations cover the instruction', () => {
    try {
      parseInstructions(parse('FROM a\n  COPY \\\n  x').ast);
      expect.unreachable();
    } catch (e) {
      const err = e as InstructionError;
      expect(err.location).toMatchObject({ file: 'Dockerfile', start: { line: 2, column: 3 }, end: { line: 3, column: 4 } });
      expect(err.buildkitMessage).toBe(
        'dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined',
      );
    }
  });
});

describe('expand', () => {
  it('expands what BuildKit expands, returns new objects', () => {
    const vars = ex({ A: 'x', D: '/dst', U: 'me' });
    const c = first('COPY --from=$A --chown=$U --chmod=$A $A $D');
    const e = expand(c, vars);
    expect(e).toMatchObject({ from: '$A', chown: 'me', chmod: 'x', sourcePaths: ['x'], destPath: '/dst' });
    expect(c).toMatchObject({ chown: '$U' });
    expect(expand(first('ARG $A=${A}y B'), vars)).toMatchObject({ args: [{ key: 'x', value: 'xy' }, { key: 'B' }] });
    expect(expand(first('LABEL "$A"="${D}"'), vars)).toMatchObject({ labels: [{ key: 'x', value: '/dst' }] });
    expect(expand(first('WORKDIR $D'), vars)).toMatchObject({ path: '/dst' });
    expect(expand(first('USER $U'), vars)).toMatchObject({ user: 'me' });
    expect(expand(first('VOLUME $D $A'), vars)).toMatchObject({ volumes: ['/dst', 'x'] });
    expect(expand(first('STOPSIGNAL $A'), vars)).toMatchObject({ signal: 'x' });
    expect(expand(first('CMD $A'), vars)).toMatchObject({ cmdLine: ['$A'] });
    expect(expand(first('EXPOSE $A'), vars)).toMatchObject({ ports: ['$A'] });
  });
  it('attaches the command location to expansion errors', () => {
    try {
      expand(first('ENV A=${:x}'), ex({}));
      expect.unreachable();
    } catch (e) {
      expect((e as DockerfileError).message).toBe('failed to process "${:x}": syntax error: bad substitution');
      expect((e as DockerfileError).line).toBe(2);
    }
  });
  it('parseInstruction handles ONBUILD triggers on their own', () => {
    const node = parse('RUN --mount=type=cache,target=/x echo').ast.children[0];
    expect(parseInstruction(node)).toMatchObject({ kind: 'run', cmdLine: ['echo'] });
  });
});

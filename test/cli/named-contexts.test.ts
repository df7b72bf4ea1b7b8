/**
 * Named build contexts (`--build-context NAME=VALUE`) against BuildKit's own frontend: each
 * fixture of test/fixtures/named-contexts compiles, through the CLI, to the LLB BuildKit's
 * Dockerfile frontend built on a daemon with `--opt context:NAME=…` (expected-llb.json, taken
 * from the build's provenance by `npm run e2e:contexts -- --write`, which also checked that both
 * LLBs build the same filesystem). Session-specific source attributes are left out on both
 * sides; the git and HTTP servers' port is 65535 in the expected files.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile';
import { DockerfileError } from '../../src/errors';
import { readDefinition } from '../../src/llb/definition';
import { dumpDefinition } from '../../src/llb/dump';
import { StaticImageResolver } from '../../src/image/static-resolver';
import { canon, stepsOf } from '../../scripts/lib/llb-steps.mjs';
import { runInProcess } from '../helpers/cli';

const FIXTURES = join(__dirname, '../fixtures/named-contexts');
const SERVED = 'http://127.0.0.1:65535';

interface Request {
  contexts: Record<string, string>;
  target?: string;
  buildArgs?: Record<string, string>;
}

/** An OCI layout directory with the manifest and config oci-layouts.json recorded for `key`. */
function layoutDir(fixture: string, key: string): string {
  const stores = JSON.parse(readFileSync(join(fixture, 'oci-layouts.json'), 'utf8')) as Record<string, { digest: string; manifest: { config: { digest: string } }; config: unknown }>;
  const s = stores[key];
  const dir = mkdtempSync(join(tmpdir(), 'dfllb-layout-'));
  const blob = (digest: string, v: unknown) => {
    const [alg, hex] = digest.split(':');
    mkdirSync(join(dir, 'blobs', alg), { recursive: true });
    writeFileSync(join(dir, 'blobs', alg, hex), JSON.stringify(v));
  };
  blob(s.digest, s.manifest);
  blob(s.manifest.config.digest, s.config);
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: s.digest }] }));
  return dir;
}

/** request.json's contexts as --build-context flags, as the e2e script passed them. */
function contextFlags(name: string, fixture: string, req: Request): string[] {
  return Object.entries(req.contexts).flatMap(([key, spec]) => {
    const kind = spec.slice(0, spec.indexOf(':'));
    const arg = spec.slice(spec.indexOf(':') + 1);
    switch (kind) {
      case 'dir':
        return ['--build-context', `${key}=${join(fixture, arg)}`];
      case 'git': {
        const [path, frag] = arg.split('#');
        return ['--build-context', `${key}=${SERVED}/${name}-${basename(path)}.git${frag ? `#${frag}` : ''}`];
      }
      case 'http':
        return ['--build-context', `${key}=${SERVED}/${name}-${basename(arg)}`];
      case 'oci-layout':
        return ['--build-context', `${key}=oci-layout://${layoutDir(fixture, key)}`];
      default:
        return ['--build-context', `${key}=${spec}`];
    }
  });
}

const fixtures = readdirSync(FIXTURES).filter((n) => existsSync(join(FIXTURES, n, 'expected-llb.json')));

describe('named contexts compile to the LLB of BuildKit\'s frontend', () => {
  it('covers every value form the daemon builds here', () => {
    const forms = new Set(fixtures.flatMap((n) => Object.values((JSON.parse(readFileSync(join(FIXTURES, n, 'request.json'), 'utf8')) as Request).contexts).map((s) => s.slice(0, s.indexOf(':')))));
    expect([...forms].sort()).toEqual(['dir', 'docker-image', 'git', 'http', 'oci-layout']);
  });

  it.each(fixtures)('%s', async (name) => {
    const fixture = join(FIXTURES, name);
    const req = JSON.parse(readFileSync(join(fixture, 'request.json'), 'utf8')) as Request;
    const out = join(mkdtempSync(join(tmpdir(), 'dfllb-nc-')), 'out.pb');
    const flags = [
      ...(req.target ? ['--target', req.target] : []),
      ...Object.entries(req.buildArgs ?? {}).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
      ...contextFlags(name, fixture, req),
    ];
    const r = await runInProcess(['compile', '-f', join(fixture, 'Dockerfile'), '--images', join(fixture, 'images.json'), ...flags, '-o', out, '--print-locals', fixture]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ours = canon(stepsOf(dumpDefinition(readDefinition(new Uint8Array(readFileSync(out))))));
    expect(ours).toEqual(JSON.parse(readFileSync(join(fixture, 'expected-llb.json'), 'utf8')));
    // --print-locals names every local source with its directory.
    for (const [key, spec] of Object.entries(req.contexts)) {
      if (spec.startsWith('dir:') && r.stdout.toString().includes(`local://${key}`)) expect(r.stdout.toString()).toContain(`--local ${key}=${join(fixture, spec.slice(4))}`);
    }
  });
});

describe('named contexts: names, values and errors', () => {
  const images = new StaticImageResolver(JSON.parse(readFileSync(join(FIXTURES, 'image-from', 'images.json'), 'utf8')));
  const df = 'FROM alpine AS base\nRUN true\nFROM base\nCOPY --from=tools /x /x\n';

  it('matches familiar names: alpine, alpine:latest and docker.io/library/alpine are one context', async () => {
    const plain = await compile(df, { resolver: images, namedContexts: { alpine: 'docker-image://localhost:5000/busybox:latest', tools: 'docker-image://scratch' } });
    for (const dockerfile of [df.replace('FROM alpine ', 'FROM alpine:latest '), df.replace('FROM alpine ', 'FROM docker.io/library/alpine ')]) {
      const r = await compile(dockerfile, { resolver: images, namedContexts: { alpine: 'docker-image://localhost:5000/busybox:latest', tools: 'docker-image://scratch' } });
      expect(r.definition.def).toEqual(plain.definition.def);
    }
  });

  it('prefers NAME::platform over NAME', async () => {
    const r = await compile(df, {
      resolver: images,
      namedContexts: { 'alpine::linux/amd64': 'docker-image://localhost:5000/busybox:latest', alpine: 'docker-image://nowhere.invalid/x', tools: 'docker-image://scratch' },
    });
    expect(dumpDefinition(r.definition)[0].OpMetadata?.description?.['llb.customname']).toBe('[context alpine::linux/amd64] localhost:5000/busybox:latest');
  });

  it.each([
    ['nocolon', 'invalid context specifier nocolon for tools'],
    ['ftp://x/y', 'unsupported context source ftp for tools'],
    ['input:x', 'invalid input x for tools'],
    ['oci-layout://store:1.0', 'oci-layout reference "store:1.0" has no digest'],
    ['docker-image://Bad:Ref', 'invalid reference format'],
  ])('refuses %s as BuildKit does, at the stage that uses it', async (value, message) => {
    const e = await compile(df, { resolver: images, namedContexts: { alpine: 'docker-image://localhost:5000/busybox:latest', tools: value } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DockerfileError);
    expect((e as DockerfileError).message).toContain(message);
    expect((e as DockerfileError).line).toBe(4);
  });

  it('--build-context checks names and directories as docker buildx does', async () => {
    const dockerfile = join(FIXTURES, 'image-from', 'Dockerfile');
    const bad = await runInProcess(['compile', '-f', dockerfile, '--build-context', 'Upper=docker-image://alpine']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid context name Upper');
    const noEq = await runInProcess(['compile', '-f', dockerfile, '--build-context', 'alpine']);
    expect(noEq.stderr).toContain('invalid context value: alpine, expected key=value');
    const missing = await runInProcess(['compile', '-f', dockerfile, '--build-context', `alpine=${join(FIXTURES, 'no-such-dir')}`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('failed to get build context alpine');
    expect(statSync(FIXTURES).isDirectory()).toBe(true);
  });
});

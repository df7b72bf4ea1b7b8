/**
 * The rebuild analysis against what a real buildkitd did: every fixture of test/fixtures/rebuild
 * (one selection rule each) and every end-to-end project of test/fixtures/cases/e2e, with every
 * single change `npm run e2e:rebuild -- --record` tried, replayed without a daemon from what it
 * recorded (expected.json, e2e-cases/NAME.json).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ContextChange,
  type ContextEntry,
  predictRebuild,
  rebuildReasonText,
  rebuildToJson,
  type RebuildResult,
} from '../../src/analysis/index';
import { compile, type CompileResult } from '../../src/compile';
import { parseDockerignore } from '../../src/frontend/dockerignore';
import type { ImageMetadataFile } from '../../src/image/types';

const root = join(__dirname, '../fixtures/rebuild');
const images = JSON.parse(readFileSync(join(root, 'images.json'), 'utf8')) as ImageMetadataFile;

interface Recorded {
  readonly name: string;
  readonly changes: ContextChange[];
  readonly tree: Record<string, ContextEntry>;
  readonly steps: { index: number; name: string; buildkit: 'ran' | 'cached' | 'absent' }[];
}

interface Fixture {
  readonly name: string;
  readonly description: string;
  /** The build context (with its Dockerfile). */
  readonly context: string;
  /** The compile flags the build was made with (`--build-arg K=V`, `--target T`). */
  readonly args: string[];
  readonly recorded: Recorded[];
}

function fixtures(): Fixture[] {
  const own = readdirSync(root)
    .filter((n) => existsSync(join(root, n, 'expected.json')))
    .sort()
    .map((name) => {
      const spec = JSON.parse(readFileSync(join(root, name, 'changes.json'), 'utf8')) as { description: string; args?: string[] };
      const expected = JSON.parse(readFileSync(join(root, name, 'expected.json'), 'utf8')) as { changes: Recorded[] };
      return { name, description: spec.description, context: join(root, name, 'context'), args: spec.args ?? [], recorded: expected.changes };
    });
  const e2eDir = join(root, 'e2e-cases');
  const projects = (existsSync(e2eDir) ? readdirSync(e2eDir) : [])
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.json'.length);
      const expected = JSON.parse(readFileSync(join(e2eDir, f), 'utf8')) as { args: string[]; changes: Recorded[] };
      const context = join(root, '../cases/e2e', name);
      return { name: `e2e-${name}`, description: 'an end-to-end project, with made-up changes', context, args: expected.args, recorded: expected.changes };
    })
    .filter((f) => existsSync(join(f.context, 'Dockerfile')));
  return [...own, ...projects];
}

async function compileFixture(f: Fixture): Promise<CompileResult> {
  const buildArgs: Record<string, string> = {};
  let target: string | undefined;
  for (let i = 0; i < f.args.length; i++) {
    if (f.args[i] === '--build-arg') {
      const [k, ...v] = f.args[++i].split('=');
      buildArgs[k] = v.join('=');
    } else if (f.args[i] === '--target') target = f.args[++i];
    else throw new Error(`${f.name}: compile flag ${f.args[i]} is not replayed here`);
  }
  const ctx = f.context;
  // As BuildKit's frontend finds them: Dockerfile.dockerignore first, else .dockerignore.
  const ignore = [join(ctx, 'Dockerfile.dockerignore'), join(ctx, '.dockerignore')].find(existsSync);
  const excludePatterns = ignore ? parseDockerignore(readFileSync(ignore, 'utf8')) : undefined;
  return compile(readFileSync(join(ctx, 'Dockerfile'), 'utf8'), { images, buildArgs, target, excludePatterns });
}

const stripDigest = (s: string) => s.replace(/@sha256:[0-9a-f]{64}/g, '');

const all = fixtures();
const totals = { verdicts: 0, maybe: 0 };

describe('rebuild predictions agree with buildkitd (recorded)', () => {
  it('has at least 20 fixtures and 100 single changes', () => {
    expect(all.length).toBeGreaterThanOrEqual(20);
    expect(all.reduce((n, f) => n + f.recorded.length, 0)).toBeGreaterThanOrEqual(100);
  });

  for (const f of all) {
    describe(`${f.name}: ${f.description}`, () => {
      for (const rec of f.recorded) {
        it(rec.name, async () => {
          const built = await compileFixture(f);
          const result = predictRebuild(built, rec.changes, { tree: new Map(Object.entries(rec.tree)) });
          for (const s of rec.steps) {
            const got = result.steps[s.index];
            expect(stripDigest(got.step.label)).toBe(s.name);
            const text = `${s.name}: predicted ${got.status} (${rebuildReasonText(got)}), BuildKit ${s.buildkit}`;
            totals.verdicts++;
            if (got.status === 'maybe') {
              totals.maybe++;
              // Only a step that reads, by content, what a re-run step writes, and what follows it.
              const c = got.cause;
              const ok = c.type === 'content' || (c.type === 'input' && result.statusOf.get(c.input.digest) === 'maybe');
              expect(ok, text).toBe(true);
              continue;
            }
            expect(got.status, text).toBe(s.buildkit === 'ran' ? 'rebuilds' : 'cached');
          }
        });
      }
    });
  }

  it('says maybe for under 5% of the verdicts', () => {
    expect(totals.verdicts).toBeGreaterThan(500);
    expect(totals.maybe / totals.verdicts).toBeLessThan(0.05);
  });
});

async function predict(dockerfile: string, changes: ContextChange[], tree?: Record<string, ContextEntry>): Promise<RebuildResult> {
  const built = await compile(dockerfile, { images });
  return predictRebuild(built, changes, tree ? { tree: new Map(Object.entries(tree)) } : {});
}

const FROM = 'FROM localhost:5000/busybox:latest\n';
const statusOf = (r: RebuildResult, prefix: string) => r.steps.find((s) => s.step.label.startsWith(prefix))!.status;

describe('rebuild verdicts and reasons', () => {
  it('names the changed file a step selects, and the input that made a step run again', async () => {
    const r = await predict(`${FROM}COPY src/ /app/\nRUN ls /app\n`, [{ path: 'src/app.ts', kind: 'modified' }]);
    const copy = r.steps.find((s) => s.step.label.startsWith('[2/3]'))!;
    expect(copy.status).toBe('rebuilds');
    expect(rebuildReasonText(copy)).toBe('selects src/app.ts');
    const run = r.steps.find((s) => s.step.label.startsWith('[3/3]'))!;
    expect(rebuildReasonText(run)).toBe('input changed: [2/3] COPY src/ /app/');
    const ctx = r.steps.find((s) => s.step.label === '[internal] load build context')!;
    expect(ctx.status).toBe('rebuilds');
    expect(ctx.cause).toEqual({ type: 'context' });
  });

  it('ignores modification times, owners and directory metadata, and says why', async () => {
    const r = await predict(`${FROM}COPY . /app/\n`, [
      { path: 'a.txt', kind: 'mtime' },
      { path: 'a.txt', kind: 'owner' },
      { path: 'src', kind: 'mode', type: 'dir' },
    ]);
    expect(r.summary).toEqual({ rebuilds: 1, cached: 3, maybe: 0 });
    expect(r.changes.map((c) => c.seen)).toEqual([false, false, false]);
    expect(r.changes.map((c) => c.ignored)).toEqual([
      'only the modification time changed, which BuildKit does not checksum',
      'only the owner changed, and the client sends every file as uid 0, gid 0',
      "a directory's own metadata: BuildKit updates it in the transferred context without updating its checksum",
    ]);
  });

  it('drops changes that .dockerignore excludes, and paths outside the follow paths', async () => {
    const built = await compile(`${FROM}COPY a.txt /a.txt\n`, { images, excludePatterns: ['*.log'] });
    const r = predictRebuild(built, [
      { path: 'x.log', kind: 'modified' },
      { path: 'b.txt', kind: 'modified' },
      { path: 'a.txt', kind: 'modified' },
    ]);
    expect(r.changes.map((c) => c.ignored ?? 'seen')).toEqual([
      'not among the paths the build reads from the context (local.followpaths)',
      'not among the paths the build reads from the context (local.followpaths)',
      'seen',
    ]);
    const whole = await compile(`${FROM}COPY . /\n`, { images, excludePatterns: ['*.log'] });
    expect(predictRebuild(whole, [{ path: 'x.log', kind: 'modified' }]).changes[0].ignored).toBe('excluded by .dockerignore');
  });

  it('says maybe for COPY --from a stage whose RUN runs again, unless the copied path itself changed', async () => {
    const df = `${FROM}COPY a.txt /src/a.txt\nRUN wc -c /src/a.txt > /size\n${FROM}COPY --from=0 /size /size\nCOPY --from=0 /src/a.txt /a.txt\n`;
    const r = await predict(df, [{ path: 'a.txt', kind: 'modified' }]);
    const size = r.steps.find((s) => s.step.label.includes('COPY --from=0 /size'))!;
    expect(size.status).toBe('maybe');
    expect(rebuildReasonText(size)).toBe('reads /size of [stage-0 3/3] RUN wc -c /src/a.txt > /size, which runs again: cached if it writes the same bytes there');
    expect(statusOf(r, '[stage-1 3/3]')).toBe('rebuilds');
  });

  it('follows the chain of a stage built on another stage', async () => {
    const r = await predict('FROM localhost:5000/busybox:latest AS a\nCOPY a.txt /\nFROM a\nRUN true\n', [{ path: 'a.txt', kind: 'modified' }]);
    expect(statusOf(r, '[stage-1 1/1] RUN true')).toBe('rebuilds');
  });

  it('keeps a mode change of a file that the copy gives its own mode out of the copy output', async () => {
    // The copy runs again (the mode is in the checksum of what it selects), but a stage that
    // reads the copied file by content sees the same bytes.
    const df = `FROM scratch AS conf\nCOPY --chmod=644 app.conf /app.conf\n${FROM}COPY --from=conf /app.conf /etc/app.conf\n`;
    const r = await predict(df, [{ path: 'app.conf', kind: 'mode' }]);
    expect(statusOf(r, '[conf 1/1]')).toBe('rebuilds');
    expect(statusOf(r, '[stage-1 2/2]')).toBe('cached');
  });

  it('writes the versioned JSON document', async () => {
    const r = await predict(`${FROM}COPY a.txt /\n`, [{ path: 'a.txt', kind: 'modified' }, { path: 'b.txt', kind: 'mtime' }]);
    const json = rebuildToJson(r);
    expect(Object.keys(json)).toEqual(['version', 'kind', 'summary', 'steps', 'changes']);
    expect(json.kind).toBe('rebuild');
    expect(json.summary).toEqual({ rebuilds: 3, cached: 1, maybe: 0 });
    const copy = json.steps.find((s) => s.name === '[2/2] COPY a.txt /')!;
    expect(copy.status).toBe('rebuilds');
    expect(copy.cause).toEqual({ type: 'selects', input: expect.objectContaining({ name: '[internal] load build context' }), context: true, selector: 'a.txt', paths: ['a.txt'] });
    expect(json.changes).toEqual([
      { path: 'a.txt', kind: 'modified', type: null, seen: true, ignored: null },
      { path: 'b.txt', kind: 'mtime', type: null, seen: false, ignored: 'only the modification time changed, which BuildKit does not checksum' },
    ]);
  });
});

/**
 * `outline --format json` and `outline --targets --format json` print, byte for byte, what
 * BuildKit prints for `--call=outline,format=json` and `--call=targets,format=json`: every golden
 * case folder that has expected-outline.json or expected-targets.json.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli';

const GOLDEN = [process.env.GOLDEN_DIR, join(__dirname, '../../../shared/golden')].find((d) => d && existsSync(join(d, 'README.md')));
if (!GOLDEN) console.log('outline-golden: golden corpus not found (set GOLDEN_DIR); skipped');

interface Case {
  readonly name: string;
  readonly dir: string;
  readonly kind: 'outline' | 'targets';
}

function cases(): Case[] {
  if (!GOLDEN) return [];
  const out: Case[] = [];
  for (const set of readdirSync(join(GOLDEN, 'cases')).sort()) {
    for (const name of readdirSync(join(GOLDEN, 'cases', set)).sort()) {
      const dir = join(GOLDEN, 'cases', set, name);
      for (const kind of ['outline', 'targets'] as const) {
        if (existsSync(join(dir, `expected-${kind}.json`))) out.push({ name: `${set}/${name}`, dir, kind });
      }
    }
  }
  return out;
}

/** The request flags of case.json that the outline request reads (target, build args, platforms). */
function flags(dir: string): string[] {
  const p = join(dir, 'case.json');
  if (!existsSync(p)) return [];
  const cfg = JSON.parse(readFileSync(p, 'utf8'));
  const a: string[] = [];
  if (cfg.target) a.push('--target', cfg.target);
  for (const [k, v] of Object.entries(cfg.buildArgs ?? {})) a.push('--build-arg', `${k}=${v}`);
  if (cfg.platform) a.push('--platform', cfg.platform);
  if (cfg.platforms) a.push('--platform', cfg.platforms.join(','));
  return a;
}

describe.skipIf(!GOLDEN)('outline and targets JSON equal BuildKit\'s, byte for byte', () => {
  const all = cases();
  it('covers every golden case that has them', () => {
    expect(all.filter((c) => c.kind === 'outline').length).toBe(339);
    expect(all.filter((c) => c.kind === 'targets').length).toBe(342);
  });

  it.each(all.map((c) => [`${c.kind} ${c.name}`, c] as const))('%s', async (_n, c) => {
    const extra = c.kind === 'targets' ? ['--targets'] : [];
    const r = await runInProcess(['outline', '-f', join(c.dir, 'Dockerfile'), '--images', join(GOLDEN!, 'images.json'), ...flags(c.dir), ...extra, '--format', 'json', c.dir]);
    expect(r.stderr).toBe('');
    expect(r.stdout.toString('utf8')).toBe(readFileSync(join(c.dir, `expected-${c.kind}.json`), 'utf8'));
  });
});

/**
 * Locates BuildKit's golden corpus (../shared/golden next to the repository, or $GOLDEN_DIR)
 * and lists its cases. Tests fail loudly when the corpus is missing: it is the oracle.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function locate(): string {
  const candidates = [process.env.GOLDEN_DIR, resolve(repoRoot, '../shared/golden'), '/work/shared/golden'];
  for (const c of candidates) if (c && existsSync(join(c, 'README.md'))) return c;
  throw new Error(
    `golden corpus not found (tried ${candidates.filter(Boolean).join(', ')}); set GOLDEN_DIR to the shared/golden folder`,
  );
}

export const goldenDir = locate();

export interface GoldenCase {
  /** e.g. `features/085-copy-basic` */
  readonly name: string;
  readonly dir: string;
}

/** Every case folder holding an expected.pb: cases/{features,real,e2e}/*. */
export function goldenCases(): GoldenCase[] {
  const out: GoldenCase[] = [];
  for (const group of ['features', 'real', 'e2e']) {
    const groupDir = join(goldenDir, 'cases', group);
    for (const name of readdirSync(groupDir).sort()) {
      const dir = join(groupDir, name);
      if (statSync(dir).isDirectory() && existsSync(join(dir, 'expected.pb'))) out.push({ name: `${group}/${name}`, dir });
    }
  }
  return out;
}

export function readGoldenPb(c: GoldenCase): Uint8Array {
  return new Uint8Array(readFileSync(join(c.dir, 'expected.pb')));
}

export interface GoldenJson {
  ops: { digest: string; op: unknown; metadata?: unknown }[];
  source?: unknown;
  imageConfig?: unknown;
}

export function readGoldenJson(c: GoldenCase): GoldenJson {
  return JSON.parse(readFileSync(join(c.dir, 'expected.json'), 'utf8')) as GoldenJson;
}

/**
 * Locates BuildKit's golden corpus (`$GOLDEN_DIR`, else ../shared/golden beside the repository)
 * and lists its cases. Tests fail loudly when the corpus is missing: it is the oracle.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

/** Absolute path of the golden corpus. */
export const GOLDEN_DIR = (() => {
  const candidates = [
    process.env.GOLDEN_DIR,
    path.resolve(repoRoot, '../shared/golden'),
    path.resolve(repoRoot, '../../shared/golden'),
    '/work/shared/golden',
  ].filter((p): p is string => !!p);
  for (const c of candidates) if (existsSync(path.join(c, 'README.md'))) return c;
  throw new Error(`golden corpus not found; set GOLDEN_DIR (tried ${candidates.join(', ')})`);
})();

/** Kept for older call sites. */
export const goldenDir = GOLDEN_DIR;

/** Path inside the golden corpus. */
export function golden(...parts: string[]): string {
  return path.join(GOLDEN_DIR, ...parts);
}

/** Reads a golden file as UTF-8 text. */
export function readGolden(...parts: string[]): string {
  return readFileSync(golden(...parts), 'utf8');
}

/** Sub-directories of a golden directory, sorted. */
export function goldenDirs(...parts: string[]): string[] {
  const dir = golden(...parts);
  return readdirSync(dir)
    .filter((n) => statSync(path.join(dir, n)).isDirectory())
    .sort();
}

/** Every `Dockerfile` under `cases/`, as paths relative to the corpus root. */
export function allCaseDockerfiles(): string[] {
  return goldenCases().map((c) => path.relative(GOLDEN_DIR, path.join(c.dir, 'Dockerfile')));
}

export interface GoldenCase {
  /** e.g. `features/085-copy-basic` */
  readonly name: string;
  readonly dir: string;
}

/** Every case folder holding an expected.pb: cases/{features,real,e2e}/*. */
export function goldenCases(): GoldenCase[] {
  const out: GoldenCase[] = [];
  for (const group of ['features', 'real', 'e2e']) {
    for (const name of goldenDirs('cases', group)) {
      const dir = golden('cases', group, name);
      if (existsSync(path.join(dir, 'expected.pb'))) out.push({ name: `${group}/${name}`, dir });
    }
  }
  return out;
}

export function readGoldenPb(c: GoldenCase): Uint8Array {
  return new Uint8Array(readFileSync(path.join(c.dir, 'expected.pb')));
}

export interface GoldenJson {
  ops: { digest: string; op: unknown; metadata?: unknown }[];
  source?: unknown;
  imageConfig?: unknown;
}

export function readGoldenJson(c: GoldenCase): GoldenJson {
  return JSON.parse(readFileSync(path.join(c.dir, 'expected.json'), 'utf8')) as GoldenJson;
}

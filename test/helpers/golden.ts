import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

/** Absolute path of the golden corpus: `$GOLDEN_DIR`, else `../shared/golden` beside the repo. */
export const GOLDEN_DIR = (() => {
  const candidates = [
    process.env.GOLDEN_DIR,
    path.resolve(repoRoot, '../shared/golden'),
    path.resolve(repoRoot, '../../shared/golden'),
  ].filter((p): p is string => !!p);
  for (const c of candidates) if (existsSync(path.join(c, 'README.md'))) return c;
  throw new Error(`golden corpus not found; set GOLDEN_DIR (tried ${candidates.join(', ')})`);
})();

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
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const n of readdirSync(golden(rel)).sort()) {
      const r = path.join(rel, n);
      if (statSync(golden(r)).isDirectory()) walk(r);
      else if (n === 'Dockerfile') out.push(r);
    }
  };
  walk('cases');
  return out;
}

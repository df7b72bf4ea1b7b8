/**
 * `.dockerignore` files, read the way BuildKit's frontend reads them (moby's
 * `ignorefile.ReadAll`): one pattern per line, `#` comments, surrounding whitespace trimmed,
 * each pattern cleaned like a path with a leading `/` removed, `!` exceptions kept.
 */
import { clean } from '../util/posix-path.js';

/** The exclude patterns of a `.dockerignore` file, in order. */
export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let raw of lines) {
    raw = raw.replace(/\r$/, '');
    if (raw.startsWith('#')) continue;
    let pattern = raw.trim();
    if (pattern === '') continue;
    let invert = false;
    if (pattern.startsWith('!')) {
      invert = true;
      pattern = pattern.slice(1).trim();
    }
    if (pattern.length > 0) {
      pattern = clean(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    out.push(invert ? `!${pattern}` : pattern);
  }
  return out;
}

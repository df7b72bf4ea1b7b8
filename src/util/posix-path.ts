/**
 * Slash-separated path manipulation with the exact semantics of Go's `path` package
 * (`Clean`, `Join`, `IsAbs`, `Base`, `Dir`), which BuildKit uses for paths inside images.
 */

/** Go's `path.Clean`: the shortest equivalent path, processing `.` and `..` lexically. */
export function clean(p: string): string {
  if (p === '') return '.';
  const rooted = p[0] === '/';
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const out = parts.join('/');
  if (rooted) return `/${out}`;
  return out === '' ? '.' : out;
}

/** Go's `path.Join`: joins non-empty elements with `/` and cleans the result. */
export function join(...elems: string[]): string {
  const nonEmpty = elems.filter((e) => e !== '');
  if (nonEmpty.length === 0) return '';
  return clean(nonEmpty.join('/'));
}

/** Go's `path.IsAbs`. */
export function isAbs(p: string): boolean {
  return p.startsWith('/');
}

/** Go's `path.Base`: the last element, `/` for the root, `.` for an empty path. */
export function base(p: string): string {
  if (p === '') return '.';
  let s = p;
  while (s.length > 0 && s.endsWith('/')) s = s.slice(0, -1);
  if (s === '') return '/';
  const i = s.lastIndexOf('/');
  return i >= 0 ? s.slice(i + 1) : s;
}

/** Go's `path.Dir`: everything but the last element, cleaned. */
export function dir(p: string): string {
  const i = p.lastIndexOf('/');
  return clean(p.slice(0, i + 1));
}

/**
 * Puts back the trailing `/` or `/.` of `original` on its cleaned form `cleaned`, as BuildKit
 * does for destinations (a trailing slash means "into this directory").
 */
export function keepTrailingSlash(original: string, cleaned: string): string {
  if (original.endsWith('/') && !cleaned.endsWith('/')) return `${cleaned}/`;
  if (original.endsWith('/.')) return `${cleaned === '/' ? '' : cleaned}/.`;
  return cleaned;
}

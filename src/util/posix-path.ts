/**
 * Slash-separated path manipulation with the exact semantics of Go's `path` package
 * (`Clean`, `Join`, `IsAbs`, `Base`, `Dir`), which BuildKit uses for paths inside images.
 */

/** Go's `path.Clean`: the shortest equivalent path, processing `.` and `..` lexically. */
export function clean(p: string): string {
  if (isClean(p)) return p;
  if (p === '') return '.';
  // A clean path with extra slashes at the start (`join('/', '/src', x)` gives `///src/x`) or at
  // the end (`/src/app/`, often a destination): only cut them.
  let start = 0;
  while (start + 1 < p.length && p.charCodeAt(start) === 0x2f && p.charCodeAt(start + 1) === 0x2f) start++;
  let end = p.length;
  while (end > start + 1 && p.charCodeAt(end - 1) === 0x2f) end--;
  if (start > 0 || end < p.length) {
    const q = p.slice(start, end);
    if (isClean(q)) return q;
  }
  const rooted = p.charCodeAt(0) === 0x2f;
  const simple = withoutDots(p, rooted);
  if (simple !== undefined) return simple;
  const parts: string[] = [];
  const n = p.length;
  for (let start = 0; start <= n; ) {
    let i = p.indexOf('/', start);
    if (i < 0) i = n;
    const len = i - start;
    if (len === 2 && p.charCodeAt(start) === 0x2e && p.charCodeAt(start + 1) === 0x2e) {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
    } else if (len > 0 && !(len === 1 && p.charCodeAt(start) === 0x2e)) {
      parts.push(p.slice(start, i));
    }
    start = i + 1;
  }
  const out = parts.join('/');
  if (rooted) return `/${out}`;
  return out === '' ? '.' : out;
}

/**
 * {@link clean} of a path without `..` elements (`/src/s0/./app/`): its non-empty, non-`.`
 * elements joined, built from slices without a list; undefined when there is a `..`.
 */
function withoutDots(p: string, rooted: boolean): string | undefined {
  let out = '';
  const n = p.length;
  for (let start = 0; start <= n; ) {
    let i = p.indexOf('/', start);
    if (i < 0) i = n;
    const len = i - start;
    if (len === 2 && p.charCodeAt(start) === 0x2e && p.charCodeAt(start + 1) === 0x2e) return undefined;
    if (len > 0 && !(len === 1 && p.charCodeAt(start) === 0x2e)) out = out === '' ? p.slice(start, i) : `${out}/${p.slice(start, i)}`;
    start = i + 1;
  }
  if (rooted) return `/${out}`;
  return out === '' ? '.' : out;
}

/**
 * Whether {@link clean} would return `p` itself: no empty, `.` or `..` element and no trailing
 * slash (most paths a Dockerfile names; they skip the split and join).
 */
function isClean(p: string): boolean {
  const n = p.length;
  if (n === 0) return false;
  if (n === 1 && p === '/') return true;
  if (p.charCodeAt(n - 1) === 0x2f) return false;
  let start = 0;
  for (let i = 0; i <= n; i++) {
    if (i < n && p.charCodeAt(i) !== 0x2f) continue;
    const len = i - start;
    // An empty element is a doubled slash, or the root at the start.
    if (len === 0 && i !== 0) return false;
    if (len === 1 && p.charCodeAt(start) === 0x2e) return false;
    if (len === 2 && p.charCodeAt(start) === 0x2e && p.charCodeAt(start + 1) === 0x2e) return false;
    start = i + 1;
  }
  return true;
}

/** Go's `path.Join`: joins non-empty elements with `/` and cleans the result. */
export function join(...elems: string[]): string {
  let joined = '';
  for (const e of elems) {
    if (e === '') continue;
    joined = joined === '' ? e : `${joined}/${e}`;
  }
  return joined === '' ? '' : clean(joined);
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

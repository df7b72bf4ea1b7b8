/**
 * Path handling for paths inside the image, per target OS (BuildKit's `util/system`): Linux
 * paths are slash paths; Windows paths may use backslashes and a `C:` drive letter, which is
 * removed because the image filesystem has no drives.
 */
import { DockerfileError } from '../errors.js';
import { goQuote } from '../util/goquote.js';
import { clean, isAbs as posixIsAbs, join } from '../util/posix-path.js';

/** Converts Windows separators to slashes (a no-op for other OSes). */
export function toSlash(p: string, os: string): string {
  return os === 'windows' ? p.replace(/\\/g, '/') : p;
}

/** Converts slashes to the target OS's separator (BuildKit's `system.FromSlash`). */
export function fromSlash(p: string, os: string): string {
  return os === 'windows' ? p.replace(/\//g, '\\') : p;
}

/** `path.Clean`, keeping a trailing separator when asked (BuildKit's `cleanPath`). */
function cleanPath(p: string, os: string, keepSlash: boolean): string {
  const s = toSlash(p, os);
  const cleaned = clean(s);
  return keepSlash && cleaned.length > 1 && s.endsWith('/') ? `${cleaned}/` : cleaned;
}

function pathError(message: string): never {
  throw new DockerfileError('E_PATH_DRIVE', message);
}

/** Runs `f`, prefixing the message of a path error it throws (BuildKit's `errors.Wrap`). */
export function wrapPathError<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DockerfileError && e.code === 'E_PATH_DRIVE') throw new DockerfileError(e.code, `${prefix}: ${e.message}`, e.location, { cause: e });
    throw e;
  }
}

/**
 * BuildKit's `CheckSystemDriveAndRemoveDriveLetter`: for Windows, removes a `C:` drive letter and
 * cleans the path with slashes (`C:\a\` → `/a`, `a` → `a`); a bare `C:`, another drive or a UNC
 * path is an error. Other OSes keep the path as it is.
 */
export function removeDriveLetter(p: string, os: string, keepSlash: boolean): string {
  if (os !== 'windows') return p;
  if (p.length === 2 && p[1] === ':') pathError(`No relative path specified in ${goQuote(p)}`);
  if (p.length >= 2 && toSlash(p.slice(0, 2), os) === '//') pathError('UNC paths are not supported');
  const colon = p.indexOf(':');
  if (colon < 0) return cleanPath(p, os, keepSlash);
  if (p.slice(0, colon) !== 'c' && p.slice(0, colon) !== 'C') pathError('The specified path is not on the system drive (C:)');
  return cleanPath(p.slice(colon + 1), os, keepSlash);
}

/** Whether `p` is absolute for the target OS (BuildKit's `system.IsAbs`: drive letter removed). */
export function isAbsFor(p: string, os: string): boolean {
  if (os !== 'windows') return posixIsAbs(p);
  try {
    return posixIsAbs(toSlash(removeDriveLetter(p, os, false), os));
  } catch {
    return false;
  }
}

/**
 * Resolves `newPath` against `parent` (BuildKit's `system.NormalizePath`): an empty path is the
 * parent itself, kept as it is; an absolute one is kept as written (Linux) or with its drive letter
 * removed and cleaned (Windows); a relative one is joined to the parent, which cleans it. With
 * `keepSlash`, a trailing `/` or `/.` of `newPath` is kept.
 */
export function normalizePath(parent: string, newPath: string, os: string, keepSlash: boolean): string {
  const target = os || 'linux';
  let p = toSlash(newPath, target);
  let par = toSlash(parent, target);
  const orig = p;
  if (par === '') par = '/';
  par = wrapPathError('removing drive letter', () => removeDriveLetter(par, target, keepSlash));
  if (!isAbsFor(par, target)) par = join('/', par);
  if (p === '') p = par;
  p = wrapPathError('removing drive letter', () => removeDriveLetter(p, target, keepSlash));
  if (!isAbsFor(p, target)) p = join(par, p);
  if (keepSlash) {
    if (orig.endsWith('/') && !p.endsWith('/')) p += '/';
    else if (orig.endsWith('/.')) p = `${p === '/' ? '' : p}/.`;
  }
  return toSlash(p, target);
}

/**
 * The working directory after `WORKDIR wd` from `current` (BuildKit's `NormalizeWorkdir`), with
 * the target OS's separators: `/a/b/` then an empty `WORKDIR` keeps `/a/b/`; on Windows, `\\app`
 * (no drive letter).
 */
export function normalizeWorkdir(current: string, wd: string, os: string): string {
  return fromSlash(
    wrapPathError('normalizing working directory', () => normalizePath(current, wd, os, false)),
    os,
  );
}

/** The default PATH BuildKit sets for a target OS. */
export function defaultPathEnv(os: string): string {
  if (os === 'windows') return 'c:\\Windows\\System32;c:\\Windows';
  return '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
}

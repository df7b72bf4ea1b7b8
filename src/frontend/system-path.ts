/**
 * Path handling for paths inside the image, per target OS (BuildKit's `util/system`): Linux
 * paths are slash paths; Windows paths may use backslashes and a `C:` drive letter, which is
 * removed because the image filesystem has no drives.
 */
import { DockerfileError } from '../errors.js';
import { clean, isAbs as posixIsAbs, join, keepTrailingSlash } from '../util/posix-path.js';

/** Converts Windows separators to slashes (a no-op for other OSes). */
export function toSlash(p: string, os: string): string {
  return os === 'windows' ? p.replace(/\\/g, '/') : p;
}

/** Whether `p` is absolute for the target OS. */
export function isAbsFor(p: string, os: string): boolean {
  if (os === 'windows') {
    const s = toSlash(p, os);
    if (s.startsWith('/')) return true;
    return /^[a-zA-Z]:\//.test(s);
  }
  return posixIsAbs(p);
}

/**
 * Removes a `C:` drive letter from a Windows path (BuildKit's
 * `CheckSystemDriveAndRemoveDriveLetter`); other drives are an error.
 */
export function removeDriveLetter(p: string, os: string, keepSlash: boolean): string {
  if (os !== 'windows') return p;
  let s = p;
  if (s.length >= 2 && s[1] === ':') {
    if (s[0].toLowerCase() !== 'c') {
      throw new DockerfileError('E_PATH_DRIVE', `The specified path is not on the system drive (C:)`);
    }
    s = s.slice(2);
  }
  s = toSlash(s, os);
  if (!keepSlash && s.length > 1) s = s.replace(/\/+$/, '') || '/';
  return s === '' ? '/' : s;
}

/**
 * Resolves `newPath` against `parent` (BuildKit's `system.NormalizePath`), keeping a trailing `/`
 * or `/.` when `keepSlash` is set.
 */
export function normalizePath(parent: string, newPath: string, os: string, keepSlash: boolean): string {
  const target = os || 'linux';
  let p = toSlash(newPath, target);
  let par = toSlash(parent, target) || '/';
  const orig = p;
  if (target === 'windows') {
    par = removeDriveLetter(par, target, false);
    p = removeDriveLetter(p, target, true);
  }
  if (!posixIsAbs(p)) p = join(join('/', par), p);
  else p = clean(p);
  return keepSlash ? keepTrailingSlash(orig, p) : p;
}

/** The working directory after `WORKDIR wd` from `current` (BuildKit's `NormalizeWorkdir`). */
export function normalizeWorkdir(current: string, wd: string, os: string): string {
  if (os === 'windows') {
    const cur = removeDriveLetter(current || '/', os, false);
    const w = removeDriveLetter(wd, os, false);
    const joined = posixIsAbs(w) ? clean(w) : join('/', cur, w);
    return `C:${joined.replace(/\//g, '\\')}`;
  }
  // BuildKit's NormalizePath without keepSlash: an empty WORKDIR (a variable that expanded to
  // nothing) keeps the current directory exactly as it is, trailing slash included; an absolute one
  // is kept as written (not cleaned); a relative one is joined, which cleans.
  const cur = posixIsAbs(current || '/') ? current || '/' : join('/', current);
  if (wd === '') return cur;
  return posixIsAbs(wd) ? wd : join(cur, wd);
}

/** The default PATH BuildKit sets for a target OS. */
export function defaultPathEnv(os: string): string {
  if (os === 'windows') return 'c:\\Windows\\System32;c:\\Windows';
  return '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
}

/**
 * Git references in Dockerfile sources, as BuildKit's frontend reads them:
 *
 * - `dfgitutil.ParseGitRef`: whether an `ADD` source is a git repository, and its remote, ref,
 *   subdirectory and `?query` options (`ref`, `tag`, `branch`, `subdir`, `checksum`/`commit`,
 *   `keep-git-dir`, `submodules`);
 * - `gitutil.ParseURL` and `sshutil.ParseSCPStyleURL` beneath it (`https://…`, `ssh://…`,
 *   `git://…`, and SCP-style `user@host:path`);
 * - `llb.Git`'s source identifier `git://HOST/PATH#REF:SUBDIR` and its `git.fullurl` attribute;
 * - `isGitSource` / `isHTTPSource` of `convert_copy.go`.
 *
 * Reproduces BuildKit v0.32.2. Browser-safe: no Node APIs, and URLs go through a Go `net/url`
 * port (./url.ts), not the WHATWG `URL` class.
 */
import { DockerfileError } from '../errors.js';
import { goQuote } from '../util/goquote.js';
import { goParseBool } from '../util/gostrconv.js';
import { join as joinPath } from '../util/posix-path.js';
import {
  type GoUrl,
  type GoUrlValues,
  type GoUserinfo,
  goParseQuery,
  goUrlQuery,
  goUrlString,
  goUserinfoString,
  parseGoUrl,
} from './url.js';

/** `code` of the {@link DockerfileError} thrown for a git source with invalid options. */
export const GIT_REF_ERROR_CODE = 'E_GIT_REF';

/** The transports BuildKit accepts for git (`gitutil`'s supported protocols). */
export type GitScheme = 'http' | 'https' | 'ssh' | 'git';

/** A parsed git reference: Go's `dfgitutil.GitRef` plus the URL parts `gitutil` found. */
export interface GitRef {
  /** The repository URL without fragment and query (`https://github.com/foo/bar.git`). */
  readonly remote: string;
  /** The repository's directory name (`bar`). */
  readonly shortName: string;
  /** A commit, tag or branch (`refs/tags/…`, `refs/heads/…` for `?tag=` / `?branch=`), or empty. */
  readonly ref: string;
  /** The commit the checkout must resolve to (`?checksum=` / `?commit=`), or empty. */
  readonly checksum: string;
  /** A directory inside the repository, as written (not cleaned), or empty. */
  readonly subdir: string;
  /** `github.com/…` without a scheme: accepted only for build contexts, never by ADD. */
  readonly indistinguishableFromLocal: boolean;
  /** `http://` and `git://` remotes. */
  readonly unencryptedTcp: boolean;
  /** `?keep-git-dir=`, when given. */
  readonly keepGitDir?: boolean;
  /** `?submodules=`, when given. */
  readonly submodules?: boolean;
  /** `?mtime=`: `checkout` or `commit`, when given. */
  readonly mtime?: string;
  /** `?fetch-by-commit`: trust the checksum as the commit to fetch. */
  readonly fetchByCommit?: boolean;
  /** The host as `gitutil.ParseURL` found it (with port; empty for `github.com/…`). */
  readonly host: string;
  /** The path as `gitutil.ParseURL` found it, decoded (relative for SCP-style URLs). */
  readonly path: string;
  readonly scheme: GitScheme;
}

/**
 * Go's `(ref, isGit, err)` triple. `isGit` with an `error` means BuildKit recognized a git
 * reference but rejected its options: the build fails with that message.
 */
export type GitRefParseResult =
  | { readonly isGit: true; readonly ref: GitRef; readonly error?: undefined }
  | { readonly isGit: boolean; readonly ref?: undefined; readonly error: string };

/** Options in a git URL's fragment (`#ref:subdir`), Go's `gitutil.GitURLOpts`. */
export interface GitUrlOpts {
  readonly ref: string;
  readonly subdir: string;
}

/** Go's `gitutil.GitURL`. */
export interface GitUrl {
  readonly scheme: string;
  readonly host: string;
  readonly path: string;
  readonly user: GoUserinfo | undefined;
  readonly query: GoUrlValues | undefined;
  readonly opts: GitUrlOpts | undefined;
  readonly remote: string;
}

/** A {@link parseGitUrl} result; `unknownProtocol` is Go's `gitutil.ErrUnknownProtocol`. */
export type GitUrlResult =
  | { readonly ok: true; readonly url: GitUrl }
  | { readonly ok: false; readonly error: string; readonly unknownProtocol: boolean };

const SUPPORTED_PROTOCOLS: ReadonlySet<string> = new Set<GitScheme>(['http', 'https', 'ssh', 'git']);
const PROTO_RE = /^[a-zA-Z0-9]+:\/\//;
// sshutil's gitSSHRegex; `[^\n]` stands for RE2's `.`, which (unlike JavaScript's) matches \r,
// U+2028 and U+2029.
const SCP_RE = /^([a-zA-Z0-9_-]+)@([a-zA-Z0-9.-]+):([^\n]*?)(?:\?([^\n]*?))?(?:#([^\n]*))?$/;
const UNKNOWN_PROTOCOL = 'unknown protocol';
const INVALID_ARGUMENT = 'invalid argument';

/**
 * `gitutil.parseOpts`: `ref[:subdir]` from a fragment. The fragment's subdirectory is cleaned and
 * made relative (`#main:docs//sub/` → `docs/sub`, `#main:/` → none); a `?subdir=` query value is not.
 */
function parseOpts(fragment: string): GitUrlOpts | undefined {
  if (fragment === '') return undefined;
  const colon = fragment.indexOf(':');
  if (colon < 0) return { ref: fragment, subdir: '' };
  return { ref: fragment.slice(0, colon), subdir: joinPath('/', fragment.slice(colon + 1)).slice(1) };
}

function nonEmpty(values: GoUrlValues): GoUrlValues | undefined {
  return values.size === 0 ? undefined : values;
}

/** `gitutil.FromURL`. */
function fromGoUrl(u: GoUrl): GitUrl {
  return {
    scheme: u.scheme,
    host: u.host,
    path: u.path,
    user: u.user,
    query: nonEmpty(goUrlQuery(u)),
    opts: parseOpts(u.fragment),
    remote: goUrlString({ ...u, fragment: '', rawQuery: '' }),
  };
}

/** `sshutil.ParseSCPStyleURL` followed by `gitutil.fromSCPStyleURL`. */
function parseScpStyle(raw: string): GitUrl | undefined {
  const m = SCP_RE.exec(raw);
  if (!m) return undefined;
  const [, username, host, path, rawQuery = '', fragment = ''] = m;
  let query: GoUrlValues = new Map();
  if (rawQuery !== '') {
    const q = goParseQuery(rawQuery);
    if (q.error !== undefined) return undefined; // "invalid query in scp-style url"
    query = q.values;
  }
  const user: GoUserinfo = { username, password: '', passwordSet: false };
  return {
    scheme: 'ssh',
    host,
    path,
    user,
    query: nonEmpty(query),
    opts: parseOpts(fragment),
    remote: `${goUserinfoString(user)}@${host}:${path}`,
  };
}

/**
 * Go's `gitutil.ParseURL`: a URL with a supported scheme (`http`, `https`, `ssh`, `git`), or an
 * SCP-style `user@host:path[?query][#fragment]` (the user is required).
 */
export function parseGitUrl(remote: string): GitUrlResult {
  // Both forms need a colon (`scheme://`, `user@host:path`): most sources (local paths) have none.
  if (!remote.includes(':')) return NOT_A_URL;
  const proto = PROTO_RE.exec(remote);
  if (proto) {
    const scheme = proto[0].slice(0, -3).toLowerCase();
    if (!SUPPORTED_PROTOCOLS.has(scheme)) {
      return { ok: false, error: `${scheme}: invalid protocol`, unknownProtocol: false };
    }
    const u = parseGoUrl(remote);
    if (!u.ok) return { ok: false, error: u.error, unknownProtocol: false };
    return { ok: true, url: fromGoUrl(u.url) };
  }
  const scp = parseScpStyle(remote);
  if (scp) return { ok: true, url: scp };
  return NOT_A_URL;
}

const NOT_A_URL: GitUrlResult = Object.freeze({ ok: false, error: UNKNOWN_PROTOCOL, unknownProtocol: true });

type MutableGitRef = {
  -readonly [K in keyof GitRef]: GitRef[K];
};

/**
 * `GitRef.loadQuery`. Go ranges over a map, so with several offending keys BuildKit reports one
 * at random; here keys are visited in the order they first appear.
 */
function loadQuery(gf: MutableGitRef, query: GoUrlValues | undefined): string | undefined {
  if (query === undefined) return undefined;
  let tag = '';
  let branch = '';
  for (const [k, values] of query) {
    let v: string[] | undefined = values;
    if (v.length > 1) return `query ${goQuote(k)} has multiple values`;
    if (v.length === 0 || v[0] === '') {
      if (k !== 'submodules' && k !== 'keep-git-dir' && k !== 'fetch-by-commit') return `query ${goQuote(k)} has no value`;
      v = undefined;
    }
    switch (k) {
      case 'ref':
        if (gf.ref !== '' && gf.ref !== v![0]) return `ref conflicts: ${goQuote(gf.ref)} vs ${goQuote(v![0])}`;
        gf.ref = v![0];
        break;
      case 'tag':
        tag = v![0];
        break;
      case 'branch':
        branch = v![0];
        break;
      case 'subdir':
        if (gf.subdir !== '' && gf.subdir !== v![0]) {
          return `subdir conflicts: ${goQuote(gf.subdir)} vs ${goQuote(v![0])}`;
        }
        gf.subdir = v![0];
        break;
      case 'checksum':
      case 'commit':
        gf.checksum = v![0];
        break;
      case 'keep-git-dir':
      case 'submodules':
      case 'fetch-by-commit': {
        let flag = true;
        if (v !== undefined) {
          const b = goParseBool(v[0]);
          if (!b.ok) return `invalid ${k} value: ${goQuote(v[0])}`;
          flag = b.value;
        }
        if (k === 'keep-git-dir') gf.keepGitDir = flag;
        else if (k === 'submodules') gf.submodules = flag;
        else gf.fetchByCommit = flag;
        break;
      }
      case 'mtime':
        if (v![0] !== 'checkout' && v![0] !== 'commit') return `invalid mtime value: ${goQuote(v![0])} (must be "checkout" or "commit")`;
        gf.mtime = v![0];
        break;
      default:
        return `unexpected query ${goQuote(k)}`;
    }
  }
  if (tag !== '') {
    if (!tag.startsWith('refs/tags/')) tag = 'refs/tags/' + tag;
    if (gf.ref !== '' && gf.ref !== tag) return `ref conflicts: ${goQuote(gf.ref)} vs ${goQuote(tag)}`;
    gf.ref = tag;
  }
  if (branch !== '') {
    if (tag !== '') return 'branch conflicts with tag';
    if (!branch.startsWith('refs/heads/')) branch = 'refs/heads/' + branch;
    if (gf.ref !== '' && gf.ref !== branch) return `ref conflicts: ${goQuote(gf.ref)} vs ${goQuote(branch)}`;
    gf.ref = branch;
  }
  return undefined;
}

/**
 * Go's `dfgitutil.ParseGitRef`, without throwing: whether `src` is a git reference, and either
 * the parsed reference or BuildKit's error text.
 *
 * Not git: `./…` and `../…`, unknown or unsupported schemes, unparseable URLs, and `http(s)`
 * URLs whose path does not end in `.git`. `github.com/…` is git but
 * {@link GitRef.indistinguishableFromLocal}.
 */
export function tryParseGitRef(src: string): GitRefParseResult {
  let remote: GitUrl;
  let indistinguishableFromLocal = false;
  let unencryptedTcp = false;
  if (src.startsWith('./') || src.startsWith('../')) {
    return { isGit: false, error: INVALID_ARGUMENT };
  } else if (src.startsWith('github.com/')) {
    indistinguishableFromLocal = true;
    const u = parseGoUrl(src);
    if (!u.ok) return { isGit: false, error: u.error };
    remote = fromGoUrl({ ...u.url, scheme: 'https' });
  } else {
    const r = parseGitUrl(src);
    if (!r.ok) return { isGit: false, error: r.error };
    remote = r.url;
    if (remote.scheme === 'http' || remote.scheme === 'git') unencryptedTcp = true;
    // An HTTP(S) URL is a git reference only when its path ends in ".git".
    if ((remote.scheme === 'http' || remote.scheme === 'https') && !remote.path.endsWith('.git')) {
      return { isGit: false, error: INVALID_ARGUMENT };
    }
  }

  let remoteUrl = remote.remote;
  if (indistinguishableFromLocal) {
    const sep = remoteUrl.indexOf('://');
    remoteUrl = sep >= 0 ? remoteUrl.slice(sep + 3) : '';
  }
  const last = remoteUrl.slice(remoteUrl.lastIndexOf('/') + 1);
  const res: MutableGitRef = {
    remote: remoteUrl,
    shortName: last.endsWith('.git') ? last.slice(0, -4) : last,
    ref: remote.opts?.ref ?? '',
    checksum: '',
    subdir: remote.opts?.subdir ?? '',
    indistinguishableFromLocal,
    unencryptedTcp,
    host: remote.host,
    path: remote.path,
    scheme: remote.scheme as GitScheme,
  };
  const err = loadQuery(res, remote.query);
  if (err !== undefined) return { isGit: true, error: err };
  return { isGit: true, ref: res };
}

/**
 * Go's `dfgitutil.ParseGitRef` for the frontend: the reference when `src` is git, `undefined`
 * when it is not.
 * @throws DockerfileError (`E_GIT_REF`, BuildKit's message, no location) when `src` is a git
 *   reference with invalid query options, e.g. `unexpected query "depth"`.
 */
export function parseGitRef(src: string): GitRef | undefined {
  const r = tryParseGitRef(src);
  if (r.ref !== undefined) return r.ref;
  if (r.isGit) throw new DockerfileError(GIT_REF_ERROR_CODE, r.error);
  return undefined;
}

/**
 * `convert_copy.go`'s `isGitSource`: `src` parses as a git reference without error. True for
 * `github.com/…` too, although `ADD` copies such a source from the context.
 */
export function isGitSource(src: string): boolean {
  return tryParseGitRef(src).ref !== undefined;
}

/** `convert_copy.go`'s `isHTTPSource`: an `http://` or `https://` URL that is not git. */
export function isHttpSource(src: string): boolean {
  if (!src.startsWith('http://') && !src.startsWith('https://')) return false;
  return !isGitSource(src);
}

/** What `llb.Git(remote, "", llb.GitRef(ref), llb.GitSubDir(subdir))` puts in its source op. */
export interface GitLlbSource {
  /** The source op's identifier: `git://HOST/PATH[#REF[:SUBDIR]]`. */
  readonly identifier: string;
  /** The `git.fullurl` attribute: the remote as `gitutil.ParseURL` re-serializes it. */
  readonly fullUrl: string;
  /** The remote is SSH (`ssh://` or SCP-style): `llb.Git` adds `git.mountsshsock` and known hosts. */
  readonly isSsh: boolean;
  /** The remote's host (what `llb.Git` key-scans for SSH), or empty when it does not parse. */
  readonly host: string;
}

/**
 * The identity `llb.Git(remote, "", llb.GitRef(ref), llb.GitSubDir(subdir))` gives its source,
 * as the frontend calls it for `ADD <git ref>`. `remote` is parsed again: an unknown protocol
 * is retried with `https://`, so `github.com/foo/bar` becomes `https://github.com/foo/bar`; a
 * remote that still does not parse is its own identifier. `ref` and `subdir` are used as given.
 */
export function gitLlbSource(remote: string, ref: string, subdir: string): GitLlbSource {
  let url = remote;
  let r = parseGitUrl(url);
  if (!r.ok && r.unknownProtocol) {
    url = 'https://' + url;
    r = parseGitUrl(url);
  }
  if (!r.ok) return { identifier: 'git://' + url, fullUrl: url, isSsh: false, host: '' };
  // Host and path only, so https and ssh remotes of one repository share an identifier.
  let id = r.url.host + joinPath('/', r.url.path);
  if (ref !== '' || subdir !== '') {
    id += '#' + ref;
    if (subdir !== '') id += ':' + subdir;
  }
  return { identifier: 'git://' + id, fullUrl: r.url.remote, isSsh: r.url.scheme === 'ssh', host: r.url.host };
}

/**
 * The LLB source identifier of a parsed git reference checked out at `ref` (and `subdir`):
 * `git://` + host + `path.Join("/", path)` + `#ref[:subdir]`, exactly as `llb.Git` builds it
 * from `parsed.remote`. The frontend passes `parsed.ref` and `parsed.subdir`.
 *
 * @example gitIdentifier(parseGitRef('git@github.com:moby/buildkit.git#v0.24.0')!, 'v0.24.0', '')
 *   // 'git://github.com/moby/buildkit.git#v0.24.0'
 */
export function gitIdentifier(parsed: Pick<GitRef, 'remote'>, ref: string, subdir: string): string {
  return gitLlbSource(parsed.remote, ref, subdir).identifier;
}

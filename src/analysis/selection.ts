/**
 * Which files a step reads from one of its inputs, as BuildKit's content-based cache keys see
 * them (`cache/contenthash`, `solver/llbsolver/ops/file.go` and `exec.go`).
 *
 * A `COPY` source or a read-only bind mount is a *selector*: a path, maybe with wildcards, maybe
 * with include/exclude patterns (`COPY --parents`, `COPY --exclude`). BuildKit checksums what the
 * selector selects and uses that checksum, not the input's own cache key, as the step's key for
 * that input. A {@link Selection} answers the questions the rebuild analysis asks about one:
 * does it select this changed path, may it select something under that path, where does a
 * selected path land in the copy.
 *
 * Paths here are absolute and clean (`/`, `/src/a.txt`), as in the checksum tree. The optional
 * {@link ContextTree} resolves symlinks and tells files from directories; without it, paths are
 * taken as written.
 */
import { goPathMatch, hasWildcards } from '../util/gopath-match.js';
import { NO_MATCH_INFO, type MatchInfo, PatternMatcher } from '../util/patternmatcher.js';
import { clean } from '../util/posix-path.js';

/** The kind of an entry of the build context. */
export type EntryType = 'file' | 'dir' | 'symlink';

/** One entry of a {@link ContextTree}. */
export interface ContextEntry {
  readonly type: EntryType;
  /** A symlink's target, as written. */
  readonly target?: string;
}

/**
 * The entries of a build context by slash path relative to its root (`src/a.txt`, no leading
 * `/`); directories are entries too. Used to resolve symlinks and to tell a file from a
 * directory. It need not list files that `.dockerignore` excludes.
 */
export type ContextTree = ReadonlyMap<string, ContextEntry>;

/** What one selector of a step reads from an input. */
export interface SelectorSpec {
  /** Absolute path (`/src`, `/src/*.txt`, `/` for everything). */
  readonly path: string;
  /** Whether `path`'s wildcards are wildcards (`COPY` sources; not bind mounts). */
  readonly wildcard: boolean;
  /** Whether a symlink at `path` (or, with wildcards, a matched symlink) is followed. */
  readonly followLinks: boolean;
  readonly includePatterns: readonly string[];
  readonly excludePatterns: readonly string[];
  /** Whether the source was written with a trailing `/` (matters with patterns only). */
  readonly trailingSlash?: boolean;
}

const MAX_LINKS = 255;

/** `p` is `root` or below it. */
export function isUnder(p: string, root: string): boolean {
  return root === '/' || p === root || p.startsWith(`${root}/`);
}

/** `p` relative to `root` (`''` when equal); `p` must be under `root`. */
export function relativeTo(p: string, root: string): string {
  if (p === root) return '';
  return root === '/' ? p.slice(1) : p.slice(root.length + 1);
}

/** An absolute clean path. */
export function absPath(p: string): string {
  return clean(`/${p}`);
}

function joinAbs(a: string, b: string): string {
  return b === '' ? a : absPath(`${a}/${b}`);
}

/** The absolute path and its ancestors from its first element down (`/a/b` → `/a`, `/a/b`). */
function chain(p: string): string[] {
  if (p === '/') return [];
  const parts = p.slice(1).split('/');
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

function entryAt(tree: ContextTree | undefined, p: string): ContextEntry | undefined {
  return tree?.get(p === '/' ? '' : p.slice(1));
}

/**
 * Resolves symlinks along `p` in the tree (contenthash's `getFollowLinks`): every element, and
 * the last one only with `followTrailing`. Returns the resolved path and the symlinks crossed.
 */
export function resolveLinks(tree: ContextTree | undefined, p: string, followTrailing: boolean): { path: string; links: string[] } {
  const links: string[] = [];
  if (!tree) return { path: p, links };
  let current = '/';
  let remaining = p === '/' ? '' : p.slice(1);
  let walked = 0;
  while (remaining !== '') {
    const slash = remaining.indexOf('/');
    const part = slash < 0 ? remaining : remaining.slice(0, slash);
    remaining = slash < 0 ? '' : remaining.slice(slash + 1);
    const next = absPath(`${current}/${part}`);
    const e = entryAt(tree, next);
    if (!e || e.type !== 'symlink' || e.target === undefined || (!followTrailing && remaining === '')) {
      current = next;
      continue;
    }
    if (++walked > MAX_LINKS) return { path: next, links };
    links.push(next);
    remaining = remaining === '' ? e.target : `${e.target}/${remaining}`;
    if (e.target.startsWith('/')) current = '/';
  }
  return { path: current, links };
}

/** The part of a wildcard path before its first element with a wildcard (`/src/*.txt` → `/src`). */
function wildcardPrefix(p: string): string {
  const parts = p === '/' ? [] : p.slice(1).split('/');
  const fixed: string[] = [];
  for (const part of parts) {
    if (hasWildcards(part)) break;
    fixed.push(part);
  }
  return `/${fixed.join('/')}`;
}

/** Where a selected path sits in a selection: the selected entry it belongs to, and the rest. */
export interface Located {
  /** The path the selector names, or (wildcards) the entry the pattern matched. */
  readonly anchor: string;
  /** The path below `anchor` (`''` for the anchor itself). */
  readonly rel: string;
}

/** One selector over one input, ready to answer questions about changed paths. */
export class Selection {
  readonly spec: SelectorSpec;
  private readonly tree: ContextTree | undefined;
  /** The path before wildcards (or the whole path), as written and as resolved. */
  private readonly prefix: string;
  private readonly resolvedPrefix: string;
  /** Symlinks crossed resolving the prefix: changing one changes what is selected. */
  private readonly links: readonly string[];
  private readonly include?: PatternMatcher;
  private readonly exclude?: PatternMatcher;
  private readonly filtered: boolean;

  constructor(spec: SelectorSpec, tree?: ContextTree) {
    this.spec = spec;
    this.tree = tree;
    const path = absPath(spec.path);
    const wildcard = spec.wildcard && hasWildcards(path);
    this.spec = { ...spec, path, wildcard };
    this.filtered = wildcard || spec.includePatterns.length > 0 || spec.excludePatterns.length > 0;
    if (spec.includePatterns.length) this.include = new PatternMatcher(spec.includePatterns);
    if (spec.excludePatterns.length) this.exclude = new PatternMatcher(spec.excludePatterns);
    if (wildcard) {
      this.prefix = wildcardPrefix(path);
      const rest = path.length > this.prefix.length;
      const r = resolveLinks(tree, this.prefix, rest);
      this.resolvedPrefix = r.path;
      this.links = r.links;
    } else {
      this.prefix = path;
      // Without patterns BuildKit follows a trailing symlink when asked; with patterns it does not.
      const r = resolveLinks(tree, path, this.filtered ? false : spec.followLinks);
      this.resolvedPrefix = r.path;
      this.links = r.links;
    }
  }

  /** A short text for reasons: the selector as a context path (`src/*.txt`, `.`). */
  get text(): string {
    return this.spec.path === '/' ? '.' : this.spec.path.slice(1);
  }

  /** Whether the whole input is selected (a `COPY .` without patterns, a bind of the root). */
  get everything(): boolean {
    return !this.filtered && this.resolvedPrefix === '/';
  }

  /** `p` (a path as it is in the input) in the selector's own terms: under the prefix as written. */
  private unresolve(p: string): string | undefined {
    if (!isUnder(p, this.resolvedPrefix)) return undefined;
    return joinAbs(this.prefix, relativeTo(p, this.resolvedPrefix));
  }

  /**
   * The selected entry a path belongs to, with the rest of the path; `undefined` when the
   * selection does not include the path (patterns and wildcards applied).
   */
  locate(p: string): Located | undefined {
    const fn = this.unresolve(p);
    if (fn === undefined) return this.viaLink(p);
    if (!this.filtered) return { anchor: this.prefix, rel: relativeTo(fn, this.prefix) };
    let anchor: string | undefined;
    if (this.spec.wildcard) {
      for (const a of chain(fn)) {
        if (!isUnder(a, this.prefix) || a === this.prefix) continue;
        if (goPathMatch(this.spec.path, a) === true) {
          anchor = a;
          break;
        }
      }
      if (anchor === undefined) return this.viaLink(p);
    } else anchor = this.prefix;
    const rel = relativeTo(fn, anchor);
    if (!this.passesPatterns(rel, anchor === this.prefix && !this.spec.wildcard && this.spec.trailingSlash === true)) return undefined;
    return { anchor, rel };
  }

  /**
   * Include and exclude patterns on a path relative to its anchor, walking down from the anchor
   * as contenthash's walk does: each directory passes its match results to its entries, and a
   * directory that the include patterns reject passes no exclude results (they were not computed).
   */
  private passesPatterns(rel: string, skipAnchorHeader: boolean): boolean {
    const steps = rel === '' ? [''] : [...(skipAnchorHeader ? [] : ['']), ...rel.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))];
    let incInfo: MatchInfo = NO_MATCH_INFO;
    let excInfo: MatchInfo = NO_MATCH_INFO;
    let ok = true;
    for (const cand of steps) {
      if (this.include) {
        const r = this.include.matchesUsingParentResults(cand, incInfo);
        incInfo = r.info;
        if (!r.matched) {
          ok = false;
          excInfo = NO_MATCH_INFO;
          continue;
        }
      }
      ok = true;
      if (this.exclude) {
        const r = this.exclude.matchesUsingParentResults(cand, excInfo);
        excInfo = r.info;
        ok = !r.matched;
      }
    }
    return ok;
  }

  /**
   * A path reached through a symlink that the selection follows: a symlink on the way to the
   * prefix, or (wildcards and patterns) a top-level selected symlink whose target is checksummed.
   */
  private viaLink(p: string): Located | undefined {
    for (const { link, target } of this.followedLinks()) {
      if (isUnder(p, target) && this.locate(link)) return { anchor: link, rel: relativeTo(p, target) };
    }
    return undefined;
  }

  private followed?: { link: string; target: string }[];

  /** The symlinks the checksum follows: top-level entries of a wildcard or pattern selection. */
  private followedLinks(): { link: string; target: string }[] {
    if (this.followed) return this.followed;
    this.followed = [];
    if (!this.tree || !this.spec.followLinks || !this.filtered) return this.followed;
    for (const [rel, e] of this.tree) {
      if (e.type !== 'symlink') continue;
      const link = absPath(rel);
      if (!isUnder(link, this.prefix) || link === this.prefix) continue;
      const top = this.spec.wildcard ? goPathMatch(this.spec.path, link) === true : absPath(`${link}/..`) === this.prefix && this.spec.trailingSlash === true;
      if (top) this.followed.push({ link, target: resolveLinks(this.tree, link, true).path });
    }
    return this.followed;
  }

  /**
   * Whether a change at `p` changes what this selection checksums. `subtree`: the change is an
   * added or deleted directory, so everything below `p` changed too.
   */
  selects(p: string, subtree: boolean): boolean {
    if (this.links.some((l) => isUnder(l, p))) return true;
    if (subtree && isUnder(this.prefix, p)) return true;
    if (this.locate(p) !== undefined) return true;
    // A deleted or added directory that holds what the selection resolves to (through a symlink).
    return subtree && !this.filtered && isUnder(this.resolvedPrefix, p);
  }

  /** Whether everything below `p` is selected: then a change somewhere below `p` is selected. */
  covers(p: string): boolean {
    if (this.filtered) return false;
    return isUnder(p, this.resolvedPrefix);
  }

  /** Whether the selection may include something at or below `p`. */
  mayHaveUnder(p: string): boolean {
    if (isUnder(p, this.resolvedPrefix) || isUnder(this.resolvedPrefix, p)) {
      if (!this.filtered || !isUnder(p, this.resolvedPrefix)) return true;
      // Below the prefix with patterns: only if some entry on the way could be included.
      return this.mayHaveUnderFiltered(p);
    }
    if (this.links.some((l) => isUnder(l, p))) return true;
    return this.filtered && this.spec.followLinks && this.tree !== undefined && this.viaLink(p) !== undefined;
  }

  private mayHaveUnderFiltered(p: string): boolean {
    if (this.locate(p) !== undefined) return true;
    const fn = this.unresolve(p)!;
    if (this.spec.wildcard) {
      // Shallower than the pattern: some deeper path may still match it.
      const depth = (s: string) => (s === '/' ? 0 : s.split('/').length - 1);
      if (depth(fn) < depth(this.spec.path)) {
        const parts = this.spec.path.slice(1).split('/');
        const mine = fn === '/' ? [] : fn.slice(1).split('/');
        return mine.every((m, i) => goPathMatch(parts[i], m) === true);
      }
      const anchored = chain(fn).some((a) => isUnder(a, this.prefix) && a !== this.prefix && goPathMatch(this.spec.path, a) === true);
      if (!anchored) return false;
    }
    // Patterns may still include something deeper; excluded directories with no `!` exceptions do not.
    if (this.exclude && !this.exclude.exclusions && this.exclude.matchesWalking(relativeTo(fn, this.prefix))) return false;
    if (this.include) {
      const rel = relativeTo(fn, this.prefix);
      return this.include.patterns.some((pat) => !pat.exclusion && (pat.text.startsWith(`${rel}/`) || /[*?[\\]/.test(pat.text)));
    }
    return true;
  }
}

/**
 * Which steps BuildKit runs again when files of the build context change: the question op
 * digests cannot answer, because BuildKit keys a step that reads the context by a checksum of
 * the files it selects.
 *
 * The model, from BuildKit v0.32's solver (see docs/analysis.md for the long version):
 *
 * - Every input of a step is keyed either by the input's own cache key ("fast": the step runs
 *   again whenever the input step did) or by a content checksum of what the step selects from
 *   the input ("content": it runs again only when those bytes differ). File ops use content keys
 *   for their copy sources; exec ops for read-only and output-less mounts, not for the root
 *   filesystem; merge and diff ops only fast keys.
 * - The build context (`local://context`) has a cache key made from the client session, new on
 *   every build, so it always runs, and steps that read it are keyed by content only.
 * - A step that reads, by content, the output of a step that ran again cannot be decided before
 *   the build when that output is made by a command: BuildKit compares the bytes it produces.
 *   Those steps are `maybe`; every other verdict is certain.
 *
 * To know what a re-run step's output looks like, each output carries the paths at which it
 * differs from the last build: certainly (a changed context file, copied to a known place),
 * somewhere below a path (copied, place not known statically), or possibly (a command ran).
 */
import type { ExecVertex, FileVertex, SourceVertex, Vertex } from '../graph/types.js';
import { goPathMatch, hasWildcards } from '../util/gopath-match.js';
import { PatternMatcher } from '../util/patternmatcher.js';
import { base as pathBase, clean } from '../util/posix-path.js';
import { stepRef, type StepRef } from './diff.js';
import { type ContextTree, type EntryType, absPath, isUnder, Selection, type SelectorSpec } from './selection.js';
import { type Analysis, type AnalyzeInput, analyze, type Step } from './steps.js';

/** What happened to a path of the build context. */
export type ChangeKind =
  /** The content changed. */
  | 'modified'
  | 'added'
  | 'deleted'
  /** Only the permission bits changed. */
  | 'mode'
  /** A symlink points somewhere else. */
  | 'symlink'
  /** Only the modification time changed. */
  | 'mtime'
  /** Only the owner (uid/gid) changed. */
  | 'owner';

/** One changed path of the build context. */
export interface ContextChange {
  /** Slash path relative to the context root (`src/app.ts`). */
  readonly path: string;
  readonly kind: ChangeKind;
  /** What the path is (before the change for deletions); default: from the tree, else a file. */
  readonly type?: EntryType;
}

/** Options of {@link predictRebuild}. */
export interface RebuildOptions {
  /** The context's entries, to resolve symlinks and tell files from directories. */
  readonly tree?: ContextTree;
  /** The name of the local source the changes are in; default `context` (the build context). */
  readonly contextName?: string;
}

/** The verdict for one step. */
export type RebuildStatus = 'rebuilds' | 'cached' | 'maybe';

/** Why a step has its verdict. */
export type RebuildCause =
  /** The build context source: it runs on every build. */
  | { readonly type: 'context' }
  /** The step is marked to ignore the cache. */
  | { readonly type: 'ignore-cache' }
  /**
   * The step selects changed paths of `input`: context paths when `input` is the build context
   * (`context: true`), else paths in the input's filesystem.
   */
  | { readonly type: 'selects'; readonly input: StepRef; readonly context: boolean; readonly selector: string; readonly paths: readonly string[] }
  /** `input` runs (or may run) again, and the step is keyed by its cache key. */
  | { readonly type: 'input'; readonly input: StepRef }
  /** The step reads, by content, what `input` produces when it runs again: it may be the same. */
  | { readonly type: 'content'; readonly input: StepRef; readonly selector: string }
  /** The step reads the changed context but selects none of the changed paths. */
  | { readonly type: 'unselected'; readonly input: StepRef; readonly selectors: readonly string[] }
  /** Nothing the step depends on changed. */
  | { readonly type: 'none' };

/** The verdict for one step of the build. */
export interface RebuildStep {
  readonly step: Step;
  readonly status: RebuildStatus;
  readonly cause: RebuildCause;
}

/** What became of one given change. */
export interface ChangeEffect {
  readonly change: ContextChange;
  /** Whether BuildKit sees it in the context checksums. */
  readonly seen: boolean;
  /** Why it is not seen. */
  readonly ignored?: string;
}

/** The result of {@link predictRebuild}. */
export interface RebuildResult {
  readonly analysis: Analysis;
  /** One entry per step, in Definition order (the terminal op last). */
  readonly steps: readonly RebuildStep[];
  readonly summary: { readonly rebuilds: number; readonly cached: number; readonly maybe: number };
  readonly changes: readonly ChangeEffect[];
  readonly statusOf: ReadonlyMap<string, RebuildStatus>;
}

// ----- regions: where an output differs from the last build ---------------------------------------

interface Region {
  /**
   * `point`: the entry at `path` changed (and everything below it when `subtree`);
   * `somewhere`: something at or below `path` changed, it is not known what;
   * `possibly`: something at or below `path` may have changed.
   */
  readonly kind: 'point' | 'somewhere' | 'possibly';
  readonly path: string;
  readonly subtree: boolean;
  /** Only permission bits changed (a copy with `--chmod` hides that). */
  readonly modeOnly: boolean;
  /** The context path the change comes from (for reasons). */
  readonly origin: string;
}

const possiblyAnywhere = (origin: string): Region => ({ kind: 'possibly', path: '/', subtree: true, modeOnly: false, origin });

const weaken = (r: Region): Region => (r.kind === 'possibly' ? r : { ...r, kind: 'possibly' });

type Tri = 'yes' | 'no' | 'maybe';

interface StepState {
  readonly runs: Tri;
  readonly cause: RebuildCause;
  /** Regions per output index, as they are after this build. */
  readonly outputs: ReadonlyMap<number, readonly Region[]>;
}

// ----- what a step reads from each input ------------------------------------------------------------

interface Dep {
  readonly input: number;
  /** Keyed by content (selectors) rather than by the input's cache key. */
  readonly content: boolean;
  readonly selectors: readonly SelectorSpec[];
}

function copySelector(a: Extract<FileVertex['actions'][number]['action'], { kind: 'copy' }>): SelectorSpec {
  return {
    path: a.src,
    wildcard: a.allowWildcard && hasWildcards(a.src),
    followLinks: a.followSymlink,
    includePatterns: a.includePatterns,
    excludePatterns: a.excludePatterns,
    trailingSlash: a.src.endsWith('/'),
  };
}

const plainSelector = (path: string, followLinks: boolean): SelectorSpec => ({ path, wildcard: false, followLinks, includePatterns: [], excludePatterns: [] });

/** The dependencies of a file op, as BuildKit's `fileOp.CacheMap` makes them. */
function fileDeps(v: FileVertex): Dep[] {
  const n = v.inputs.length;
  const selectors = new Map<number, SelectorSpec[]>();
  const invalid = new Set<number>();
  const add = (i: number, s: SelectorSpec) => selectors.set(i, [...(selectors.get(i) ?? []), s]);
  for (const { input, secondaryInput, action } of v.actions) {
    // An input that an action writes onto is keyed by its cache key, whatever else reads it.
    if (input >= 0) invalid.add(input);
    const owner = action.kind === 'symlink' || action.kind === 'rm' ? undefined : action.owner;
    for (const u of [owner?.user, owner?.group]) {
      if (u?.kind === 'name' && u.input >= 0) add(u.input, plainSelector(u === owner?.user ? '/etc/passwd' : '/etc/group', true));
    }
    if (action.kind === 'copy' && secondaryInput >= 0 && secondaryInput < n) add(secondaryInput, copySelector(action));
  }
  return v.inputs.map((_, i) => {
    const sel = selectors.get(i);
    return sel && !invalid.has(i) ? { input: i, content: true, selectors: sel } : { input: i, content: false, selectors: [] };
  });
}

/** The dependencies of an exec op, as BuildKit's `ExecOp.CacheMap` makes them. */
function execDeps(v: ExecVertex): Dep[] {
  const deps: { content: boolean; paths: string[] }[] = v.inputs.map(() => ({ content: false, paths: [] }));
  for (const m of v.mounts) {
    if (m.type === 'secret' || m.type === 'ssh' || m.type === 'tmpfs') continue;
    if (m.input < 0 || m.input >= deps.length) continue;
    const sel = clean(`/${m.selector}`);
    deps[m.input].paths.push(sel);
    // Content keys only where the step cannot change what it reads, never on the root mount.
    let content = m.output < 0 || m.readonly || sel === '/';
    if (m.contentCache === 'off') content = false;
    else if ((m.contentCache ?? 'default') === 'default' && m.dest === '/') content = false;
    deps[m.input].content = content;
  }
  return deps.map((d, i) => {
    if (!d.content) return { input: i, content: false, selectors: [] };
    const whole = d.paths.includes('/');
    const paths = whole ? ['/'] : [...new Set(d.paths)];
    return { input: i, content: true, selectors: paths.map((p) => plainSelector(p, true)) };
  });
}

function depsOf(v: Vertex): Dep[] {
  switch (v.kind) {
    case 'file':
      return fileDeps(v);
    case 'exec':
      return execDeps(v);
    case 'source':
    case 'merge':
    case 'diff':
    case 'build':
      return v.inputs.map((_, i) => ({ input: i, content: false, selectors: [] }));
  }
}

// ----- the build context ----------------------------------------------------------------------------

function jsonList(v: string | undefined): string[] {
  if (!v) return [];
  try {
    const x = JSON.parse(v) as unknown;
    return Array.isArray(x) ? x.map(String) : [];
  } catch {
    return [];
  }
}

/**
 * The follow paths with the symlinks on them resolved, as fsutil's `FollowLinks` adds them to
 * the include patterns: a symlink and what it points to are both sent.
 */
function followTargets(paths: readonly string[], tree: ContextTree | undefined): string[] {
  if (!tree) return [...paths];
  const out = new Set<string>();
  const visit = (p: string, depth: number) => {
    const parts = clean(p).split('/').filter((x) => x !== '' && x !== '.');
    let current = '';
    for (let i = 0; i < parts.length; i++) {
      current = current ? `${current}/${parts[i]}` : parts[i];
      const rest = parts.slice(i + 1).join('/');
      const candidates = hasWildcards(parts[i])
        ? [...tree.keys()].filter((k) => k.split('/').length === i + 1 && k.startsWith(current.slice(0, current.lastIndexOf('/') + 1)) && goPathMatch(current, k) === true)
        : [current];
      for (const c of candidates) {
        const e = tree.get(c);
        if (e?.type === 'symlink' && e.target !== undefined && depth < 64) {
          out.add(c);
          const target = e.target.startsWith('/') ? e.target.slice(1) : clean(`${c}/../${e.target}`);
          visit(rest ? `${target}/${rest}` : target, depth + 1);
        }
      }
    }
    out.add(clean(p));
  };
  for (const p of paths) visit(p, 0);
  return [...out];
}

/**
 * A test for directories of the context that the client never sends anything from: the exclude
 * patterns drop them whole and no `!` pattern can bring back anything below them. For tools that
 * walk a context and want to skip such trees (`node_modules`).
 */
export function skippedDirectories(excludePatterns: readonly string[]): (rel: string) => boolean {
  let m: PatternMatcher | undefined;
  try {
    m = excludePatterns.length ? new PatternMatcher(excludePatterns) : undefined;
  } catch {
    m = undefined;
  }
  return (rel) => m !== undefined && !m.exclusions && m.matchesWalking(rel);
}

/** The `.dockerignore` patterns a build sends its context with (`local.excludepatterns`). */
export function contextExcludePatterns(input: AnalyzeInput, contextName = 'context'): string[] {
  const v = analyze(input).steps.find((s) => s.vertex?.kind === 'source' && s.vertex.identifier === `local://${contextName}`)?.vertex;
  return v?.kind === 'source' ? jsonList(v.attrs['local.excludepatterns']) : [];
}

/** Which paths the client sends for a local source: its include, follow and exclude patterns. */
function contextFilter(v: SourceVertex, tree: ContextTree | undefined): (rel: string) => string | undefined {
  const includes = [...jsonList(v.attrs['local.includepatterns']), ...followTargets(jsonList(v.attrs['local.followpaths']), tree)];
  const excludes = jsonList(v.attrs['local.excludepatterns']);
  let include: PatternMatcher | undefined;
  let exclude: PatternMatcher | undefined;
  try {
    if (includes.length) include = new PatternMatcher(includes);
    if (excludes.length) exclude = new PatternMatcher(excludes);
  } catch {
    // BuildKit refuses such patterns; the build fails before any cache question.
  }
  return (rel) => {
    if (include && !include.matchesWalking(rel)) return 'not among the paths the build reads from the context (local.followpaths)';
    if (exclude?.matchesWalking(rel)) return 'excluded by .dockerignore';
    return undefined;
  };
}

function normalizeChange(c: ContextChange, tree: ContextTree | undefined): ContextChange {
  const path = clean(c.path.replace(/^\/+/, ''));
  const type = c.type ?? tree?.get(path)?.type;
  return type ? { ...c, path: path === '.' ? '' : path, type } : { path: path === '.' ? '' : path, kind: c.kind };
}

/** Whether BuildKit's checksums see a change at all, and why not. */
function ignoredReason(c: ContextChange): string | undefined {
  if (c.path === '' || c.path.startsWith('../')) return 'not a path inside the context';
  if (c.kind === 'mtime') return 'only the modification time changed, which BuildKit does not checksum';
  if (c.kind === 'owner') return 'only the owner changed, and the client sends every file as uid 0, gid 0';
  if (c.type === 'dir' && (c.kind === 'mode' || c.kind === 'modified')) {
    return "a directory's own metadata: BuildKit updates it in the transferred context without updating its checksum";
  }
  return undefined;
}

// ----- outputs -----------------------------------------------------------------------------------

type CopyAction = Extract<FileVertex['actions'][number]['action'], { kind: 'copy' }>;

/** Where a changed path of a copy's source lands, as a region of the copy's output. */
function mapThroughCopy(a: CopyAction, sel: Selection, r: Region, tree: ContextTree | undefined): Region | undefined {
  const dest = clean(a.dest.startsWith('/') ? a.dest : `/${a.dest}`);
  const destIsDir = a.dest.endsWith('/') || a.dest.endsWith('/.');
  const somewhere = (kind: Region['kind']): Region => ({ kind, path: dest, subtree: true, modeOnly: r.modeOnly, origin: r.origin });
  if (r.kind !== 'point') {
    if (!sel.mayHaveUnder(r.path)) return undefined;
    return somewhere(r.kind === 'somewhere' && sel.covers(r.path) ? 'somewhere' : 'possibly');
  }
  if (!sel.selects(r.path, r.subtree)) return sel.mayHaveUnder(r.path) && r.subtree ? somewhere('possibly') : undefined;
  // A new mode is invisible when the copy sets its own.
  if (r.modeOnly && (a.mode >= 0 || a.modeStr !== '')) return undefined;
  const loc = sel.locate(r.path);
  if (!loc) return somewhere('somewhere');
  if (a.attemptUnpackDockerCompatibility) return somewhere('somewhere');
  const anchorIsDir = loc.rel !== '' || r.subtree || tree?.get(loc.anchor.slice(1))?.type === 'dir';
  let target: string;
  if (anchorIsDir) {
    const into = a.dirCopyContents ? dest : absPath(`${dest}/${pathBase(loc.anchor)}`);
    target = loc.rel === '' ? into : absPath(`${into}/${loc.rel}`);
  } else if (destIsDir) target = absPath(`${dest}/${pathBase(loc.anchor)}`);
  else return somewhere('somewhere'); // `COPY a.txt /x`: /x, or /x/a.txt when /x is a directory
  return { kind: 'point', path: target, subtree: r.subtree, modeOnly: r.modeOnly, origin: r.origin };
}

// ----- the analysis --------------------------------------------------------------------------------

const rank: Record<Tri, number> = { no: 0, maybe: 1, yes: 2 };

/**
 * Predicts which steps of a build BuildKit runs again after `changes` to its context, against a
 * builder that holds the cache of the same build before the changes.
 *
 * @param input - the build: a compile result or a Definition (its bytes, a `.pb` file)
 * @param changes - changed paths of the build context
 */
export function predictRebuild(input: AnalyzeInput, changes: readonly ContextChange[], options: RebuildOptions = {}): RebuildResult {
  const analysis = analyze(input);
  const tree = options.tree;
  const contextName = options.contextName ?? 'context';
  const normalized = changes.map((c) => normalizeChange(c, tree));
  const effects: ChangeEffect[] = [];
  const ctxSource = analysis.steps.find((s) => s.vertex?.kind === 'source' && s.vertex.identifier === `local://${contextName}`)?.vertex as SourceVertex | undefined;
  const filter = ctxSource ? contextFilter(ctxSource, tree) : () => undefined;
  const contextRegions: Region[] = [];
  normalized.forEach((c, i) => {
    const ignored = ignoredReason(c) ?? filter(c.path);
    effects.push(ignored ? { change: changes[i], seen: false, ignored } : { change: changes[i], seen: true });
    if (ignored) return;
    // An added or deleted directory, or a deleted path that may have been one: everything below too.
    const subtree = (c.kind === 'added' && c.type === 'dir') || (c.kind === 'deleted' && c.type !== 'file' && c.type !== 'symlink');
    contextRegions.push({ kind: 'point', path: absPath(c.path), subtree, modeOnly: c.kind === 'mode', origin: c.path });
  });

  const state = new Map<string, StepState>();
  const digestOfVertex = new Map<Vertex, string>();
  for (const s of analysis.steps) if (s.vertex) digestOfVertex.set(s.vertex, s.digest);
  const stepOf = (digest: string) => analysis.byDigest.get(digest)!;
  const regionsOf = (digest: string, output: number): readonly Region[] => state.get(digest)?.outputs.get(output) ?? [];
  const isContext = (digest: string) => {
    const v = stepOf(digest).vertex;
    return v?.kind === 'source' && v.identifier === `local://${contextName}`;
  };

  const results: RebuildStep[] = [];
  for (const step of analysis.steps) {
    const v = step.vertex;
    let st: StepState;
    if (!v) {
      // The terminal op: not a vertex of the build, it follows its input.
      const inp = step.inputs.at(0);
      const s = inp && state.get(inp.digest);
      st = { runs: s?.runs ?? 'no', cause: inp && s && s.runs !== 'no' ? { type: 'input', input: stepRef(stepOf(inp.digest)) } : { type: 'none' }, outputs: new Map() };
    } else if (v.kind === 'source') {
      st = sourceState(v, contextName, contextRegions);
    } else {
      st = opState(step, v);
    }
    state.set(step.digest, st);
    results.push({ step, status: st.runs === 'yes' ? 'rebuilds' : st.runs === 'maybe' ? 'maybe' : 'cached', cause: st.cause });
  }

  function opState(step: Step, v: Exclude<Vertex, SourceVertex>): StepState {
    let runs: Tri = 'no';
    let cause: RebuildCause = { type: 'none' };
    let causeRank = -1;
    const unselected: { input: StepRef; selectors: string[] } = { input: stepRef(step), selectors: [] };
    let readsContext = false;
    const consider = (t: Tri, c: RebuildCause, priority: number) => {
      if (rank[t] > rank[runs] || (rank[t] === rank[runs] && t !== 'no' && priority > causeRank)) {
        runs = t;
        cause = c;
        causeRank = priority;
      }
    };
    for (const dep of depsOf(v)) {
      const out = v.inputs[dep.input];
      const inDigest = stepDigest(out.vertex);
      const inState = state.get(inDigest);
      const inRef = stepRef(stepOf(inDigest));
      const sels = dep.selectors.map((s) => new Selection(s, isContext(inDigest) ? tree : undefined));
      if (!inState || inState.runs === 'no') continue;
      if (!dep.content) {
        consider(inState.runs, { type: 'input', input: inRef }, 1);
        continue;
      }
      const regions = inState.outputs.get(out.index) ?? [];
      if (isContext(inDigest)) readsContext = true;
      for (const sel of sels) {
        const hits = regions.filter((r) => (r.kind === 'point' && sel.selects(r.path, r.subtree)) || (r.kind === 'somewhere' && sel.covers(r.path)));
        if (hits.length) {
          const paths = [...new Set(hits.map((h) => (isContext(inDigest) ? h.origin : h.path)))];
          consider('yes', { type: 'selects', input: inRef, context: isContext(inDigest), selector: isContext(inDigest) ? sel.text : sel.spec.path, paths }, 2);
          continue;
        }
        const maybe = regions.some((r) => r.kind !== 'point' && sel.mayHaveUnder(r.path)) || regions.some((r) => r.kind === 'point' && r.subtree && sel.mayHaveUnder(r.path));
        if (maybe) consider('maybe', { type: 'content', input: inRef, selector: isContext(inDigest) ? sel.text : sel.spec.path }, 2);
        else if (isContext(inDigest)) {
          unselected.input = inRef;
          unselected.selectors.push(sel.text);
        }
      }
    }
    if (v.metadata?.ignoreCache) consider('yes', { type: 'ignore-cache' }, 3);
    if (runs === 'no' && readsContext && contextRegions.length && unselected.selectors.length) cause = { type: 'unselected', input: unselected.input, selectors: unselected.selectors };
    if (runs === 'no') return { runs, cause, outputs: new Map() };
    const outputs = outputsOf(step, v);
    if (runs === 'maybe') for (const [k, rs] of outputs) outputs.set(k, rs.map(weaken));
    return { runs, cause, outputs };
  }

  function stepDigest(vertex: Vertex): string {
    return digestOfVertex.get(vertex)!;
  }

  function outputsOf(step: Step, v: Exclude<Vertex, SourceVertex>): Map<number, Region[]> {
    const inputRegions = (i: number): readonly Region[] => {
      const o = v.inputs[i];
      return o ? regionsOf(stepDigest(o.vertex), o.index) : [];
    };
    const out = new Map<number, Region[]>();
    switch (v.kind) {
      case 'exec':
        for (const m of v.mounts) {
          if (m.output < 0) continue;
          const fromInput = m.input >= 0 && m.dest === '/' && m.selector === '' ? inputRegions(m.input) : [];
          out.set(m.output, [...fromInput, possiblyAnywhere(step.label)]);
        }
        return out;
      case 'merge': {
        const all: Region[] = [];
        for (const i of v.merge) all.push(...inputRegions(i));
        out.set(0, all);
        return out;
      }
      case 'diff':
      case 'build':
        out.set(0, [possiblyAnywhere(step.label)]);
        return out;
      case 'file':
        return fileOutputs(v, inputRegions);
    }
  }

  function fileOutputs(v: FileVertex, inputRegions: (i: number) => readonly Region[]): Map<number, Region[]> {
    const n = v.inputs.length;
    const done: Region[][] = [];
    const stateAt = (i: number): readonly Region[] => (i < 0 ? [] : i < n ? inputRegions(i) : (done[i - n] ?? []));
    const out = new Map<number, Region[]>();
    v.actions.forEach((fa, k) => {
      const baseRegions = stateAt(fa.input);
      const a = fa.action;
      let result: Region[];
      switch (a.kind) {
        case 'copy': {
          const dest = clean(`/${a.dest}`);
          // What the copy writes may hide a change below its destination.
          result = baseRegions.map((r) => (isUnder(r.path, dest) ? weaken(r) : r));
          const si = fa.secondaryInput;
          if (si >= 0) {
            const srcTree = si < n && isContext(stepDigest(v.inputs[si].vertex)) ? tree : undefined;
            const sel = new Selection(copySelector(a), srcTree);
            for (const r of stateAt(si)) {
              const m = mapThroughCopy(a, sel, r, srcTree);
              if (m) result.push(m);
            }
          }
          break;
        }
        case 'mkfile':
        case 'symlink': {
          const p = clean(`/${a.kind === 'mkfile' ? a.path : a.newpath}`);
          result = baseRegions.filter((r) => !(r.path === p && !r.subtree));
          break;
        }
        case 'rm': {
          const p = clean(`/${a.path}`);
          result = a.allowWildcard && hasWildcards(p) ? baseRegions.map((r) => (isUnder(r.path, p.slice(0, p.lastIndexOf('/')) || '/') ? weaken(r) : r)) : baseRegions.filter((r) => !isUnder(r.path, p));
          break;
        }
        case 'mkdir':
          result = [...baseRegions];
          break;
      }
      done[k] = result;
      if (fa.output >= 0) out.set(fa.output, result);
    });
    return out;
  }

  const summary = { rebuilds: 0, cached: 0, maybe: 0 };
  const statusOf = new Map<string, RebuildStatus>();
  for (const r of results) {
    summary[r.status]++;
    statusOf.set(r.step.digest, r.status);
  }
  return { analysis, steps: results, summary, changes: effects, statusOf };
}

function sourceState(v: SourceVertex, contextName: string, contextRegions: readonly Region[]): StepState {
  if (v.identifier.startsWith('local://')) {
    // Keyed by the client session: new on every build.
    const outputs = new Map<number, readonly Region[]>([[0, v.identifier === `local://${contextName}` ? contextRegions : []]]);
    return { runs: 'yes', cause: { type: 'context' }, outputs };
  }
  return { runs: 'no', cause: { type: 'none' }, outputs: new Map() };
}

/** A one-line reason for people; step labels longer than `labelWidth` are cut with `…`. */
export function rebuildReasonText(r: RebuildStep, labelWidth = Infinity): string {
  const label = (s: StepRef) => (s.label.length > labelWidth ? `${s.label.slice(0, labelWidth - 1)}…` : s.label);
  const c = r.cause;
  switch (c.type) {
    case 'context':
      return 'the build context is sent on every build (only changed files are transferred)';
    case 'ignore-cache':
      return 'the step ignores the cache';
    case 'selects': {
      const more = c.paths.length > 1 ? ` (+${c.paths.length - 1} more)` : '';
      return c.context ? `selects ${c.paths[0]}${more}` : `selects ${c.paths[0]}${more} of ${label(c.input)}, which changed there`;
    }
    case 'input':
      return r.status === 'maybe' ? `input may run again: ${label(c.input)}` : `input changed: ${label(c.input)}`;
    case 'content':
      return `reads ${c.selector} of ${label(c.input)}, which runs again: cached if it writes the same bytes there`;
    case 'unselected':
      return `selects none of the changed files (${c.selectors.join(', ')})`;
    case 'none':
      return '';
  }
}

/**
 * File actions (mkdir, mkfile, rm, copy, symlink) and `file`, which turns a chain of them into a
 * file vertex the way BuildKit's `FileOp.Marshal` does: actions in chain order, each bound to the
 * state the op runs on, inputs deduplicated in the order they are first needed, later actions
 * reading the previous action's result, and only the last action producing the output.
 */
import { LlbEncodeError } from '../errors.js';
import { fit, none } from '../util/arrays.js';
import { assertNever } from '../util/never.js';
import { clean, isAbs, join, keepTrailingSlash } from '../util/posix-path.js';
import { buildMetadata, Caps, type ConstraintsOptions, workerConstraints } from './constraints.js';
import { type State } from './state.js';
import { addWalked, sameOutput } from './identity.js';
import type { ChownOpt, FileAction, FileActionBody, FileVertex, LinkAnnotation, Output, UserRef } from './types.js';
import type { Building } from '../util/building.js';

/** A user/group for chown: numeric ids, or names resolved in the target's /etc/passwd. */
export interface ChownSpec {
  readonly user?: { readonly id: number } | { readonly name: string };
  readonly group?: { readonly id: number } | { readonly name: string };
}

/**
 * Parses `user[:group]` like BuildKit's `WithUser`: `root` and decimal numbers are ids, anything
 * else is a name.
 */
export function parseChown(spec: string): ChownSpec {
  const i = spec.indexOf(':');
  const parts = i >= 0 ? [spec.slice(0, i), spec.slice(i + 1)] : [spec];
  const one = (v: string) => {
    const id = parseUid(v);
    return id === undefined ? { name: v } : { id };
  };
  return parts.length === 2 ? { user: one(parts[0]), group: one(parts[1]) } : { user: one(parts[0]) };
}

function parseUid(v: string): number | undefined {
  if (v === 'root') return 0;
  // strconv.ParseInt(v, 10, 32): optional sign, decimal digits, within int32.
  if (!/^[+-]?[0-9]+$/.test(v)) return undefined;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

interface CommonInfo {
  readonly chown?: ChownSpec;
  /** Unix time in nanoseconds for created files; default: keep (-1). */
  readonly createdTime?: bigint;
}

export interface MkdirInfo extends CommonInfo {
  readonly makeParents?: boolean;
}

export type MkfileInfo = CommonInfo;

export interface CopyInfo extends CommonInfo {
  /** Octal mode, or a symbolic one (`u+x`). */
  readonly mode?: number | { readonly symbolic: string };
  readonly followSymlinks?: boolean;
  readonly copyDirContentsOnly?: boolean;
  readonly includePatterns?: readonly string[];
  readonly excludePatterns?: readonly string[];
  readonly requiredPaths?: readonly string[];
  readonly attemptUnpack?: boolean;
  readonly createDestPath?: boolean;
  readonly allowWildcard?: boolean;
  readonly allowEmptyWildcard?: boolean;
  readonly alwaysReplaceExistingDestPaths?: boolean;
}

export interface RmInfo {
  readonly allowNotFound?: boolean;
  readonly allowWildcard?: boolean;
}

type ActionSpec =
  | { readonly kind: 'mkdir'; readonly path: string; readonly mode: number; readonly info: MkdirInfo }
  | { readonly kind: 'mkfile'; readonly path: string; readonly mode: number; readonly data: Uint8Array; readonly info: MkfileInfo }
  | { readonly kind: 'rm'; readonly path: string; readonly info: RmInfo }
  | { readonly kind: 'symlink'; readonly oldpath: string; readonly newpath: string; readonly info: CommonInfo }
  | { readonly kind: 'copy'; readonly source: State; readonly src: string; readonly dest: string; readonly info: CopyInfo };

/**
 * An immutable chain of file actions. Build one with {@link mkdir}, {@link mkfile}, {@link rm},
 * {@link copy} or {@link symlink}, extend it with the methods, and apply it with {@link file}.
 */
export class FileActions {
  private constructor(
    readonly spec: ActionSpec,
    readonly prev: FileActions | undefined,
  ) {}

  /** @internal */
  static start(spec: ActionSpec): FileActions {
    return new FileActions(spec, undefined);
  }

  private then(spec: ActionSpec): FileActions {
    return new FileActions(spec, this);
  }

  mkdir(path: string, mode: number, info: MkdirInfo = {}): FileActions {
    return this.then({ kind: 'mkdir', path, mode, info });
  }

  mkfile(path: string, mode: number, data: Uint8Array | string, info: MkfileInfo = {}): FileActions {
    return this.then({ kind: 'mkfile', path, mode, data: toBytes(data), info });
  }

  rm(path: string, info: RmInfo = {}): FileActions {
    return this.then({ kind: 'rm', path, info });
  }

  symlink(oldpath: string, newpath: string, info: CommonInfo = {}): FileActions {
    return this.then({ kind: 'symlink', oldpath, newpath, info });
  }

  copy(source: State, src: string, dest: string, info: CopyInfo = {}): FileActions {
    return this.then({ kind: 'copy', source, src, dest, info });
  }

  /** The actions from first to last. */
  list(): ActionSpec[] {
    const out: ActionSpec[] = [];
    for (let a: FileActions | undefined = this; a; a = a.prev) out.push(a.spec);
    return out.reverse();
  }
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : data;
}

export function mkdir(path: string, mode: number, info: MkdirInfo = {}): FileActions {
  return FileActions.start({ kind: 'mkdir', path, mode, info });
}

export function mkfile(path: string, mode: number, data: Uint8Array | string, info: MkfileInfo = {}): FileActions {
  return FileActions.start({ kind: 'mkfile', path, mode, data: toBytes(data), info });
}

export function rm(path: string, info: RmInfo = {}): FileActions {
  return FileActions.start({ kind: 'rm', path, info });
}

export function symlink(oldpath: string, newpath: string, info: CommonInfo = {}): FileActions {
  return FileActions.start({ kind: 'symlink', oldpath, newpath, info });
}

/** Copies `src` (resolved against `source`'s working directory) to `dest`. */
export function copy(source: State, src: string, dest: string, info: CopyInfo = {}): FileActions {
  return FileActions.start({ kind: 'copy', source, src, dest, info });
}

/** Resolves `p` against `parent` like BuildKit's normalizePath, optionally keeping a trailing `/` or `/.`. */
export function normalizeActionPath(parent: string, p: string, keepSlash: boolean): string {
  let out = clean(p);
  if (!isAbs(out)) out = join('/', parent, out);
  return keepSlash ? keepTrailingSlash(p, out) : out;
}

function userRef(u: { id: number } | { name: string } | undefined, base: number): UserRef | undefined {
  if (!u) return undefined;
  return 'name' in u && u.name !== '' ? { kind: 'name', name: u.name, input: base } : { kind: 'id', id: 'id' in u ? u.id >>> 0 : 0 };
}

function chown(spec: ChownSpec | undefined, base: number): ChownOpt | undefined {
  if (!spec) return undefined;
  const out: { -readonly [K in keyof ChownOpt]: ChownOpt[K] } = {};
  const user = userRef(spec.user, base);
  const group = userRef(spec.group, base);
  if (user) out.user = user;
  if (group) out.group = group;
  return out;
}

/**
 * Applies a chain of file actions to `base`. Relative paths resolve against `base`'s working
 * directory; copy sources against their own state's.
 *
 * Inputs with the same bytes are one input, as in BuildKit. `separateBase` keeps the base's input
 * apart from the copy sources: a linked copy is lowered onto scratch (src/lower/link.ts), where
 * BuildKit never sees the base, so a source equal to the base must keep an input of its own.
 */
export function file(
  base: State,
  actions: FileActions,
  opts: ConstraintsOptions & { readonly separateBase?: boolean; readonly link?: LinkAnnotation } = {},
): State {
  const list = actions.list();
  const inputs: Output[] = [];
  const baseApart = opts.separateBase === true && base.output !== undefined;
  // First pass: input indices in BuildKit's order (each action's base, then its copy source).
  const bases: number[] = [];
  const seconds: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const a = list[i];
    bases.push(inputIndex(inputs, base.output, baseApart, true));
    seconds.push(a.kind === 'copy' ? inputIndex(inputs, a.source.output, baseApart, false) : -1);
  }
  const n = inputs.length;
  const parent = base.cwd;
  const fileActions: FileAction[] = [];
  for (let i = 0; i < list.length; i++) {
    fileActions.push({
      input: i === 0 ? bases[0] : n + i - 1,
      secondaryInput: seconds[i],
      output: i === list.length - 1 ? 0 : -1,
      action: actionBody(list[i], parent, bases[i]),
    });
  }
  // BuildKit walks each distinct output object, from the last action back: when two of them were
  // merged into one input because their bytes are equal, both still contribute metadata.
  const walk: Output[] = [];
  for (let i = list.length - 1; i >= 0; i--) {
    const a = list[i];
    addWalked(walk, base.output);
    if (a.kind === 'copy') addWalked(walk, a.source.output);
  }
  const v: Building<FileVertex> = { kind: 'file', inputs: fit(inputs) };
  if (walk.length > inputs.length) v.walkInputs = walk;
  v.constraints = workerConstraints(opts);
  v.metadata = buildMetadata(opts, FILE_CAPS);
  v.locations = opts.locations ?? [];
  v.actions = fit(fileActions);
  // A linked copy (COPY --link) carries its annotation for src/lower/link.ts.
  if (opts.link) v.link = opts.link;
  const vertex = v as FileVertex;
  return base.withOutput({ vertex, index: 0 });
}

const FILE_CAPS = [Caps.fileBase];


/**
 * The input index of `o` (added when new): outputs with the same bytes share one input, except
 * that with `baseApart` the base keeps input 0 to itself.
 */
function inputIndex(inputs: Output[], o: Output | undefined, baseApart: boolean, isBase: boolean): number {
  if (!o) return -1;
  if (baseApart && isBase) return inputs.length ? 0 : inputs.push(o) - 1;
  for (let i = baseApart ? 1 : 0; i < inputs.length; i++) if (sameOutput(inputs[i], o)) return i;
  return inputs.push(o) - 1;
}

/**
 * The body of one action. Every body of a kind has the same fields in the same order (`owner`
 * is `undefined` when there is none), so that code reading them sees one shape per kind.
 */
function actionBody(a: ActionSpec, parent: string, base: number): FileActionBody {
  switch (a.kind) {
    case 'mkdir':
      return {
        kind: 'mkdir',
        path: normalizeActionPath(parent, a.path, false),
        mode: permissionBits(a.mode, a.kind),
        makeParents: a.info.makeParents ?? false,
        owner: chown(a.info.chown, base),
        timestamp: a.info.createdTime ?? -1n,
      };
    case 'mkfile':
      return {
        kind: 'mkfile',
        path: normalizeActionPath(parent, a.path, false),
        mode: permissionBits(a.mode, a.kind),
        data: a.data,
        owner: chown(a.info.chown, base),
        timestamp: a.info.createdTime ?? -1n,
      };
    case 'rm':
      return {
        kind: 'rm',
        path: normalizeActionPath(parent, a.path, false),
        allowNotFound: a.info.allowNotFound ?? false,
        allowWildcard: a.info.allowWildcard ?? false,
      };
    case 'symlink':
      return {
        kind: 'symlink',
        oldpath: a.oldpath,
        newpath: normalizeActionPath(parent, a.newpath, false),
        owner: chown(a.info.chown, base),
        timestamp: a.info.createdTime ?? -1n,
      };
    case 'copy': {
      const info = a.info;
      const srcClean = clean(a.src);
      const src = isAbs(srcClean) ? join('/', srcClean) : join(a.source.cwd || '/', srcClean);
      const mode = info.mode === undefined ? -1 : typeof info.mode === 'number' ? info.mode : 0;
      return {
        kind: 'copy',
        src,
        dest: normalizeActionPath(parent, a.dest, true),
        owner: chown(info.chown, base),
        mode,
        followSymlink: info.followSymlinks ?? false,
        dirCopyContents: info.copyDirContentsOnly ?? false,
        attemptUnpackDockerCompatibility: info.attemptUnpack ?? false,
        createDestPath: info.createDestPath ?? false,
        allowWildcard: info.allowWildcard ?? false,
        allowEmptyWildcard: info.allowEmptyWildcard ?? false,
        timestamp: info.createdTime ?? -1n,
        includePatterns: info.includePatterns ?? none(),
        excludePatterns: info.excludePatterns ?? none(),
        alwaysReplaceExistingDestPaths: info.alwaysReplaceExistingDestPaths ?? false,
        modeStr: typeof info.mode === 'object' ? info.mode.symbolic : '',
        requiredPaths: info.requiredPaths ?? none(),
      };
    }
    default:
      return assertNever(a, 'file action kind');
  }
}


/**
 * The permission bits of a mkdir/mkfile mode, as BuildKit keeps them (`mode & 0777`) from an
 * `os.FileMode`: a mode that is not a uint32 at all is an error, not masked into another one.
 */
function permissionBits(mode: number, what: string): number {
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0xffffffff) {
    throw new LlbEncodeError('E_LLB_VALUE', `expected a file mode (an integer 0..0xffffffff), got ${String(mode)}`, `${what}.mode`);
  }
  return mode & 0o777;
}

/**
 * Conversion between typed vertices and `pb.Op` messages (as plain decoded objects).
 *
 * `vertexToOp` needs the digests of the vertex's inputs; `opToVertex` needs the vertices those
 * digests stand for. Both directions are total over valid LLB and keep every field, so
 * `opToVertex ∘ vertexToOp` is the identity on the wire bytes.
 */
import { DefinitionDecodeError, LlbEncodeError } from '../errors.js';
import { assertNever } from '../util/never.js';
import type {
  BindMount,
  BuildVertex,
  CacheSharing,
  CDIDevice,
  ChownOpt,
  DiffVertex,
  ExecMeta,
  ExecVertex,
  FileAction,
  FileActionBody,
  FileVertex,
  HostIP,
  MergeVertex,
  Mount,
  MountContentCache,
  MountType,
  NetMode,
  Output,
  Platform,
  ProxyEnv,
  SecretOpt,
  SecurityMode,
  SourceVertex,
  Ulimit,
  UserRef,
  Vertex,
  WorkerConstraints,
} from '../graph/types.js';
import type { PbMessage } from './pb/codec.js';
import type * as pb from './pb/messages.generated.js';
import { schema } from './pb/schema.generated.js';

// ----- enums ---------------------------------------------------------------------------------------

function enumNames<T extends string>(pbEnum: string, names: readonly T[]): { toPb: (v: T) => number; fromPb: (n: number) => T } {
  const values = schema.enums[pbEnum];
  const byNumber = new Map<number, T>();
  for (const n of names) byNumber.set(values[n.toUpperCase()], n);
  return {
    toPb: (v) => values[v.toUpperCase()],
    fromPb: (n) => {
      const v = byNumber.get(n);
      if (v === undefined) throw new RangeError(`${pbEnum} has no value ${n}`);
      return v;
    },
  };
}

const netMode = enumNames<NetMode>('NetMode', ['unset', 'host', 'none']);
const securityMode = enumNames<SecurityMode>('SecurityMode', ['sandbox', 'insecure']);
const mountType = enumNames<MountType>('MountType', ['bind', 'secret', 'ssh', 'cache', 'tmpfs']);
const cacheSharing = enumNames<CacheSharing>('CacheSharingOpt', ['shared', 'private', 'locked']);
const contentCache = enumNames<MountContentCache>('MountContentCache', ['default', 'on', 'off']);

/** The wire numbers of the graph's enum names, as vertexToOp writes them (for write-op.ts). */
export const enumsToPb = {
  netMode: netMode.toPb,
  securityMode: securityMode.toPb,
  mountType: mountType.toPb,
  cacheSharing: cacheSharing.toPb,
  contentCache: contentCache.toPb,
} as const;

// ----- small helpers -------------------------------------------------------------------------------

function str(m: PbMessage, key: string): string {
  return (m[key] as string | undefined) ?? '';
}
function bool(m: PbMessage, key: string): boolean {
  return (m[key] as boolean | undefined) ?? false;
}
function num(m: PbMessage, key: string): number {
  return (m[key] as number | undefined) ?? 0;
}
function big(m: PbMessage, key: string): bigint {
  return (m[key] as bigint | undefined) ?? 0n;
}
function list<T>(m: PbMessage, key: string): T[] {
  return (m[key] as T[] | undefined) ?? [];
}
function sub(m: PbMessage, key: string): PbMessage | undefined {
  return m[key] as PbMessage | undefined;
}
/** An index field (int64 on the wire) as a number; out-of-range values are rejected later. */
function index(m: PbMessage, key: string): number {
  const v = big(m, key);
  return v >= -1n && v <= 0x7fffffffn ? Number(v) : Number.NaN;
}

// ----- checking what the graph hands us ------------------------------------------------------------
// The graph's types say which fields each object has, but a JavaScript caller (or a cast) can pass
// anything. A field we do not know would be dropped silently, so it is an error instead; values of
// the wrong type or range are caught by the codec when the op is written.

function keySet(...keys: string[]): ReadonlySet<string> {
  return new Set(keys);
}

const VERTEX_BASE = ['kind', 'inputs', 'platform', 'constraints', 'metadata', 'locations', 'outputPlatform', 'walkInputs'];
const VERTEX_KEYS: { readonly [K in Vertex['kind']]: ReadonlySet<string> } = {
  source: keySet(...VERTEX_BASE, 'identifier', 'attrs'),
  exec: keySet(...VERTEX_BASE, 'meta', 'mounts', 'network', 'security', 'secretEnv', 'cdiDevices'),
  file: keySet(...VERTEX_BASE, 'actions', 'link'),
  merge: keySet(...VERTEX_BASE, 'merge'),
  diff: keySet(...VERTEX_BASE, 'lower', 'upper'),
  build: keySet(...VERTEX_BASE, 'builder', 'buildInputs', 'definition', 'attrs'),
};
const PLATFORM_KEYS = keySet('os', 'architecture', 'variant', 'osVersion', 'osFeatures');
const META_KEYS = keySet('args', 'env', 'cwd', 'user', 'proxyEnv', 'extraHosts', 'hostname', 'ulimits', 'cgroupParent', 'removeMountStubsRecursive', 'validExitCodes');
const PROXY_KEYS = keySet('httpProxy', 'httpsProxy', 'ftpProxy', 'noProxy', 'allProxy');
const MOUNT_BASE = ['type', 'input', 'selector', 'dest', 'output', 'readonly', 'resultId', 'contentCache'];
const MOUNT_KEYS: { readonly [K in Mount['type']]: ReadonlySet<string> } = {
  bind: keySet(...MOUNT_BASE),
  cache: keySet(...MOUNT_BASE, 'cache'),
  tmpfs: keySet(...MOUNT_BASE, 'tmpfs'),
  secret: keySet(...MOUNT_BASE, 'secret'),
  ssh: keySet(...MOUNT_BASE, 'ssh'),
};
const SECRET_OPT_KEYS = keySet('id', 'uid', 'gid', 'mode', 'optional');
const CACHE_KEYS = keySet('id', 'sharing');
const TMPFS_KEYS = keySet('size');
const HOST_KEYS = keySet('host', 'ip');
const ULIMIT_KEYS = keySet('name', 'soft', 'hard');
const SECRET_ENV_KEYS = keySet('id', 'name', 'optional');
const CDI_KEYS = keySet('name', 'optional');
const CHOWN_KEYS = keySet('user', 'group');
const ACTION_KEYS = keySet('input', 'secondaryInput', 'output', 'action');
const BODY_KEYS: { readonly [K in FileActionBody['kind']]: ReadonlySet<string> } = {
  copy: keySet('kind', 'src', 'dest', 'owner', 'mode', 'followSymlink', 'dirCopyContents', 'attemptUnpackDockerCompatibility', 'createDestPath', 'allowWildcard', 'allowEmptyWildcard', 'timestamp', 'includePatterns', 'excludePatterns', 'alwaysReplaceExistingDestPaths', 'modeStr', 'requiredPaths'),
  mkfile: keySet('kind', 'path', 'mode', 'data', 'owner', 'timestamp'),
  mkdir: keySet('kind', 'path', 'mode', 'makeParents', 'owner', 'timestamp'),
  rm: keySet('kind', 'path', 'allowNotFound', 'allowWildcard'),
  symlink: keySet('kind', 'oldpath', 'newpath', 'owner', 'timestamp'),
};

/** The key set for an object's discriminant (`kind`, or `type`), if the table has it. */
function keysOf(table: { readonly [k: string]: ReadonlySet<string> }, o: unknown, discriminant = 'kind'): ReadonlySet<string> | undefined {
  const k = typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[discriminant] : undefined;
  return typeof k === 'string' && Object.hasOwn(table, k) ? table[k] : undefined;
}

function unknownField(what: string, key: string, path: string): never {
  throw new LlbEncodeError('E_LLB_UNKNOWN_FIELD', `${what} has no field ${JSON.stringify(key)}`, path);
}

/** Array.isArray without narrowing a typed list to `any[]`. */
function isList(x: unknown): boolean {
  return Array.isArray(x);
}

/**
 * Rejects an object (from the graph) with a field outside `allowed`, or that is not an object.
 * The path is `base`, or `base[index]suffix` with an index: made only for the error.
 */
function checkObject(o: unknown, allowed: ReadonlySet<string> | undefined, what: string, base: string, index = -1, suffix = ''): void {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    const got = o === null ? 'null' : Array.isArray(o) ? 'an array' : typeof o;
    throw new LlbEncodeError('E_LLB_VALUE', `expected ${what} (an object), got ${got}`, pathOf(base, index, suffix));
  }
  if (!allowed) throw new LlbEncodeError('E_LLB_VALUE', `unknown ${what} kind`, pathOf(base, index, suffix));
  for (const key in o) if (!allowed.has(key)) unknownField(what, key, pathOf(base, index, suffix));
}

function pathOf(base: string, index: number, suffix: string): string {
  return index < 0 ? base : `${base}[${index}]${suffix}`;
}

/** Checks a list of objects of one kind. */
function checkEach<T>(items: readonly T[] | undefined, allowed: ReadonlySet<string>, what: string, path: string): void {
  if (items === undefined) return;
  if (!isList(items)) throw new LlbEncodeError('E_LLB_VALUE', `expected a list of ${what}`, path);
  for (let i = 0; i < items.length; i++) checkObject(items[i], allowed, what, path, i);
}

/**
 * Rejects a vertex (from the graph) with a field its kind does not have, or a nested object that
 * is not one: {@link vertexToOp} runs it first, and so does the direct writer (write-op.ts).
 * @throws {@link LlbEncodeError} (`E_LLB_UNKNOWN_FIELD`, `E_LLB_VALUE`)
 */
export function checkVertex(v: Vertex): void {
  checkObject(v, keysOf(VERTEX_KEYS, v), 'a vertex', 'vertex');
  if (v.platform) checkObject(v.platform, PLATFORM_KEYS, 'a platform', 'vertex.platform');
  switch (v.kind) {
    case 'exec': {
      checkObject(v.meta, META_KEYS, 'an exec meta', 'vertex.meta');
      if (v.meta.proxyEnv) checkObject(v.meta.proxyEnv, PROXY_KEYS, 'a proxy env', 'vertex.meta.proxyEnv');
      checkEach(v.meta.extraHosts, HOST_KEYS, 'a host', 'vertex.meta.extraHosts');
      checkEach(v.meta.ulimits, ULIMIT_KEYS, 'a ulimit', 'vertex.meta.ulimits');
      if (!isList(v.mounts)) throw new LlbEncodeError('E_LLB_VALUE', 'expected a list of mounts', 'vertex.mounts');
      for (let i = 0; i < v.mounts.length; i++) checkMount(v.mounts[i], i);
      checkEach(v.secretEnv, SECRET_ENV_KEYS, 'a secret env', 'vertex.secretEnv');
      checkEach(v.cdiDevices, CDI_KEYS, 'a CDI device', 'vertex.cdiDevices');
      return;
    }
    case 'file':
      if (!isList(v.actions)) throw new LlbEncodeError('E_LLB_VALUE', 'expected a list of file actions', 'vertex.actions');
      for (let i = 0; i < v.actions.length; i++) {
        const a = v.actions[i];
        checkObject(a, ACTION_KEYS, 'a file action', 'vertex.actions', i);
        checkObject(a.action, keysOf(BODY_KEYS, a.action), 'a file action body', 'vertex.actions', i, '.action');
        if ('owner' in a.action && a.action.owner) checkObject(a.action.owner, CHOWN_KEYS, 'a chown', 'vertex.actions', i, '.action.owner');
      }
      return;
    case 'source':
    case 'merge':
    case 'diff':
    case 'build':
      return;
    default:
      return assertNever(v, 'vertex kind');
  }
}

function checkMount(m: Mount, i: number): void {
  const base = 'vertex.mounts';
  checkObject(m, keysOf(MOUNT_KEYS, m, 'type'), 'a mount', base, i);
  switch (m.type) {
    case 'bind':
      return;
    case 'cache':
      return checkObject(m.cache, CACHE_KEYS, 'a cache mount option', base, i, '.cache');
    case 'tmpfs':
      return checkObject(m.tmpfs, TMPFS_KEYS, 'a tmpfs option', base, i, '.tmpfs');
    case 'secret':
      return checkObject(m.secret, SECRET_OPT_KEYS, 'a secret option', base, i, '.secret');
    case 'ssh':
      return checkObject(m.ssh, SECRET_OPT_KEYS, 'an SSH option', base, i, '.ssh');
    default:
      return assertNever(m, 'mount type');
  }
}

// ----- vertex → pb ------------------------------------------------------------------------------------

function platformToPb(p: Platform): pb.Platform {
  const out: pb.Platform = {};
  if (p.architecture !== undefined) out.Architecture = p.architecture;
  if (p.os !== undefined) out.OS = p.os;
  if (p.variant !== undefined) out.Variant = p.variant;
  if (p.osVersion !== undefined) out.OSVersion = p.osVersion;
  if (p.osFeatures) out.OSFeatures = p.osFeatures as string[];
  return out;
}

function platformFromPb(m: PbMessage): Platform {
  const p: { -readonly [K in keyof Platform]: Platform[K] } = { os: str(m, 'OS'), architecture: str(m, 'Architecture') };
  if (m.Variant !== undefined) p.variant = m.Variant as string;
  if (m.OSVersion !== undefined) p.osVersion = m.OSVersion as string;
  if (m.OSFeatures !== undefined) p.osFeatures = m.OSFeatures as string[];
  return p;
}

/**
 * Builds the `pb.Op` message for `v`. `digestOf` gives the digest of each input's vertex.
 * @throws {@link LlbEncodeError} for a vertex with a field its kind does not have, a `COPY --link`
 *   vertex that was not lowered, or (when the op is written) a value of the wrong type or range.
 */
export function vertexToOp(v: Vertex, digestOf: (vertex: Vertex) => string): pb.Op {
  checkVertex(v);
  // The message is only read by the encoder: lists and maps of the vertex are used as they are.
  // Built field by field (one oneof member set below): typed once complete.
  const op: PbMessage = {};
  if (v.inputs.length > 0) {
    const inputs: pb.Input[] = [];
    for (const o of v.inputs) inputs.push(o.index !== 0 ? { digest: digestOf(o.vertex), index: o.index } : { digest: digestOf(o.vertex) });
    op.inputs = inputs;
  }
  if (v.platform) op.platform = platformToPb(v.platform);
  if (v.constraints) op.constraints = constraintsToPb(v.constraints);
  switch (v.kind) {
    case 'source':
      op.source = sourceToPb(v);
      return op;
    case 'exec':
      op.exec = execToPb(v);
      return op;
    case 'file':
      if (v.link) throw new LlbEncodeError('E_LLB_UNLOWERED', 'a COPY --link file vertex must be lowered (lowerLinks) before it is encoded', 'vertex.link');
      op.file = { actions: v.actions.map(fileActionToPb) };
      return op;
    case 'merge':
      op.merge = { inputs: v.merge.map(mergeInput) };
      return op;
    case 'diff': {
      const diff: pb.DiffOp = {};
      if (v.lower !== undefined) diff.lower = lowerDiffInput(v.lower);
      if (v.upper !== undefined) diff.upper = upperDiffInput(v.upper);
      op.diff = diff;
      return op;
    }
    case 'build': {
      const build: pb.BuildOp = {};
      if (v.builder !== 0) build.builder = v.builder;
      const inputs: { [key: string]: pb.BuildInput } = {};
      for (const [k, i] of Object.entries(v.buildInputs)) inputs[k] = i !== 0 ? { input: i } : {};
      if (Object.keys(inputs).length) build.inputs = inputs;
      // The nested Definition is kept as decoded protobuf (see BuildVertex).
      if (v.definition !== undefined) build.def = v.definition as pb.Definition;
      if (Object.keys(v.attrs).length) build.attrs = v.attrs;
      op.build = build;
      return op;
    }
    default:
      return assertNever(v, 'vertex kind');
  }
}

function mergeInput(i: number): pb.MergeInput {
  return i !== 0 ? { input: i } : {};
}
function lowerDiffInput(i: number): pb.LowerDiffInput {
  return i !== 0 ? { input: i } : {};
}
function upperDiffInput(i: number): pb.UpperDiffInput {
  return i !== 0 ? { input: i } : {};
}

function constraintsToPb(c: WorkerConstraints): pb.WorkerConstraints {
  return c.filter.length ? { filter: c.filter as string[] } : {};
}

function sourceToPb(v: SourceVertex): pb.SourceOp {
  const out: pb.SourceOp = { identifier: v.identifier };
  if (Object.keys(v.attrs).length) out.attrs = v.attrs;
  return out;
}

function execToPb(v: ExecVertex): pb.ExecOp {
  const out: pb.ExecOp = { meta: metaToPb(v.meta) };
  if (v.mounts.length) out.mounts = v.mounts.map(mountToPb);
  out.network = netMode.toPb(v.network);
  out.security = securityMode.toPb(v.security);
  if (v.secretEnv.length) out.secretenv = v.secretEnv.map((s) => ({ ID: s.id, name: s.name, optional: s.optional }));
  if (v.cdiDevices.length) out.cdiDevices = v.cdiDevices.map((d) => ({ name: d.name, optional: d.optional }));
  return out;
}

function metaToPb(m: ExecMeta): pb.Meta {
  const out: pb.Meta = { args: m.args as string[], env: m.env as string[], cwd: m.cwd, user: m.user };
  if (m.proxyEnv) {
    const p: pb.ProxyEnv = {};
    if (m.proxyEnv.httpProxy !== undefined) p.http_proxy = m.proxyEnv.httpProxy;
    if (m.proxyEnv.httpsProxy !== undefined) p.https_proxy = m.proxyEnv.httpsProxy;
    if (m.proxyEnv.ftpProxy !== undefined) p.ftp_proxy = m.proxyEnv.ftpProxy;
    if (m.proxyEnv.noProxy !== undefined) p.no_proxy = m.proxyEnv.noProxy;
    if (m.proxyEnv.allProxy !== undefined) p.all_proxy = m.proxyEnv.allProxy;
    out.proxy_env = p;
  }
  if (m.extraHosts?.length) out.extraHosts = m.extraHosts.map((h) => ({ Host: h.host, IP: h.ip }));
  if (m.hostname !== undefined) out.hostname = m.hostname;
  if (m.ulimits?.length) out.ulimit = m.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }));
  if (m.cgroupParent !== undefined) out.cgroupParent = m.cgroupParent;
  if (m.removeMountStubsRecursive !== undefined) out.removeMountStubsRecursive = m.removeMountStubsRecursive;
  if (m.validExitCodes?.length) out.validExitCodes = m.validExitCodes as number[];
  return out;
}

function secretOptToPb(s: SecretOpt): pb.SecretOpt {
  return { ID: s.id, uid: s.uid, gid: s.gid, mode: s.mode, optional: s.optional };
}

function mountToPb(m: Mount): pb.Mount {
  const out: pb.Mount = {
    input: m.input,
    selector: m.selector,
    dest: m.dest,
    output: m.output,
    readonly: m.readonly,
    mountType: mountType.toPb(m.type),
  };
  switch (m.type) {
    case 'bind':
      break;
    case 'tmpfs':
      out.TmpfsOpt = { size: m.tmpfs.size };
      break;
    case 'cache':
      out.cacheOpt = { ID: m.cache.id, sharing: cacheSharing.toPb(m.cache.sharing) };
      break;
    case 'secret':
      out.secretOpt = secretOptToPb(m.secret);
      break;
    case 'ssh':
      out.SSHOpt = secretOptToPb(m.ssh);
      break;
    default:
      return assertNever(m, 'mount type');
  }
  if (m.resultId !== undefined) out.resultID = m.resultId;
  if (m.contentCache !== undefined) out.contentCache = contentCache.toPb(m.contentCache);
  return out;
}

function userToPb(u: UserRef): pb.UserOpt {
  switch (u.kind) {
    case 'id':
      return { byID: u.id };
    case 'name':
      return { byName: { name: u.name, input: u.input } };
    default:
      return assertNever(u, 'user reference kind');
  }
}

function chownToPb(c: ChownOpt): pb.ChownOpt {
  const out: pb.ChownOpt = {};
  if (c.user) out.user = userToPb(c.user);
  if (c.group) out.group = userToPb(c.group);
  return out;
}

function fileActionToPb(a: FileAction): pb.FileAction {
  // The body (one member of the oneof) is set below.
  const out: PbMessage = { input: a.input, secondaryInput: a.secondaryInput, output: a.output };
  const b = a.action;
  switch (b.kind) {
    case 'copy': {
      const c: pb.FileActionCopy = {
        src: b.src,
        dest: b.dest,
        mode: b.mode,
        followSymlink: b.followSymlink,
        dirCopyContents: b.dirCopyContents,
        attemptUnpackDockerCompatibility: b.attemptUnpackDockerCompatibility,
        createDestPath: b.createDestPath,
        allowWildcard: b.allowWildcard,
        allowEmptyWildcard: b.allowEmptyWildcard,
        timestamp: b.timestamp,
        include_patterns: b.includePatterns as string[],
        exclude_patterns: b.excludePatterns as string[],
        alwaysReplaceExistingDestPaths: b.alwaysReplaceExistingDestPaths,
        modeStr: b.modeStr,
        required_paths: b.requiredPaths as string[],
      };
      if (b.owner) c.owner = chownToPb(b.owner);
      out.copy = c;
      return out;
    }
    case 'mkfile': {
      const c: pb.FileActionMkFile = { path: b.path, mode: b.mode, data: b.data, timestamp: b.timestamp };
      if (b.owner) c.owner = chownToPb(b.owner);
      out.mkfile = c;
      return out;
    }
    case 'mkdir': {
      const c: pb.FileActionMkDir = { path: b.path, mode: b.mode, makeParents: b.makeParents, timestamp: b.timestamp };
      if (b.owner) c.owner = chownToPb(b.owner);
      out.mkdir = c;
      return out;
    }
    case 'rm':
      out.rm = { path: b.path, allowNotFound: b.allowNotFound, allowWildcard: b.allowWildcard };
      return out;
    case 'symlink': {
      const c: pb.FileActionSymlink = { oldpath: b.oldpath, newpath: b.newpath, timestamp: b.timestamp };
      if (b.owner) c.owner = chownToPb(b.owner);
      out.symlink = c;
      return out;
    }
    default:
      return assertNever(b, 'file action kind');
  }
}

// ----- pb → vertex ------------------------------------------------------------------------------------

/** Context for decoding one op: its position for error messages, and its resolved inputs. */
export interface OpDecodeContext {
  readonly inputs: readonly Output[];
  /** Offset of the op's bytes in the Definition, for error locations. */
  readonly offset: number;
  readonly path: string;
}

function invalid(ctx: OpDecodeContext, message: string): never {
  throw new DefinitionDecodeError('E_LLB_INVALID', `${message} (${ctx.path})`, {
    kind: 'bytes',
    offset: ctx.offset,
    path: ctx.path,
  });
}

function checkIndex(ctx: OpDecodeContext, what: string, i: number, limit: number, allowScratch: boolean): number {
  if (Number.isNaN(i) || i >= limit || (i === -1 && !allowScratch) || i < -1) {
    invalid(ctx, `${what} refers to input ${i}, but the op has ${limit}`);
  }
  return i;
}

/**
 * Builds the typed vertex for a decoded `pb.Op`. Rejects ops that BuildKit would reject as
 * structurally invalid (no op body, input indices out of range) with a {@link DefinitionDecodeError}.
 */
export function opToVertex(op: PbMessage, ctx: OpDecodeContext): Vertex {
  const base: { -readonly [K in keyof Vertex]?: unknown } & PbMessage = { inputs: ctx.inputs };
  const platform = sub(op, 'platform');
  if (platform) base.platform = platformFromPb(platform);
  const constraints = sub(op, 'constraints');
  if (constraints) base.constraints = { filter: list<string>(constraints, 'filter') };
  const n = ctx.inputs.length;

  if (op.source) {
    const s = op.source as PbMessage;
    return { ...base, kind: 'source', identifier: str(s, 'identifier'), attrs: { ...(s.attrs as object) } } as SourceVertex;
  }
  if (op.exec) {
    const e = op.exec as PbMessage;
    const meta = sub(e, 'meta');
    if (!meta) invalid(ctx, 'exec op has no meta');
    const mounts = list<PbMessage>(e, 'mounts').map((m) => mountFromPb(m, ctx));
    const v: ExecVertex = {
      ...(base as object),
      inputs: ctx.inputs,
      kind: 'exec',
      meta: metaFromPb(meta),
      mounts,
      network: enumFrom(ctx, netMode, num(e, 'network')),
      security: enumFrom(ctx, securityMode, num(e, 'security')),
      secretEnv: list<PbMessage>(e, 'secretenv').map((s) => ({ id: str(s, 'ID'), name: str(s, 'name'), optional: bool(s, 'optional') })),
      cdiDevices: list<PbMessage>(e, 'cdiDevices').map((d): CDIDevice => ({ name: str(d, 'name'), optional: bool(d, 'optional') })),
    };
    return v;
  }
  if (op.file) {
    const actions = list<PbMessage>(op.file as PbMessage, 'actions');
    const out: FileAction[] = actions.map((a, i) => fileActionFromPb(a, ctx, n + i));
    const v: FileVertex = { ...(base as object), inputs: ctx.inputs, kind: 'file', actions: out };
    return v;
  }
  if (op.merge) {
    const merge = list<PbMessage>(op.merge as PbMessage, 'inputs').map((m) =>
      checkIndex(ctx, 'merge input', index(m, 'input'), n, false),
    );
    const v: MergeVertex = { ...(base as object), inputs: ctx.inputs, kind: 'merge', merge };
    return v;
  }
  if (op.diff) {
    const d = op.diff as PbMessage;
    const v: { -readonly [K in keyof DiffVertex]: DiffVertex[K] } = { ...(base as object), inputs: ctx.inputs, kind: 'diff' };
    const lower = sub(d, 'lower');
    const upper = sub(d, 'upper');
    if (lower) v.lower = checkIndex(ctx, 'diff lower', index(lower, 'input'), n, true);
    if (upper) v.upper = checkIndex(ctx, 'diff upper', index(upper, 'input'), n, true);
    return v;
  }
  if (op.build) {
    const b = op.build as PbMessage;
    const buildInputs: Record<string, number> = {};
    for (const [k, m] of Object.entries((b.inputs as Record<string, PbMessage> | undefined) ?? {})) {
      buildInputs[k] = checkIndex(ctx, 'build input', index(m, 'input'), n, false);
    }
    const builder = index(b, 'builder');
    const v: { -readonly [K in keyof BuildVertex]: BuildVertex[K] } = {
      ...(base as object),
      inputs: ctx.inputs,
      kind: 'build',
      builder: checkIndex(ctx, 'builder', builder, Math.max(n, 1), true),
      buildInputs,
      attrs: { ...((b.attrs as object | undefined) ?? {}) },
    };
    if (b.def !== undefined) v.definition = b.def;
    return v;
  }
  return invalid(ctx, 'op has no body (exec, source, file, merge, diff or build)');
}

function enumFrom<T extends string>(ctx: OpDecodeContext, e: { fromPb: (n: number) => T }, n: number): T {
  try {
    return e.fromPb(n);
  } catch (err) {
    return invalid(ctx, (err as Error).message);
  }
}

function metaFromPb(m: PbMessage): ExecMeta {
  const out: { -readonly [K in keyof ExecMeta]: ExecMeta[K] } = {
    args: list<string>(m, 'args'),
    env: list<string>(m, 'env'),
    cwd: str(m, 'cwd'),
    user: str(m, 'user'),
  };
  const p = sub(m, 'proxy_env');
  if (p) {
    const proxy: { -readonly [K in keyof ProxyEnv]: ProxyEnv[K] } = {};
    if (p.http_proxy !== undefined) proxy.httpProxy = p.http_proxy as string;
    if (p.https_proxy !== undefined) proxy.httpsProxy = p.https_proxy as string;
    if (p.ftp_proxy !== undefined) proxy.ftpProxy = p.ftp_proxy as string;
    if (p.no_proxy !== undefined) proxy.noProxy = p.no_proxy as string;
    if (p.all_proxy !== undefined) proxy.allProxy = p.all_proxy as string;
    out.proxyEnv = proxy;
  }
  if (m.extraHosts) out.extraHosts = list<PbMessage>(m, 'extraHosts').map((h): HostIP => ({ host: str(h, 'Host'), ip: str(h, 'IP') }));
  if (m.hostname !== undefined) out.hostname = m.hostname as string;
  if (m.ulimit) {
    out.ulimits = list<PbMessage>(m, 'ulimit').map((u): Ulimit => ({ name: str(u, 'Name'), soft: big(u, 'Soft'), hard: big(u, 'Hard') }));
  }
  if (m.cgroupParent !== undefined) out.cgroupParent = m.cgroupParent as string;
  if (m.removeMountStubsRecursive !== undefined) out.removeMountStubsRecursive = m.removeMountStubsRecursive as boolean;
  if (m.validExitCodes) out.validExitCodes = list<number>(m, 'validExitCodes');
  return out;
}

function secretOptFromPb(s: PbMessage): SecretOpt {
  return { id: str(s, 'ID'), uid: num(s, 'uid'), gid: num(s, 'gid'), mode: num(s, 'mode'), optional: bool(s, 'optional') };
}

/** The option field of each mount type in pb.Mount; BuildKit sets exactly the one of the mount's type. */
const MOUNT_OPTION: { readonly [K in MountType]: string | undefined } = {
  bind: undefined,
  cache: 'cacheOpt',
  tmpfs: 'TmpfsOpt',
  secret: 'secretOpt',
  ssh: 'SSHOpt',
};

function mountFromPb(m: PbMessage, ctx: OpDecodeContext): Mount {
  const type = enumFrom(ctx, mountType, num(m, 'mountType'));
  const base: { -readonly [K in keyof BindMount]?: BindMount[K] } = {
    input: checkIndex(ctx, 'mount', index(m, 'input'), ctx.inputs.length, true),
    selector: str(m, 'selector'),
    dest: str(m, 'dest'),
    output: index(m, 'output'),
    readonly: bool(m, 'readonly'),
  };
  if (Number.isNaN(base.output)) invalid(ctx, 'mount output index out of range');
  if (m.resultID !== undefined) base.resultId = m.resultID as string;
  if (m.contentCache !== undefined) base.contentCache = enumFrom(ctx, contentCache, m.contentCache as number);
  for (const [t, field] of Object.entries(MOUNT_OPTION)) {
    if (field && t !== type && m[field] !== undefined) invalid(ctx, `a ${type} mount with ${field}`);
  }
  const option = MOUNT_OPTION[type];
  const opt = option ? sub(m, option) : undefined;
  if (option && !opt) invalid(ctx, `a ${type} mount without ${option}`);
  const common = base as Omit<BindMount, 'type'>;
  switch (type) {
    case 'bind':
      return { ...common, type };
    case 'cache':
      return { ...common, type, cache: { id: str(opt!, 'ID'), sharing: enumFrom(ctx, cacheSharing, num(opt!, 'sharing')) } };
    case 'tmpfs':
      return { ...common, type, tmpfs: { size: big(opt!, 'size') } };
    case 'secret':
      return { ...common, type, secret: secretOptFromPb(opt!) };
    case 'ssh':
      return { ...common, type, ssh: secretOptFromPb(opt!) };
    default:
      return assertNever(type, 'mount type');
  }
}

function userFromPb(u: PbMessage): UserRef | undefined {
  const byName = sub(u, 'byName');
  if (byName) return { kind: 'name', name: str(byName, 'name'), input: Number(big(byName, 'input')) };
  if (u.byID !== undefined) return { kind: 'id', id: u.byID as number };
  return undefined;
}

function chownFromPb(c: PbMessage): ChownOpt {
  const out: { -readonly [K in keyof ChownOpt]: ChownOpt[K] } = {};
  const user = sub(c, 'user');
  const group = sub(c, 'group');
  if (user) out.user = userFromPb(user) ?? { kind: 'id', id: 0 };
  if (group) out.group = userFromPb(group) ?? { kind: 'id', id: 0 };
  return out;
}

function fileActionFromPb(a: PbMessage, ctx: OpDecodeContext, limit: number): FileAction {
  const input = checkIndex(ctx, 'file action', index(a, 'input'), limit, true);
  const secondaryInput = checkIndex(ctx, 'file action secondary input', index(a, 'secondaryInput'), limit, true);
  const output = index(a, 'output');
  if (Number.isNaN(output)) invalid(ctx, 'file action output index out of range');
  let action: FileActionBody;
  const withOwner = <T extends object>(body: T, m: PbMessage): T => {
    const owner = sub(m, 'owner');
    return owner ? { ...body, owner: chownFromPb(owner) } : body;
  };
  if (a.copy) {
    const c = a.copy as PbMessage;
    action = withOwner(
      {
        kind: 'copy',
        src: str(c, 'src'),
        dest: str(c, 'dest'),
        mode: num(c, 'mode'),
        followSymlink: bool(c, 'followSymlink'),
        dirCopyContents: bool(c, 'dirCopyContents'),
        attemptUnpackDockerCompatibility: bool(c, 'attemptUnpackDockerCompatibility'),
        createDestPath: bool(c, 'createDestPath'),
        allowWildcard: bool(c, 'allowWildcard'),
        allowEmptyWildcard: bool(c, 'allowEmptyWildcard'),
        timestamp: big(c, 'timestamp'),
        includePatterns: list<string>(c, 'include_patterns'),
        excludePatterns: list<string>(c, 'exclude_patterns'),
        alwaysReplaceExistingDestPaths: bool(c, 'alwaysReplaceExistingDestPaths'),
        modeStr: str(c, 'modeStr'),
        requiredPaths: list<string>(c, 'required_paths'),
      },
      c,
    );
  } else if (a.mkfile) {
    const c = a.mkfile as PbMessage;
    action = withOwner(
      {
        kind: 'mkfile',
        path: str(c, 'path'),
        mode: num(c, 'mode'),
        data: (c.data as Uint8Array | undefined) ?? new Uint8Array(0),
        timestamp: big(c, 'timestamp'),
      },
      c,
    );
  } else if (a.mkdir) {
    const c = a.mkdir as PbMessage;
    action = withOwner(
      { kind: 'mkdir', path: str(c, 'path'), mode: num(c, 'mode'), makeParents: bool(c, 'makeParents'), timestamp: big(c, 'timestamp') },
      c,
    );
  } else if (a.rm) {
    const c = a.rm as PbMessage;
    action = { kind: 'rm', path: str(c, 'path'), allowNotFound: bool(c, 'allowNotFound'), allowWildcard: bool(c, 'allowWildcard') };
  } else if (a.symlink) {
    const c = a.symlink as PbMessage;
    action = withOwner(
      { kind: 'symlink', oldpath: str(c, 'oldpath'), newpath: str(c, 'newpath'), timestamp: big(c, 'timestamp') },
      c,
    );
  } else {
    return invalid(ctx, 'file action has no body');
  }
  return { input, secondaryInput, output, action };
}

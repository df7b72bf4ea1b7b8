/**
 * Conversion between typed vertices and `pb.Op` messages (as plain decoded objects).
 *
 * `vertexToOp` needs the digests of the vertex's inputs; `opToVertex` needs the vertices those
 * digests stand for. Both directions are total over valid LLB and keep every field, so
 * `opToVertex ∘ vertexToOp` is the identity on the wire bytes.
 */
import { DefinitionDecodeError } from '../errors.js';
import type {
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

// ----- small helpers -------------------------------------------------------------------------------

/** Sets `obj[key] = value` unless value is undefined (keeps the pb object free of undefined). */
function put(obj: PbMessage, key: string, value: unknown): void {
  if (value !== undefined) obj[key] = value;
}

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

function platformToPb(p: Platform): PbMessage {
  const out: PbMessage = {};
  put(out, 'Architecture', p.architecture);
  put(out, 'OS', p.os);
  put(out, 'Variant', p.variant);
  put(out, 'OSVersion', p.osVersion);
  if (p.osFeatures) out.OSFeatures = [...p.osFeatures];
  return out;
}

function platformFromPb(m: PbMessage): Platform {
  const p: { -readonly [K in keyof Platform]: Platform[K] } = { os: str(m, 'OS'), architecture: str(m, 'Architecture') };
  if (m.Variant !== undefined) p.variant = m.Variant as string;
  if (m.OSVersion !== undefined) p.osVersion = m.OSVersion as string;
  if (m.OSFeatures !== undefined) p.osFeatures = m.OSFeatures as string[];
  return p;
}

// ----- vertex → pb ------------------------------------------------------------------------------------

/**
 * Builds the `pb.Op` message for `v`. `digestOf` gives the digest of each input's vertex.
 */
export function vertexToOp(v: Vertex, digestOf: (vertex: Vertex) => string): PbMessage {
  const op: PbMessage = {};
  if (v.inputs.length > 0) {
    op.inputs = v.inputs.map((o) => {
      const inp: PbMessage = { digest: digestOf(o.vertex) };
      if (o.index !== 0) inp.index = o.index;
      return inp;
    });
  }
  switch (v.kind) {
    case 'source':
      op.source = sourceToPb(v);
      break;
    case 'exec':
      op.exec = execToPb(v);
      break;
    case 'file':
      if (v.link) throw new TypeError('a COPY --link file vertex must be lowered (src/lower) before it is serialized');
      op.file = { actions: v.actions.map(fileActionToPb) };
      break;
    case 'merge':
      op.merge = { inputs: v.merge.map((i) => idx({}, 'input', i)) };
      break;
    case 'diff': {
      const diff: PbMessage = {};
      if (v.lower !== undefined) diff.lower = idx({}, 'input', v.lower);
      if (v.upper !== undefined) diff.upper = idx({}, 'input', v.upper);
      op.diff = diff;
      break;
    }
    case 'build': {
      const build: PbMessage = {};
      if (v.builder !== 0) build.builder = v.builder;
      const inputs: Record<string, PbMessage> = {};
      for (const [k, i] of Object.entries(v.buildInputs)) inputs[k] = idx({}, 'input', i);
      if (Object.keys(inputs).length) build.inputs = inputs;
      put(build, 'def', v.definition);
      if (Object.keys(v.attrs).length) build.attrs = { ...v.attrs };
      op.build = build;
      break;
    }
  }
  if (v.platform) op.platform = platformToPb(v.platform);
  if (v.constraints) op.constraints = constraintsToPb(v.constraints);
  return op;
}

/** Sets an int64 index field (omitted when 0, as proto3 does). */
function idx(m: PbMessage, key: string, i: number): PbMessage {
  if (i !== 0) m[key] = i;
  return m;
}

function constraintsToPb(c: WorkerConstraints): PbMessage {
  return c.filter.length ? { filter: [...c.filter] } : {};
}

function sourceToPb(v: SourceVertex): PbMessage {
  const out: PbMessage = { identifier: v.identifier };
  if (Object.keys(v.attrs).length) out.attrs = { ...v.attrs };
  return out;
}

function execToPb(v: ExecVertex): PbMessage {
  const out: PbMessage = { meta: metaToPb(v.meta) };
  if (v.mounts.length) out.mounts = v.mounts.map(mountToPb);
  out.network = netMode.toPb(v.network);
  out.security = securityMode.toPb(v.security);
  if (v.secretEnv.length) out.secretenv = v.secretEnv.map((s) => ({ ID: s.id, name: s.name, optional: s.optional }));
  if (v.cdiDevices.length) out.cdiDevices = v.cdiDevices.map((d) => ({ name: d.name, optional: d.optional }));
  return out;
}

function metaToPb(m: ExecMeta): PbMessage {
  const out: PbMessage = { args: [...m.args], env: [...m.env], cwd: m.cwd, user: m.user };
  if (m.proxyEnv) {
    const p: PbMessage = {};
    put(p, 'http_proxy', m.proxyEnv.httpProxy);
    put(p, 'https_proxy', m.proxyEnv.httpsProxy);
    put(p, 'ftp_proxy', m.proxyEnv.ftpProxy);
    put(p, 'no_proxy', m.proxyEnv.noProxy);
    put(p, 'all_proxy', m.proxyEnv.allProxy);
    out.proxy_env = p;
  }
  if (m.extraHosts?.length) out.extraHosts = m.extraHosts.map((h) => ({ Host: h.host, IP: h.ip }));
  put(out, 'hostname', m.hostname);
  if (m.ulimits?.length) out.ulimit = m.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }));
  put(out, 'cgroupParent', m.cgroupParent);
  put(out, 'removeMountStubsRecursive', m.removeMountStubsRecursive);
  if (m.validExitCodes?.length) out.validExitCodes = [...m.validExitCodes];
  return out;
}

function secretOptToPb(s: SecretOpt): PbMessage {
  return { ID: s.id, uid: s.uid, gid: s.gid, mode: s.mode, optional: s.optional };
}

function mountToPb(m: Mount): PbMessage {
  const out: PbMessage = {
    input: m.input,
    selector: m.selector,
    dest: m.dest,
    output: m.output,
    readonly: m.readonly,
    mountType: mountType.toPb(m.type),
  };
  if (m.tmpfs) out.TmpfsOpt = { size: m.tmpfs.size };
  if (m.cache) out.cacheOpt = { ID: m.cache.id, sharing: cacheSharing.toPb(m.cache.sharing) };
  if (m.secret) out.secretOpt = secretOptToPb(m.secret);
  if (m.ssh) out.SSHOpt = secretOptToPb(m.ssh);
  put(out, 'resultID', m.resultId);
  if (m.contentCache !== undefined) out.contentCache = contentCache.toPb(m.contentCache);
  return out;
}

function userToPb(u: UserRef): PbMessage {
  if (u.kind === 'id') return { byID: u.id };
  return { byName: { name: u.name, input: u.input } };
}

function chownToPb(c: ChownOpt): PbMessage {
  const out: PbMessage = {};
  if (c.user) out.user = userToPb(c.user);
  if (c.group) out.group = userToPb(c.group);
  return out;
}

function fileActionToPb(a: FileAction): PbMessage {
  const out: PbMessage = { input: a.input, secondaryInput: a.secondaryInput, output: a.output };
  const b = a.action;
  switch (b.kind) {
    case 'copy': {
      const c: PbMessage = {
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
        include_patterns: [...b.includePatterns],
        exclude_patterns: [...b.excludePatterns],
        alwaysReplaceExistingDestPaths: b.alwaysReplaceExistingDestPaths,
        modeStr: b.modeStr,
        required_paths: [...b.requiredPaths],
      };
      if (b.owner) c.owner = chownToPb(b.owner);
      out.copy = c;
      break;
    }
    case 'mkfile': {
      const c: PbMessage = { path: b.path, mode: b.mode, data: b.data, timestamp: b.timestamp };
      if (b.owner) c.owner = chownToPb(b.owner);
      out.mkfile = c;
      break;
    }
    case 'mkdir': {
      const c: PbMessage = { path: b.path, mode: b.mode, makeParents: b.makeParents, timestamp: b.timestamp };
      if (b.owner) c.owner = chownToPb(b.owner);
      out.mkdir = c;
      break;
    }
    case 'rm':
      out.rm = { path: b.path, allowNotFound: b.allowNotFound, allowWildcard: b.allowWildcard };
      break;
    case 'symlink': {
      const c: PbMessage = { oldpath: b.oldpath, newpath: b.newpath, timestamp: b.timestamp };
      if (b.owner) c.owner = chownToPb(b.owner);
      out.symlink = c;
      break;
    }
  }
  return out;
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

function mountFromPb(m: PbMessage, ctx: OpDecodeContext): Mount {
  const out: { -readonly [K in keyof Mount]: Mount[K] } = {
    input: checkIndex(ctx, 'mount', index(m, 'input'), ctx.inputs.length, true),
    selector: str(m, 'selector'),
    dest: str(m, 'dest'),
    output: index(m, 'output'),
    readonly: bool(m, 'readonly'),
    type: enumFrom(ctx, mountType, num(m, 'mountType')),
  };
  if (Number.isNaN(out.output)) invalid(ctx, 'mount output index out of range');
  const tmpfs = sub(m, 'TmpfsOpt');
  if (tmpfs) out.tmpfs = { size: big(tmpfs, 'size') };
  const cache = sub(m, 'cacheOpt');
  if (cache) out.cache = { id: str(cache, 'ID'), sharing: enumFrom(ctx, cacheSharing, num(cache, 'sharing')) };
  const secret = sub(m, 'secretOpt');
  if (secret) out.secret = secretOptFromPb(secret);
  const ssh = sub(m, 'SSHOpt');
  if (ssh) out.ssh = secretOptFromPb(ssh);
  if (m.resultID !== undefined) out.resultId = m.resultID as string;
  if (m.contentCache !== undefined) out.contentCache = enumFrom(ctx, contentCache, m.contentCache as number);
  return out;
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

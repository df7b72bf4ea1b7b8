/**
 * The op of a vertex written straight to bytes, for the common vertices of a compile (source,
 * exec, file and merge ops without the rarer options): the bytes `encodeOp(vertexToOp(v))` writes,
 * without building the `pb.Op` message objects in between.
 *
 * Like the generated encoders (pb/fast.ts), this path never decides what is valid: it runs
 * {@link checkVertex} first and gives up ({@link bail}) on anything it does not write itself (a
 * diff or build op, proxy env, extra hosts, ulimits, valid exit codes, secret env, CDI devices, an
 * unlowered `COPY --link`, a value of an unexpected type). The caller then takes the general path
 * (`vertexToOp` and the generated encoder, with the reflective codec behind it), which writes the
 * same bytes or throws its located error. Every field is written with the generated encoders'
 * rules: schema order, zero values and `undefined` left out, the same value checks.
 */
import type { ChownOpt, ExecMeta, FileAction, Mount, Platform, UserRef, Vertex } from '../graph/types.js';
import { checkVertex, enumsToPb } from './op.js';
import { bail, type FastWriter, list, message, sortedKeys } from './pb/fast.js';

/**
 * Writes the `pb.Op` of `v` to `w`, or throws (most often {@link bail}) with `w` partly written:
 * the caller rewinds it and takes the general path.
 */
export function writeVertexOp(w: FastWriter, v: Vertex, digestOf: (vertex: Vertex) => string): void {
  checkVertex(v);
  const inputs = v.inputs;
  if (!isList(inputs)) bail();
  for (let i = 0; i < inputs.length; i++) {
    const o = inputs[i];
    w.byte(0x0a);
    const at = w.fork();
    const digest = digestOf(o.vertex);
    if (digest !== '') {
      w.byte(0x0a);
      w.string(digest);
    }
    int64(w, 0x10, o.index);
    w.join(at);
  }
  if (v.platform) {
    w.byte(0x52);
    const at = w.fork();
    writePlatform(w, v.platform);
    w.join(at);
  }
  if (v.constraints) {
    w.byte(0x5a);
    const at = w.fork();
    const filter = v.constraints.filter;
    if (filter.length) strings(w, 0x0a, filter);
    w.join(at);
  }
  switch (v.kind) {
    case 'exec': {
      w.byte(0x12);
      const at = w.fork();
      w.byte(0x0a);
      const meta = w.fork();
      writeMeta(w, v.meta);
      w.join(meta);
      const mounts = v.mounts;
      if (mounts.length) {
        for (let i = 0; i < mounts.length; i++) {
          w.byte(0x12);
          const m = w.fork();
          writeMount(w, mounts[i]);
          w.join(m);
        }
      }
      enumValue(w, 0x18, enumsToPb.netMode(v.network));
      enumValue(w, 0x20, enumsToPb.securityMode(v.security));
      if (v.secretEnv.length || v.cdiDevices.length) bail();
      w.join(at);
      return;
    }
    case 'source': {
      w.byte(0x1a);
      const at = w.fork();
      str(w, 0x0a, v.identifier);
      const attrs = v.attrs;
      if (Object.keys(attrs).length) {
        const map = message(attrs);
        const keys = sortedKeys(map);
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i];
          w.byte(0x12);
          const entry = w.fork();
          w.byte(0x0a);
          w.string(k);
          w.byte(0x12);
          w.string(map[k]);
          w.join(entry);
        }
      }
      w.join(at);
      return;
    }
    case 'file': {
      if (v.link) bail();
      w.byte(0x22);
      const at = w.fork();
      const actions = v.actions;
      for (let i = 0; i < actions.length; i++) {
        w.byte(0x12);
        const a = w.fork();
        writeFileAction(w, actions[i]);
        w.join(a);
      }
      w.join(at);
      return;
    }
    case 'merge': {
      w.byte(0x32);
      const at = w.fork();
      const merge = v.merge;
      if (!isList(merge)) bail();
      for (let i = 0; i < merge.length; i++) {
        w.byte(0x0a);
        const m = w.fork();
        int64(w, 0x08, merge[i]);
        w.join(m);
      }
      w.join(at);
      return;
    }
    default:
      // diff and build ops (and anything else) take the general path.
      return bail();
  }
}

/** Array.isArray without narrowing a typed list to `any[]`. */
function isList(x: unknown): boolean {
  return Array.isArray(x);
}

// ----- fields, with the generated encoders' rules ---------------------------------------------------

/** A string field: left out when `undefined` or empty. */
function str(w: FastWriter, key: number, v: unknown): void {
  if (v !== undefined && v !== '') {
    w.byte(key);
    w.string(v);
  }
}

/** A repeated string field (a list, every item written). */
function strings(w: FastWriter, key: number, v: unknown): void {
  if (v === undefined) return;
  const items = list(v);
  for (let i = 0; i < items.length; i++) {
    w.byte(key);
    w.string(items[i]);
  }
}

/** An int64 field: left out when `undefined` or zero. */
function int64(w: FastWriter, key: number, v: unknown): void {
  if (v !== undefined && v !== 0 && v !== 0n) {
    w.byte(key);
    w.int64(v);
  }
}

/** An int32 field: left out when `undefined` or zero. */
function int32(w: FastWriter, key: number, v: unknown): void {
  if (v !== undefined && v !== 0) {
    w.byte(key);
    w.int32(v);
  }
}

/** A uint32 field: left out when `undefined` or zero. */
function uint32(w: FastWriter, key: number, v: unknown): void {
  if (v !== undefined && v !== 0) {
    w.byte(key);
    w.uint32(v);
  }
}

/** An enum field (an int32 on the wire). */
const enumValue = int32;

/** A bool field: left out when `undefined` or false. */
function bool(w: FastWriter, key: number, v: unknown): void {
  if (v !== undefined && v !== false) {
    w.byte(key);
    w.bool(v);
  }
}

// ----- messages -----------------------------------------------------------------------------------

function writePlatform(w: FastWriter, p: Platform): void {
  str(w, 0x0a, p.architecture);
  str(w, 0x12, p.os);
  str(w, 0x1a, p.variant);
  str(w, 0x22, p.osVersion);
  if (p.osFeatures) strings(w, 0x2a, p.osFeatures);
}

function writeMeta(w: FastWriter, m: ExecMeta): void {
  if (m.proxyEnv || m.extraHosts?.length || m.ulimits?.length || m.validExitCodes?.length) bail();
  strings(w, 0x0a, m.args);
  strings(w, 0x12, m.env);
  str(w, 0x1a, m.cwd);
  str(w, 0x22, m.user);
  str(w, 0x3a, m.hostname);
  str(w, 0x52, m.cgroupParent);
  bool(w, 0x58, m.removeMountStubsRecursive);
}

function writeMount(w: FastWriter, m: Mount): void {
  int64(w, 0x08, m.input);
  str(w, 0x12, m.selector);
  str(w, 0x1a, m.dest);
  int64(w, 0x20, m.output);
  bool(w, 0x28, m.readonly);
  enumValue(w, 0x30, enumsToPb.mountType(m.type));
  switch (m.type) {
    case 'bind':
      break;
    case 'tmpfs': {
      w.byte2(0x9a, 0x01);
      const at = w.fork();
      int64(w, 0x08, m.tmpfs.size);
      w.join(at);
      break;
    }
    case 'cache': {
      w.byte2(0xa2, 0x01);
      const at = w.fork();
      str(w, 0x0a, m.cache.id);
      enumValue(w, 0x10, enumsToPb.cacheSharing(m.cache.sharing));
      w.join(at);
      break;
    }
    case 'secret':
    case 'ssh': {
      const s = m.type === 'secret' ? m.secret : m.ssh;
      if (m.type === 'secret') w.byte2(0xaa, 0x01);
      else w.byte2(0xb2, 0x01);
      const at = w.fork();
      str(w, 0x0a, s.id);
      uint32(w, 0x10, s.uid);
      uint32(w, 0x18, s.gid);
      uint32(w, 0x20, s.mode);
      bool(w, 0x28, s.optional);
      w.join(at);
      break;
    }
    default:
      return bail();
  }
  if (m.resultId !== undefined && m.resultId !== '') {
    w.byte2(0xba, 0x01);
    w.string(m.resultId);
  }
  if (m.contentCache !== undefined) {
    const cc = enumsToPb.contentCache(m.contentCache);
    if (cc !== undefined && cc !== 0) {
      w.byte2(0xc0, 0x01);
      w.int32(cc);
    }
  }
}

function writeFileAction(w: FastWriter, a: FileAction): void {
  int64(w, 0x08, a.input);
  int64(w, 0x10, a.secondaryInput);
  int64(w, 0x18, a.output);
  const b = a.action;
  switch (b.kind) {
    case 'copy': {
      w.byte(0x22);
      const at = w.fork();
      str(w, 0x0a, b.src);
      str(w, 0x12, b.dest);
      if (b.owner) writeChown(w, 0x1a, b.owner);
      int32(w, 0x20, b.mode);
      bool(w, 0x28, b.followSymlink);
      bool(w, 0x30, b.dirCopyContents);
      bool(w, 0x38, b.attemptUnpackDockerCompatibility);
      bool(w, 0x40, b.createDestPath);
      bool(w, 0x48, b.allowWildcard);
      bool(w, 0x50, b.allowEmptyWildcard);
      int64(w, 0x58, b.timestamp);
      strings(w, 0x62, b.includePatterns);
      strings(w, 0x6a, b.excludePatterns);
      bool(w, 0x70, b.alwaysReplaceExistingDestPaths);
      str(w, 0x7a, b.modeStr);
      const required = b.requiredPaths;
      if (required !== undefined) {
        const items = list(required);
        for (let i = 0; i < items.length; i++) {
          w.byte2(0x82, 0x01);
          w.string(items[i]);
        }
      }
      w.join(at);
      return;
    }
    case 'mkfile': {
      w.byte(0x2a);
      const at = w.fork();
      str(w, 0x0a, b.path);
      int32(w, 0x10, b.mode);
      const data: unknown = b.data;
      if (data !== undefined) {
        if (!(data instanceof Uint8Array)) bail();
        if (data.length !== 0) {
          w.byte(0x1a);
          w.bytes(data);
        }
      }
      if (b.owner) writeChown(w, 0x22, b.owner);
      int64(w, 0x28, b.timestamp);
      w.join(at);
      return;
    }
    case 'mkdir': {
      w.byte(0x32);
      const at = w.fork();
      str(w, 0x0a, b.path);
      int32(w, 0x10, b.mode);
      bool(w, 0x18, b.makeParents);
      if (b.owner) writeChown(w, 0x22, b.owner);
      int64(w, 0x28, b.timestamp);
      w.join(at);
      return;
    }
    case 'rm': {
      w.byte(0x3a);
      const at = w.fork();
      str(w, 0x0a, b.path);
      bool(w, 0x10, b.allowNotFound);
      bool(w, 0x18, b.allowWildcard);
      w.join(at);
      return;
    }
    case 'symlink': {
      w.byte(0x42);
      const at = w.fork();
      str(w, 0x0a, b.oldpath);
      str(w, 0x12, b.newpath);
      if (b.owner) writeChown(w, 0x1a, b.owner);
      int64(w, 0x20, b.timestamp);
      w.join(at);
      return;
    }
    default:
      return bail();
  }
}

function writeChown(w: FastWriter, key: number, c: ChownOpt): void {
  w.byte(key);
  const at = w.fork();
  if (c.user) writeUser(w, 0x0a, c.user);
  if (c.group) writeUser(w, 0x12, c.group);
  w.join(at);
}

function writeUser(w: FastWriter, key: number, u: UserRef): void {
  w.byte(key);
  const at = w.fork();
  switch (u.kind) {
    case 'id':
      if (u.id === undefined) break;
      w.byte(0x10);
      w.uint32(u.id);
      break;
    case 'name': {
      w.byte(0x0a);
      const named = w.fork();
      str(w, 0x0a, u.name);
      int64(w, 0x10, u.input);
      w.join(named);
      break;
    }
    default:
      return bail();
  }
  w.join(at);
}

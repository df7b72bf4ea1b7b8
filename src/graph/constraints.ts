/**
 * Per-vertex options shared by every builder of the graph API: platform, step name, description,
 * cache flags, progress group and source locations. They turn into a vertex's platform,
 * metadata and locations exactly as BuildKit's constraint options do.
 */
import { none } from '../util/arrays.js';
import type { Platform, ProgressGroup, VertexLocation, VertexMetadata, WorkerConstraints } from './types.js';

/** Options accepted by every vertex builder. */
export interface ConstraintsOptions {
  /** The platform of the vertex (platform-neutral ops ignore it). */
  readonly platform?: Platform;
  /** The progress name (`llb.customname`). */
  readonly customName?: string;
  /** Extra description entries. */
  readonly description?: Readonly<Record<string, string>>;
  readonly ignoreCache?: boolean;
  readonly progressGroup?: ProgressGroup;
  /** Source ranges this vertex comes from. */
  readonly locations?: readonly VertexLocation[];
  /** Worker constraint filters. */
  readonly workerConstraints?: readonly string[];
}

/** Capability names BuildKit records in op metadata. */
export const Caps = {
  sourceImage: 'source.image',
  sourceLocal: 'source.local',
  sourceLocalUnique: 'source.local.unique',
  sourceLocalSessionId: 'source.local.sessionid',
  sourceLocalIncludePatterns: 'source.local.includepatterns',
  sourceLocalFollowPaths: 'source.local.followpaths',
  sourceLocalExcludePatterns: 'source.local.excludepatterns',
  sourceLocalSharedKeyHint: 'source.local.sharedkeyhint',
  sourceGit: 'source.git',
  sourceGitKeepDir: 'source.git.keepgitdir',
  sourceGitFullUrl: 'source.git.fullurl',
  sourceGitHttpAuth: 'source.git.httpauth',
  sourceGitKnownSshHosts: 'source.git.knownsshhosts',
  sourceGitMountSshSock: 'source.git.mountsshsock',
  sourceGitChecksum: 'source.git.checksum',
  sourceGitSkipSubmodules: 'source.git.skipsubmodules',
  sourceGitMtime: 'source.git.mtime',
  sourceGitFetchByCommit: 'source.git.fetchbycommit',
  sourceHttp: 'source.http',
  sourceHttpChecksum: 'source.http.checksum',
  sourceHttpPerm: 'source.http.perm',
  sourceHttpUidGid: 'source.http.uidgid',
  sourceHttpAuth: 'source.http.auth',
  sourceOciLayout: 'source.ocilayout',
  execMetaBase: 'exec.meta.base',
  execMetaNetwork: 'exec.meta.network',
  execMetaProxy: 'exec.meta.proxyenv',
  execMetaSecurity: 'exec.meta.security',
  execMetaSetsDefaultPath: 'exec.meta.setsdefaultpath',
  execMetaUlimit: 'exec.meta.ulimit',
  execMetaCgroupParent: 'exec.meta.cgroup.parent',
  execMetaCdi: 'exec.cdi',
  execMountBind: 'exec.mount.bind',
  execMountCache: 'exec.mount.cache',
  execMountCacheSharing: 'exec.mount.cache.sharing',
  execMountSelector: 'exec.mount.selector',
  execMountTmpfs: 'exec.mount.tmpfs',
  execMountTmpfsSize: 'exec.mount.tmpfs.size',
  execMountSecret: 'exec.mount.secret',
  execMountSsh: 'exec.mount.ssh',
  execMountContentCache: 'exec.mount.contentcache',
  execSecretEnv: 'exec.secretenv',
  execValidExitCode: 'exec.validexitcode',
  fileBase: 'file.base',
  mergeOp: 'mergeop',
  diffOp: 'diffop',
} as const;

/** Builds the metadata of a vertex from its options and the capabilities it needs. */
export function buildMetadata(opts: ConstraintsOptions, caps: Iterable<string>): VertexMetadata {
  const md: { -readonly [K in keyof VertexMetadata]: VertexMetadata[K] } = {};
  if (opts.ignoreCache) md.ignoreCache = true;
  // Counted as they are added rather than with Object.keys: this runs for every vertex.
  let description: Record<string, string> | undefined;
  if (opts.description) {
    for (const k in opts.description) {
      if (!Object.hasOwn(opts.description, k)) continue;
      (description ??= {})[k] = opts.description[k];
    }
  }
  if (opts.customName !== undefined) (description ??= {})['llb.customname'] = opts.customName;
  if (description) md.description = description;
  // Indexed over a list (most vertices): no iterator objects for a loop run once per vertex.
  let capMap: Record<string, boolean> | undefined;
  if (Array.isArray(caps)) {
    const list = caps as readonly string[];
    for (let i = 0; i < list.length; i++) (capMap ??= {})[list[i]] = true;
  } else {
    for (const c of caps) (capMap ??= {})[c] = true;
  }
  if (capMap) md.caps = capMap;
  if (opts.progressGroup) md.progressGroup = opts.progressGroup;
  return md;
}

/** The worker constraints BuildKit writes on every op (possibly empty). */
export function workerConstraints(opts: ConstraintsOptions): WorkerConstraints {
  const filter = opts.workerConstraints;
  return filter && filter.length > 0 ? { filter: [...filter] } : NO_CONSTRAINTS;
}

/** The constraints of almost every vertex: none. Shared and frozen (the graph is read-only). */
const NO_CONSTRAINTS: WorkerConstraints = Object.freeze({ filter: none<string>() });

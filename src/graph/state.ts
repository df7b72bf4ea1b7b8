/**
 * An immutable build state, like BuildKit's `llb.State`: an output of the graph (or scratch)
 * plus the values later operations use (environment, working directory, user, platform, network
 * and security mode). Every method returns a new State.
 *
 * Builders here produce vertices with BuildKit's exact fields, capabilities and metadata, so
 * a graph assembled by hand serializes to the bytes BuildKit's Go client would produce.
 */
import { normalizePlatform } from '../image/platform.js';
import { goJsonStringArray } from '../util/gojson.js';
import { isAbs, join } from '../util/posix-path.js';
import { buildMetadata, type ConstraintsOptions, Caps, workerConstraints } from './constraints.js';
import type { NetMode, Output, Platform, SecurityMode, SourceVertex, Vertex } from './types.js';
import type { Building } from '../util/building.js';
import { fit, none } from '../util/arrays.js';

/** An ordered environment: setting a variable moves it to the end, as in BuildKit. */
export type EnvList = readonly (readonly [string, string])[];

export function envGet(env: EnvList, key: string): string | undefined {
  if (env.length > 32) return envIndex(env).get(key);
  for (const [k, v] of env) if (k === key) return v;
  return undefined;
}

/** Lookup tables of long env lists, built once per list (lists are never mutated). */
const envIndexes = new WeakMap<EnvList, ReadonlyMap<string, string>>();

function envIndex(env: EnvList): ReadonlyMap<string, string> {
  let m = envIndexes.get(env);
  if (!m) {
    // The first entry of a key is the one a scan finds, should a list repeat a key.
    const first = new Map<string, string>();
    for (const [k, v] of env) if (!first.has(k)) first.set(k, v);
    envIndexes.set(env, (m = first));
  }
  return m;
}

export function envAddOrReplace(env: EnvList, key: string, value: string): EnvList {
  // A plain loop and slices: this runs for every ENV and ARG, on lists that can be long.
  let i = 0;
  while (i < env.length && env[i][0] !== key) i++;
  const out = i === env.length ? env.slice() : env.slice(0, i).concat(env.slice(i + 1));
  out.push([key, value]);
  return out;
}

export function envToArray(env: EnvList): string[] {
  return env.map(([k, v]) => `${k}=${v}`);
}

/** The values a State carries besides its output. */
export interface StateValues {
  readonly env: EnvList;
  readonly dir: string;
  readonly user: string;
  readonly args?: readonly string[];
  readonly platform?: Platform;
  readonly network?: NetMode;
  readonly security?: SecurityMode;
  readonly hostname: string;
}

interface Rest {
  dir: string;
  user: string;
  hostname: string;
  args: readonly string[] | undefined;
  platform: Platform | undefined;
  network: NetMode | undefined;
  security: SecurityMode | undefined;
}

/** Every field present (undefined when unset), so that every state's values have one shape. */
const initialRest: Rest = { dir: '/', user: '', hostname: '', args: undefined, platform: undefined, network: undefined, security: undefined };


/**
 * Where a State's environment comes from: a list, or a list plus variables set since. A long
 * run of ENV/ARG steps then costs O(1) each; the list is built when someone reads it (a RUN),
 * from the nearest ancestor that has one.
 */
interface EnvSource {
  list?: EnvList;
  /** Dropped once `list` is built, so that ancestors can be collected. */
  parent?: EnvSource;
  readonly key?: string;
  readonly value?: string;
  /** Variables set since the nearest built list, and that list's length. */
  readonly pending: number;
  readonly baseLength: number;
}

function envList(src: EnvSource): EnvList {
  if (src.list) return src.list;
  const ops: EnvSource[] = [];
  let base: EnvSource = src;
  while (!base.list && base.parent) {
    ops.push(base);
    base = base.parent;
  }
  // A Map keeps the order EnvList has: setting a key again moves it to the end.
  const m = new Map(base.list ?? []);
  for (let i = ops.length - 1; i >= 0; i--) {
    m.delete(ops[i].key!);
    m.set(ops[i].key!, ops[i].value!);
  }
  src.list = [...m];
  src.parent = undefined;
  return src.list;
}

function envLookup(src: EnvSource, key: string): string | undefined {
  // Past about 4·sqrt(list length) pending variables, build the list: lookups stay short, and
  // rebuilding is paid once per that many steps.
  if (!src.list && src.pending > Math.max(64, 4 * Math.sqrt(src.baseLength))) envList(src);
  for (let s: EnvSource | undefined = src; s; s = s.parent) {
    if (s.list) return envGet(s.list, key);
    if (s.key === key) return s.value;
  }
  return undefined;
}

/**
 * A filesystem (an op's output, or scratch) plus the values later steps inherit: environment,
 * working directory, user, platform, network and security modes. Immutable: every method
 * returns a new State.
 */
export class State {
  private cachedValues: StateValues | undefined;

  private constructor(
    /** The output this state stands for; `undefined` is scratch. */
    readonly output: Output | undefined,
    private readonly rest: Readonly<Rest>,
    private readonly envSource: EnvSource,
  ) {}

  /** The values carried besides the output (the environment list is built on first read). */
  get values(): StateValues {
    if (this.cachedValues) return this.cachedValues;
    const r = this.rest;
    // Written out rather than spread: every State's values then share one shape.
    this.cachedValues = {
      env: envList(this.envSource),
      dir: r.dir,
      user: r.user,
      hostname: r.hostname,
      args: r.args,
      platform: r.platform,
      network: r.network,
      security: r.security,
    };
    return this.cachedValues;
  }

  /** @internal The working directory: `values.dir` without building the environment list. */
  get cwd(): string {
    return this.rest.dir;
  }

  /** @internal The platform: `values.platform` without building the environment list. */
  get platformValue(): Platform | undefined {
    return this.rest.platform;
  }

  /** The empty filesystem. */
  static scratch(): State {
    return new State(undefined, initialRest, { list: [], pending: 0, baseLength: 0 });
  }

  /** A fresh state for an output: working directory `/`, and the output's platform if it has one. */
  static of(output: Output | undefined): State {
    return State.scratch().withOutput(output);
  }

  get isScratch(): boolean {
    return this.output === undefined;
  }

  /** This state with one value replaced (copied field by field: no spread, one shape). */
  private with<K extends keyof Rest>(key: K, value: Rest[K]): State {
    const r = this.rest;
    const next: Rest = { dir: r.dir, user: r.user, hostname: r.hostname, args: r.args, platform: r.platform, network: r.network, security: r.security };
    next[key] = value;
    return new State(this.output, next, this.envSource);
  }

  /** The same values on another output (and that output's platform, if it carries one). */
  withOutput(output: Output | undefined): State {
    let s = new State(output, this.rest, this.envSource);
    const p = output?.vertex.outputPlatform;
    if (p) s = s.platform(p);
    return s;
  }

  addEnv(key: string, value: string): State {
    const parent = this.envSource;
    const [pending, baseLength] = parent.list ? [1, parent.list.length] : [parent.pending + 1, parent.baseLength];
    return new State(this.output, this.rest, { parent, key, value, pending, baseLength });
  }

  getEnv(key: string): string | undefined {
    return envLookup(this.envSource, key);
  }

  /** The names of the environment variables, in order. */
  envKeys(): string[] {
    return envList(this.envSource).map(([k]) => k);
  }

  /** Sets the working directory; a relative path is resolved against the current one. */
  dir(path: string): State {
    const next = isAbs(path) ? path : join(this.rest.dir || '/', path);
    return this.with('dir', next);
  }

  user(user: string): State {
    return this.with('user', user);
  }

  hostname(hostname: string): State {
    return this.with('hostname', hostname);
  }

  platform(p: Platform): State {
    return this.with('platform', normalizePlatform(p));
  }

  network(network: NetMode): State {
    return this.with('network', network);
  }

  security(security: SecurityMode): State {
    return this.with('security', security);
  }

  args(args: readonly string[]): State {
    return this.with('args', args);
  }
}

// ----- sources -----------------------------------------------------------------------------------

/**
 * A source vertex. `outputPlatform` (already normalized) is the platform of a platform-specific
 * source: written as the op's platform and carried by its outputs (image and OCI-layout sources).
 */
function sourceVertex(identifier: string, attrs: Record<string, string>, caps: string[], opts: ConstraintsOptions, outputPlatform?: Platform): SourceVertex {
  // Field by field in a fixed order rather than spreads of optional fields: one per FROM.
  const v: Building<SourceVertex> = { kind: 'source', identifier, attrs, inputs: none() };
  if (outputPlatform) v.platform = outputPlatform;
  v.constraints = workerConstraints(opts);
  v.metadata = buildMetadata(opts, caps);
  v.locations = opts.locations ?? [];
  if (outputPlatform) v.outputPlatform = outputPlatform;
  return v as SourceVertex;
}

/** Options of {@link image}. */
export interface ImageOptions extends ConstraintsOptions {
  /** `default`, `pull` or `local`; written as `image.resolvemode` when not default. */
  readonly resolveMode?: 'default' | 'pull' | 'local';
}

/**
 * A registry image, `docker-image://REF`. `ref` should be normalized (`docker.io/library/…`,
 * with a tag and possibly a digest); the frontend pins it as `name:tag@digest`.
 */
export function image(ref: string, opts: ImageOptions = {}): State {
  const attrs: Record<string, string> = {};
  const caps: string[] = [Caps.sourceImage];
  if (opts.resolveMode && opts.resolveMode !== 'default') {
    attrs['image.resolvemode'] = opts.resolveMode;
    if (opts.resolveMode === 'pull') caps.push('source.image.resolvemode');
  }
  const platform = opts.platform ? normalizePlatform(opts.platform) : undefined;
  const v = sourceVertex(`docker-image://${ref}`, attrs, caps, opts, platform);
  return State.of({ vertex: v, index: 0 });
}

/** Options of {@link local}. */
export interface LocalOptions extends ConstraintsOptions {
  readonly sessionId?: string;
  readonly includePatterns?: readonly string[];
  readonly followPaths?: readonly string[];
  readonly excludePatterns?: readonly string[];
  readonly sharedKeyHint?: string;
  /** Written as `local.unique` when there is no session id. */
  readonly localUniqueId?: string;
}

/** A directory sent by the client, `local://NAME` (the build context is `local://context`). */
export function local(name: string, opts: LocalOptions = {}): State {
  const attrs: Record<string, string> = {};
  const caps: string[] = [];
  if (opts.sessionId) {
    attrs['local.session'] = opts.sessionId;
    caps.push(Caps.sourceLocalSessionId);
  }
  if (opts.includePatterns?.length) {
    attrs['local.includepattern'] = goJsonStringArray(opts.includePatterns);
    caps.push(Caps.sourceLocalIncludePatterns);
  }
  if (opts.followPaths?.length) {
    attrs['local.followpaths'] = goJsonStringArray(opts.followPaths);
    caps.push(Caps.sourceLocalFollowPaths);
  }
  if (opts.excludePatterns?.length) {
    attrs['local.excludepatterns'] = goJsonStringArray(opts.excludePatterns);
    caps.push(Caps.sourceLocalExcludePatterns);
  }
  if (opts.sharedKeyHint) {
    attrs['local.sharedkeyhint'] = opts.sharedKeyHint;
    caps.push(Caps.sourceLocalSharedKeyHint);
  }
  caps.push(Caps.sourceLocal);
  if (!opts.sessionId && opts.localUniqueId !== undefined) {
    attrs['local.unique'] = opts.localUniqueId;
    caps.push(Caps.sourceLocalUnique);
  }
  return State.of({ vertex: sourceVertex(`local://${name}`, attrs, caps, opts), index: 0 });
}

/** Options of {@link http}. */
export interface HttpOptions extends ConstraintsOptions {
  /** `sha256:…` the download must match. */
  readonly checksum?: string;
  readonly filename?: string;
  readonly perm?: number;
  readonly uid?: number;
  readonly gid?: number;
}

/** A file downloaded over HTTP(S); the identifier is the URL itself. */
export function http(url: string, opts: HttpOptions = {}): State {
  const attrs: Record<string, string> = {};
  const caps: string[] = [];
  if (opts.checksum) {
    attrs['http.checksum'] = opts.checksum;
    caps.push(Caps.sourceHttpChecksum);
  }
  if (opts.filename) attrs['http.filename'] = opts.filename;
  if (opts.perm) {
    attrs['http.perm'] = `0${(opts.perm & 0o777).toString(8)}`;
    caps.push(Caps.sourceHttpPerm);
  }
  if (opts.uid) {
    attrs['http.uid'] = String(opts.uid);
    caps.push(Caps.sourceHttpUidGid);
  }
  if (opts.gid) {
    attrs['http.gid'] = String(opts.gid);
    caps.push(Caps.sourceHttpUidGid);
  }
  caps.push(Caps.sourceHttp);
  return State.of({ vertex: sourceVertex(url, attrs, caps, opts), index: 0 });
}

/** Options of {@link git}. */
export interface GitOptions extends ConstraintsOptions {
  readonly keepGitDir?: boolean;
  readonly checksum?: string;
  readonly skipSubmodules?: boolean;
  /** Secret names for HTTP auth (BuildKit's defaults are GIT_AUTH_TOKEN and GIT_AUTH_HEADER). */
  readonly authTokenSecret?: string;
  readonly authHeaderSecret?: string;
  readonly knownSshHosts?: string;
  readonly mountSshSock?: string;
  /** File times: `checkout` (BuildKit's default) or `commit` (`git.mtime`). */
  readonly mtime?: string;
  /** Trust `checksum` as the commit to fetch (`git.fetchbycommit`). */
  readonly fetchByCommit?: boolean;
}

/** Where a git source points: the LLB identifier and the remote URL git fetches. */
export interface GitSource {
  /** `git://HOST/PATH[#REF[:SUBDIR]]`: the same for every protocol reaching one repository. */
  readonly identifier: string;
  /** The URL as given to git (`git.fullurl`). */
  readonly fullUrl: string;
  /** True for SSH remotes: the agent socket is mounted and known hosts are checked. */
  readonly ssh: boolean;
}

/** A git repository checkout. Build `source` with the frontend's `gitLlbSource`. */
export function git(source: GitSource, opts: GitOptions = {}): State {
  const attrs: Record<string, string> = {};
  const caps: string[] = [];
  if (opts.keepGitDir) {
    attrs['git.keepgitdir'] = 'true';
    caps.push(Caps.sourceGitKeepDir);
  }
  if (source.fullUrl) {
    attrs['git.fullurl'] = source.fullUrl;
    caps.push(Caps.sourceGitFullUrl);
  }
  attrs['git.authtokensecret'] = opts.authTokenSecret ?? 'GIT_AUTH_TOKEN';
  attrs['git.authheadersecret'] = opts.authHeaderSecret ?? 'GIT_AUTH_HEADER';
  if (opts.authTokenSecret || opts.authHeaderSecret) caps.push(Caps.sourceGitHttpAuth);
  if (source.ssh) {
    if (opts.knownSshHosts) attrs['git.knownsshhosts'] = opts.knownSshHosts;
    caps.push(Caps.sourceGitKnownSshHosts);
    attrs['git.mountsshsock'] = opts.mountSshSock || 'default';
    caps.push(Caps.sourceGitMountSshSock);
  }
  if (opts.checksum) {
    attrs['git.checksum'] = opts.checksum;
    caps.push(Caps.sourceGitChecksum);
  }
  if (opts.skipSubmodules) {
    attrs['git.skipsubmodules'] = 'true';
    caps.push(Caps.sourceGitSkipSubmodules);
  }
  if (opts.mtime) {
    attrs['git.mtime'] = opts.mtime;
    caps.push(Caps.sourceGitMtime);
  }
  if (opts.fetchByCommit) {
    attrs['git.fetchbycommit'] = 'true';
    caps.push(Caps.sourceGitFetchByCommit);
  }
  caps.push(Caps.sourceGit);
  return State.of({ vertex: sourceVertex(source.identifier, attrs, caps, opts), index: 0 });
}

/** An image from an OCI layout store, `oci-layout://REF`. */
export function ociLayout(ref: string, opts: ConstraintsOptions & { sessionId?: string; storeId?: string } = {}): State {
  const attrs: Record<string, string> = {};
  if (opts.sessionId) attrs['oci.session'] = opts.sessionId;
  if (opts.storeId) attrs['oci.store'] = opts.storeId;
  const platform = opts.platform ? normalizePlatform(opts.platform) : undefined;
  const v = sourceVertex(`oci-layout://${ref}`, attrs, [Caps.sourceOciLayout], opts, platform);
  return State.of({ vertex: v, index: 0 });
}

// ----- merge / diff ------------------------------------------------------------------------------

/**
 * Layers states on top of each other. Scratch inputs are dropped; merging nothing gives scratch
 * and merging one state gives that state, without a merge op (as BuildKit does).
 */
export function merge(states: readonly State[], opts: ConstraintsOptions = {}): State {
  const inputs: Output[] = [];
  for (const s of states) if (s.output) inputs.push(s.output);
  if (inputs.length === 0) return State.scratch();
  if (inputs.length === 1) return states.find((s) => s.output)!.withOutput(inputs[0]);
  const v: Vertex = {
    kind: 'merge',
    inputs: fit(inputs),
    merge: inputs.map((_, i) => i),
    constraints: workerConstraints(opts),
    metadata: buildMetadata(opts, [Caps.mergeOp]),
    locations: opts.locations ?? [],
  };
  return states[0].withOutput({ vertex: v, index: 0 });
}

/** The changes that turn `lower` into `upper`. */
export function diff(lower: State, upper: State, opts: ConstraintsOptions = {}): State {
  const inputs: Output[] = [];
  let lowerIndex: number | undefined;
  let upperIndex: number | undefined;
  if (lower.output) lowerIndex = inputs.push(lower.output) - 1;
  if (upper.output) upperIndex = lower.output === upper.output ? lowerIndex : inputs.push(upper.output) - 1;
  const v: Vertex = {
    kind: 'diff',
    inputs: fit(inputs),
    ...(lowerIndex !== undefined ? { lower: lowerIndex } : { lower: -1 }),
    ...(upperIndex !== undefined ? { upper: upperIndex } : { upper: -1 }),
    constraints: workerConstraints(opts),
    metadata: buildMetadata(opts, [Caps.diffOp]),
    locations: opts.locations ?? [],
  };
  return upper.withOutput({ vertex: v, index: 0 });
}

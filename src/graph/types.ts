/**
 * The typed LLB op graph.
 *
 * A graph is made of immutable {@link Vertex} objects that point at their inputs directly
 * ({@link Output} = vertex + output index). Each vertex kind mirrors one LLB op, field for field,
 * so that encoding a vertex gives exactly the bytes BuildKit would produce, and decoding a
 * Definition gives back a graph that encodes to the same bytes. Scratch (the empty filesystem)
 * is not a vertex: it is written as input index `-1`.
 *
 * Index conventions follow LLB: `inputs` is the op's ordered input list; mounts, file actions and
 * merge inputs refer to entries of that list by position.
 */
import type { Platform } from '../image/types.js';

export type { Platform };

/** One output of a vertex: what an edge of the graph points at. */
export interface Output {
  readonly vertex: Vertex;
  readonly index: number;
}

/** `filter` expressions restricting which workers may run a vertex. */
export interface WorkerConstraints {
  readonly filter: readonly string[];
}

/** A progress group: vertices sharing an id are shown together by BuildKit's progress UI. */
export interface ProgressGroup {
  readonly id: string;
  readonly name: string;
  readonly weak: boolean;
}

/** Metadata of a vertex. It is not part of the op bytes, so it never changes a digest. */
export interface VertexMetadata {
  readonly ignoreCache?: boolean;
  /** Free text; BuildKit reads `llb.customname` as the step name. */
  readonly description?: Readonly<Record<string, string>>;
  readonly exportCache?: { readonly value: boolean };
  /** LLB capabilities the op needs (`source.image`, `exec.mount.cache`, …). */
  readonly caps?: Readonly<Record<string, boolean>>;
  readonly progressGroup?: ProgressGroup;
}

/** A position in a source file: 1-based line; `character` is 0 when only lines are known. */
export interface SourcePosition {
  readonly line: number;
  readonly character: number;
}

export interface SourceRangeLLB {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

/** Where a vertex comes from: ranges of one source file (an index into the graph's sources). */
export interface VertexLocation {
  readonly sourceIndex: number;
  readonly ranges: readonly SourceRangeLLB[];
}

/** A source file referenced by locations, usually the Dockerfile. */
export interface SourceInfo {
  readonly filename: string;
  readonly data: Uint8Array;
  readonly language?: string;
}

interface VertexBase {
  /** The op's ordered input list. */
  readonly inputs: readonly Output[];
  /** Absent on platform-neutral ops (file, merge). */
  readonly platform?: Platform;
  /** BuildKit always sets this (possibly empty). */
  readonly constraints?: WorkerConstraints;
  readonly metadata?: VertexMetadata;
  /**
   * Source-map locations. `undefined` means the vertex adds no source-map entry; an empty array
   * means it adds an entry without ranges (BuildKit does this for context, git and http sources).
   */
  readonly locations?: readonly VertexLocation[];
  /**
   * The platform the vertex's outputs carry into the states built on them (BuildKit's output
   * platform): set on image and OCI-layout sources and execs that were given a platform. Not part
   * of the op bytes, so a decoded graph does not have it.
   */
  readonly outputPlatform?: Platform;
  /**
   * The outputs BuildKit's marshaller walks for this op, in its order, when they are not just
   * `inputs`: an op that reads two separately built outputs with the same bytes has one input for
   * both (see `sameOutput`), yet the metadata and source locations of both vertices are collected.
   * Only the Definition's metadata and source map depend on it, never an op's bytes.
   */
  readonly walkInputs?: readonly Output[];
}

// ----- source ------------------------------------------------------------------------------------

/** Brings content in: `docker-image://`, `local://`, `git://`, `https://`, `oci-layout://`. */
export interface SourceVertex extends VertexBase {
  readonly kind: 'source';
  readonly identifier: string;
  readonly attrs: Readonly<Record<string, string>>;
}

/** The family of a source, derived from its identifier scheme. */
export type SourceType = 'image' | 'local' | 'git' | 'http' | 'oci-layout' | 'other';

// ----- exec --------------------------------------------------------------------------------------

export type NetMode = 'unset' | 'host' | 'none';
export type SecurityMode = 'sandbox' | 'insecure';
export type MountType = 'bind' | 'secret' | 'ssh' | 'cache' | 'tmpfs';
export type CacheSharing = 'shared' | 'private' | 'locked';
export type MountContentCache = 'default' | 'on' | 'off';

export interface ProxyEnv {
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly ftpProxy?: string;
  readonly noProxy?: string;
  readonly allProxy?: string;
}

export interface HostIP {
  readonly host: string;
  readonly ip: string;
}

export interface Ulimit {
  readonly name: string;
  readonly soft: bigint;
  readonly hard: bigint;
}

export interface ExecMeta {
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly user: string;
  readonly proxyEnv?: ProxyEnv;
  readonly extraHosts?: readonly HostIP[];
  readonly hostname?: string;
  readonly ulimits?: readonly Ulimit[];
  readonly cgroupParent?: string;
  readonly removeMountStubsRecursive?: boolean;
  readonly validExitCodes?: readonly number[];
}

export interface SecretOpt {
  readonly id: string;
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
  readonly optional: boolean;
}

export type SSHOpt = SecretOpt;

interface MountBase {
  /** Index into `inputs`, or -1 for scratch. */
  readonly input: number;
  readonly selector: string;
  readonly dest: string;
  /** Output index this mount produces, or -1. */
  readonly output: number;
  readonly readonly: boolean;
  readonly resultId?: string;
  readonly contentCache?: MountContentCache;
}

/** A filesystem (an input, or scratch) mounted at `dest`. */
export interface BindMount extends MountBase {
  readonly type: 'bind';
}

/** A persistent cache directory (`RUN --mount=type=cache`). */
export interface CacheMount extends MountBase {
  readonly type: 'cache';
  readonly cache: { readonly id: string; readonly sharing: CacheSharing };
}

/** An in-memory filesystem; `size` 0 means the default. */
export interface TmpfsMount extends MountBase {
  readonly type: 'tmpfs';
  readonly tmpfs: { readonly size: bigint };
}

/** A secret file (`RUN --mount=type=secret`). */
export interface SecretMount extends MountBase {
  readonly type: 'secret';
  readonly secret: SecretOpt;
}

/** An SSH agent socket (`RUN --mount=type=ssh`). */
export interface SSHMount extends MountBase {
  readonly type: 'ssh';
  readonly ssh: SSHOpt;
}

/** A mount of an exec, one variant per mount type (BuildKit always sets the option of its type). */
export type Mount = BindMount | CacheMount | TmpfsMount | SecretMount | SSHMount;

export interface SecretEnv {
  readonly id: string;
  readonly name: string;
  readonly optional: boolean;
}

export interface CDIDevice {
  readonly name: string;
  readonly optional: boolean;
}

/** Runs a process. Each mount with `output >= 0` is an output of the vertex. */
export interface ExecVertex extends VertexBase {
  readonly kind: 'exec';
  readonly meta: ExecMeta;
  readonly mounts: readonly Mount[];
  readonly network: NetMode;
  readonly security: SecurityMode;
  readonly secretEnv: readonly SecretEnv[];
  readonly cdiDevices: readonly CDIDevice[];
}

// ----- file --------------------------------------------------------------------------------------

/** A user or group for chown: a numeric id, or a name resolved in an input's /etc/passwd. */
export type UserRef =
  | { readonly kind: 'id'; readonly id: number }
  | { readonly kind: 'name'; readonly name: string; /** -1 for none */ readonly input: number };

export interface ChownOpt {
  readonly user?: UserRef;
  readonly group?: UserRef;
}

export interface CopyAction {
  readonly kind: 'copy';
  readonly src: string;
  readonly dest: string;
  readonly owner?: ChownOpt;
  /** Permission bits, or -1 to keep the source's. */
  readonly mode: number;
  readonly followSymlink: boolean;
  readonly dirCopyContents: boolean;
  readonly attemptUnpackDockerCompatibility: boolean;
  readonly createDestPath: boolean;
  readonly allowWildcard: boolean;
  readonly allowEmptyWildcard: boolean;
  /** Unix nanoseconds, or -1n to keep the source's. */
  readonly timestamp: bigint;
  readonly includePatterns: readonly string[];
  readonly excludePatterns: readonly string[];
  readonly alwaysReplaceExistingDestPaths: boolean;
  /** Symbolic mode (`u+x`); set instead of `mode`. */
  readonly modeStr: string;
  readonly requiredPaths: readonly string[];
}

export interface MkfileAction {
  readonly kind: 'mkfile';
  readonly path: string;
  readonly mode: number;
  readonly data: Uint8Array;
  readonly owner?: ChownOpt;
  readonly timestamp: bigint;
}

export interface MkdirAction {
  readonly kind: 'mkdir';
  readonly path: string;
  readonly mode: number;
  readonly makeParents: boolean;
  readonly owner?: ChownOpt;
  readonly timestamp: bigint;
}

export interface RmAction {
  readonly kind: 'rm';
  readonly path: string;
  readonly allowNotFound: boolean;
  readonly allowWildcard: boolean;
}

export interface SymlinkAction {
  readonly kind: 'symlink';
  readonly oldpath: string;
  readonly newpath: string;
  readonly owner?: ChownOpt;
  readonly timestamp: bigint;
}

export type FileActionBody = CopyAction | MkfileAction | MkdirAction | RmAction | SymlinkAction;

/**
 * One step of a file op. `input` and `secondaryInput` address either an entry of the vertex's
 * `inputs` (value < inputs.length), the result of an earlier action (value - inputs.length), or
 * scratch (-1).
 */
export interface FileAction {
  readonly input: number;
  readonly secondaryInput: number;
  /** Output index this action produces, or -1. */
  readonly output: number;
  readonly action: FileActionBody;
}

/**
 * Marks a file vertex produced by `COPY --link` / `ADD --link` before lowering. The vertex copies
 * onto `inputs[base]`; the lowering pass (src/lower/link.ts) rewrites it into the same copy on
 * scratch plus a merge of the base and that copy, as BuildKit does.
 */
export interface LinkAnnotation {
  /** Index in `inputs` of the state the files are copied onto. */
  readonly base: number;
  /** Progress group shared by the copy and its merge. */
  readonly progressGroupId: string;
  /** The step name, e.g. `[2/3] COPY --link app.conf /etc/app.conf`. */
  readonly stepName: string;
  /** Metadata of the merge vertex (its `LINK …` name, caps are computed by the pass). */
  readonly mergeMetadata: VertexMetadata;
  readonly mergeLocations?: readonly VertexLocation[];
}

/** A sequence of file actions. */
export interface FileVertex extends VertexBase {
  readonly kind: 'file';
  readonly actions: readonly FileAction[];
  /** Present only before lowering: see {@link LinkAnnotation}. */
  readonly link?: LinkAnnotation;
}

/** A file vertex recorded as a linked copy (`COPY --link`), not yet lowered. */
export type LinkedFileVertex = FileVertex & { readonly link: LinkAnnotation };

// ----- merge / diff / build ----------------------------------------------------------------------

/** Layers inputs on top of each other (first at the bottom). */
export interface MergeVertex extends VertexBase {
  readonly kind: 'merge';
  /** Indices into `inputs`. */
  readonly merge: readonly number[];
}

/** The changes from `lower` to `upper`; an absent side means scratch. */
export interface DiffVertex extends VertexBase {
  readonly kind: 'diff';
  readonly lower?: number;
  readonly upper?: number;
}

/** A nested build (experimental in BuildKit). The nested Definition is kept as decoded protobuf. */
export interface BuildVertex extends VertexBase {
  readonly kind: 'build';
  readonly builder: number;
  readonly buildInputs: Readonly<Record<string, number>>;
  readonly definition?: unknown;
  readonly attrs: Readonly<Record<string, string>>;
}

export type Vertex = SourceVertex | ExecVertex | FileVertex | MergeVertex | DiffVertex | BuildVertex;

export type VertexKind = Vertex['kind'];

/** A whole graph: the requested output plus the source files its locations point into. */
export interface Graph {
  /** The output the build produces; `undefined` for an empty build (scratch). */
  readonly root: Output | undefined;
  readonly sources: readonly SourceInfo[];
}

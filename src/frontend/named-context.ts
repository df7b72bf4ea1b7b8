/**
 * Named build contexts (`docker build --build-context NAME=VALUE`, BuildKit's `context:NAME`
 * frontend options): a stage, a `FROM` image or a `COPY --from` source replaced by a local
 * directory, another image, a git repository, an HTTP file or an OCI layout, as BuildKit's
 * `dockerui.NamedContext` loads them.
 *
 * The value forms are the frontend's: `local:LOCALNAME`, `docker-image://REF`, a git URL
 * (`https://…/repo.git#ref`, `git@host:repo`, `git://…`), an `http(s)://` URL, and
 * `oci-layout://STORE[:TAG]@DIGEST`. Keys are matched as BuildKit matches them: the familiar
 * name (`alpine` for `docker.io/library/alpine:latest`), first with `::<platform>` appended.
 */
import { DockerfileError, DockerfileLlbError } from '../errors.js';
import { git, http, image, local, ociLayout, State } from '../graph/state.js';
import { formatPlatformAll, normalizePlatform } from '../image/platform.js';
import { familiarString, formatReference, parseQualifiedReference, parseReference, tagNameOnly } from '../image/reference.js';
import type { ImageConfig, Platform, ResolvedImage, ResolveOptions } from '../image/types.js';
import { gitLlbSource, tryParseGitRef } from './gitref.js';

/** A named context's value, in BuildKit's frontend forms, or typed. */
export type NamedContextValue =
  /** `local:NAME`: a directory the client sends as `local://NAME` (buildctl `--local NAME=DIR`). */
  | {
      readonly kind: 'local';
      readonly name: string;
      /** Its `.dockerignore` patterns (the frontend reads the directory's own `.dockerignore`). */
      readonly excludePatterns?: readonly string[];
    }
  /** `docker-image://REF`: an image, resolved like a `FROM` image (`scratch` for nothing). */
  | { readonly kind: 'image'; readonly ref: string }
  /** A git repository URL, with BuildKit's `#ref:subdir` and query options. */
  | { readonly kind: 'git'; readonly url: string }
  /** An `http(s)://` URL: the file, named `context`. */
  | { readonly kind: 'http'; readonly url: string }
  /** `oci-layout://STORE[:TAG]@DIGEST`: an image in an OCI layout the client sends (buildctl `--oci-layout STORE=DIR`). */
  | { readonly kind: 'oci-layout'; readonly ref: string };

/** Named contexts by name: `{"assets": "local:assets", "alpine": "docker-image://busybox"}`. */
export type NamedContexts = Readonly<Record<string, string | NamedContextValue>>;

/** Resolves images of OCI layout stores (`oci-layout://` named contexts). */
export interface OciLayoutResolver {
  /**
   * The config of `ref` (`NAME@sha256:…`) in the store `storeId`, for `options.platform`.
   * Rejects with a {@link DockerfileLlbError} when the store or the image is unknown.
   */
  resolve(storeId: string, ref: string, options: ResolveOptions): Promise<ResolvedImage>;
}

/** A named context found for a name. */
export interface NamedContextMatch {
  /** The familiar name (`alpine`). */
  readonly name: string;
  /** The key that matched: the name, or `name::linux/arm64`. */
  readonly nameWithPlatform: string;
  readonly value: string | NamedContextValue;
}

/** What loading a named context gives: a state and, for images, their config. */
export interface LoadedContext {
  readonly state: State;
  readonly image: ImageConfig | undefined;
  /** For a `local:` context: completes its source with the paths its readers use (see convert). */
  readonly local?: { readonly name: string; readonly vertex: State; readonly options: LocalContextOptions };
}

/** What a `local:` context's source needs once every stage has been dispatched. */
export interface LocalContextOptions {
  readonly customName: string;
  readonly sharedKeyHint: string;
  readonly excludePatterns?: readonly string[];
  readonly localUniqueId: string;
}

function fail(message: string): never {
  throw new DockerfileError('E_NAMED_CONTEXT', message);
}

/**
 * The named context for `name` (a stage name or a normalized image reference), as BuildKit's
 * `Client.NamedContext` finds it: `scratch` and `context` never match; the name is reduced to
 * its familiar form without `:latest`; `NAME::<platform>` wins over `NAME`.
 *
 * @param platform - the platform the context is wanted for (BuildKit: the stage's, else the target's, else the default)
 */
export function findNamedContext(contexts: NamedContexts, name: string, platform: Platform): NamedContextMatch | undefined {
  const lower = name.toLowerCase();
  if (lower === 'scratch' || lower === 'context') return undefined;
  let familiar: string;
  try {
    familiar = familiarString(parseReference(name));
  } catch (e) {
    return fail(`invalid context name ${name}: ${(e as Error).message}`);
  }
  if (familiar.endsWith(':latest')) familiar = familiar.slice(0, -':latest'.length);
  const withPlatform = `${familiar}::${formatPlatformAll(normalizePlatform(platform))}`;
  for (const key of [withPlatform, familiar]) {
    if (Object.hasOwn(contexts, key)) return { name: familiar, nameWithPlatform: key, value: contexts[key] };
  }
  return undefined;
}

/** Reads a frontend value (`docker-image://alpine`, `local:dir`, a URL) into its typed form. */
export function parseNamedContextValue(value: string, nameWithPlatform: string): NamedContextValue {
  const colon = value.indexOf(':');
  if (colon < 0) fail(`invalid context specifier ${value} for ${nameWithPlatform}`);
  let scheme = value.slice(0, colon);
  const rest = value.slice(colon + 1);
  // `git@host:repo` without a scheme is accepted for SSH remotes.
  if (scheme.startsWith('git@')) scheme = 'git';
  switch (scheme) {
    case 'docker-image':
      return { kind: 'image', ref: rest.replace(/^\/\//, '') };
    case 'git':
      return { kind: 'git', url: value };
    case 'http':
    case 'https':
      return tryParseGitRef(value).isGit ? { kind: 'git', url: value } : { kind: 'http', url: value };
    case 'oci-layout':
      return { kind: 'oci-layout', ref: rest.replace(/^\/\//, '') };
    case 'local':
      return { kind: 'local', name: rest };
    case 'input':
      // Frontend inputs exist only inside a gateway build; LLB piped to buildctl has none.
      return fail(`invalid input ${rest} for ${nameWithPlatform}`);
    default:
      return fail(`unsupported context source ${scheme} for ${nameWithPlatform}`);
  }
}

/** What {@link loadNamedContext} needs from the conversion. */
export interface LoadOptions {
  /** The platform asked for, when the stage or the request set one. */
  readonly platform: Platform | undefined;
  /** The platform ops get when none is asked (the target platform). */
  readonly defaultPlatform: Platform;
  readonly resolveImage: (ref: string, options: ResolveOptions) => Promise<ResolvedImage>;
  readonly ociLayouts: OciLayoutResolver | undefined;
  readonly localUniqueId: string;
}

/** BuildKit's `State.WithImageConfig`: the config's env, working directory and platform on a state. */
function withImageConfig(st: State, config: ImageConfig): State {
  let s = st;
  for (const e of config.config?.Env ?? []) {
    const i = e.indexOf('=');
    const k = i < 0 ? e : e.slice(0, i);
    if (k !== '') s = s.addEnv(k, i < 0 ? '' : e.slice(i + 1));
  }
  s = s.dir(config.config?.WorkingDir ?? '');
  if (config.architecture && config.os) {
    s = s.platform({
      os: config.os,
      architecture: config.architecture,
      ...(config.variant ? { variant: config.variant } : {}),
      ...(config['os.version'] ? { osVersion: config['os.version'] } : {}),
      ...(config['os.features'] ? { osFeatures: [...config['os.features']] } : {}),
    });
  }
  return s;
}

/**
 * Loads a named context (BuildKit's `NamedContext.Load`) into a state, and the image config for
 * image and OCI layout contexts. Errors are BuildKit's messages, without a location (the caller
 * adds the stage's).
 */
export async function loadNamedContext(m: NamedContextMatch, opt: LoadOptions): Promise<LoadedContext> {
  const v = typeof m.value === 'string' ? parseNamedContextValue(m.value, m.nameWithPlatform) : m.value;
  const label = `[context ${m.nameWithPlatform}]`;
  switch (v.kind) {
    case 'image': {
      if (v.ref === 'scratch') return { state: State.scratch(), image: undefined };
      const ref = formatReference(tagNameOnly(parseReference(v.ref)));
      const { config } = await opt.resolveImage(ref, { platform: opt.platform ?? opt.defaultPlatform });
      // Not pinned to the digest: BuildKit's frontend writes the reference as it asked for it.
      const st = image(ref, { customName: `${label} ${v.ref}`, platform: opt.platform ?? opt.defaultPlatform });
      return { state: withImageConfig(st, config), image: config };
    }
    case 'git': {
      const r = tryParseGitRef(v.url);
      if (r.error !== undefined && r.isGit) fail(r.error);
      if (r.ref === undefined) fail(`invalid git context ${v.url}`);
      const g = r.ref;
      const source = gitLlbSource(g.remote, g.ref, g.subdir);
      const st = git(
        { identifier: source.identifier, fullUrl: source.fullUrl, ssh: source.isSsh },
        {
          customName: `[internal] load git source ${v.url}`,
          ...(g.keepGitDir ? { keepGitDir: true } : {}),
          ...(g.checksum ? { checksum: g.checksum } : {}),
          ...(g.submodules === false ? { skipSubmodules: true } : {}),
          ...(g.mtime ? { mtime: g.mtime } : {}),
          ...(g.fetchByCommit ? { fetchByCommit: true } : {}),
        },
      );
      return { state: st, image: undefined };
    }
    case 'http':
      return { state: http(v.url, { filename: 'context', customName: `${label} ${v.url}` }), image: undefined };
    case 'oci-layout': {
      let parsed;
      try {
        parsed = parseQualifiedReference(v.ref);
      } catch (e) {
        return fail(`could not parse oci-layout reference ${JSON.stringify(v.ref)}: ${(e as Error).message}`);
      }
      if (parsed.digest === undefined) fail(`oci-layout reference ${JSON.stringify(formatReference(parsed))} has no digest`);
      const storeId = parsed.domain === '' ? parsed.path : `${parsed.domain}/${parsed.path}`;
      // The image is named after the context in logs and in the LLB: NAME@DIGEST.
      const dummy = formatReference({ ...parseReference(m.name), digest: parsed.digest });
      if (!opt.ociLayouts) {
        throw new DockerfileLlbError('E_NO_OCI_LAYOUT', `${label} oci-layout://${v.ref}: no OCI layout resolver was given to read store ${storeId}`);
      }
      const resolved = await opt.ociLayouts.resolve(storeId, dummy, { platform: opt.platform ?? opt.defaultPlatform });
      const st = ociLayout(dummy, { customName: `${label} OCI load from client`, storeId, platform: opt.platform ?? opt.defaultPlatform });
      return { state: withImageConfig(st, resolved.config), image: resolved.config };
    }
    case 'local': {
      const options: LocalContextOptions = {
        customName: `${label} load from client`,
        sharedKeyHint: `context:${m.nameWithPlatform}-`,
        ...(v.excludePatterns?.length ? { excludePatterns: v.excludePatterns } : {}),
        localUniqueId: opt.localUniqueId,
      };
      const st = local(v.name, { ...options, excludePatterns: options.excludePatterns });
      return { state: st, image: undefined, local: { name: v.name, vertex: st, options } };
    }
  }
}

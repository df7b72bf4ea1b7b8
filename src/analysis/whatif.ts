/**
 * What-if analysis without editing files: compile the same Dockerfile twice, once as it is and
 * once with one thing changed (a base image digest, the image metadata, build args, the target,
 * the platform), and diff the two builds.
 */
import { compile, type CompileOptions, type CompileResult } from '../compile.js';
import { DockerfileLlbError } from '../errors.js';
import { formatReference, parseReference, referenceName } from '../image/reference.js';
import { StaticImageResolver } from '../image/static-resolver.js';
import type { ImageMetadataFile, ImageResolver, ResolvedImage, ResolveOptions } from '../image/types.js';
import { sha256Digest } from '../util/sha256.js';
import { diff, type DiffResult } from './diff.js';

/** A base image that resolves to another digest. */
export interface ImageChange {
  /** The reference as the Dockerfile writes it or normalized (`alpine:3.20`, `docker.io/library/alpine:3.20`); a digest in it is ignored. */
  readonly ref: string;
  /** The new digest; default: a made-up digest derived from the old one. */
  readonly digest?: string;
}

/** What differs in the what-if build. Fields combine; absent ones stay as in the base options. */
export interface WhatIfChange {
  /** Move base images to other digests (their configs stay the same). */
  readonly image?: ImageChange | readonly ImageChange[];
  /** Other image metadata (another `images.json`). */
  readonly images?: ImageMetadataFile;
  /** Build args set over the base ones (a value of `undefined` is not allowed: use `{}` semantics). */
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly platform?: CompileOptions['platform'];
}

/** The result of {@link whatIf}: the diff plus both compile results. */
export interface WhatIfResult extends DiffResult {
  readonly before: CompileResult;
  readonly after: CompileResult;
  /** The `image` changes that matched no image the changed build resolved (they had no effect). */
  readonly unusedImages: readonly ImageChange[];
}

/**
 * The key under which two references count as the same image: repository and tag, digest
 * dropped; no tag counts as `latest` (so `alpine` also matches `FROM alpine@sha256:…`).
 */
function imageKey(ref: string): string {
  const r = parseReference(ref);
  return `${referenceName(r)}:${r.tag ?? 'latest'}`;
}

/** The made-up digest a moved image gets when none is given: well-formed and deterministic. */
export function movedDigest(oldDigest: string): string {
  return sha256Digest(new TextEncoder().encode(`dockerfile-llb what-if: moved from ${oldDigest}`));
}

/**
 * An {@link ImageResolver} that resolves the given references to other digests and everything
 * else as `inner` does. A reference matches by name and tag, whatever digest it is pinned to.
 */
export function overrideImages(inner: ImageResolver, changes: readonly ImageChange[], onUse?: (change: ImageChange) => void): ImageResolver {
  const byKey = new Map(changes.map((c) => [imageKey(c.ref), c]));
  return {
    async resolve(ref: string, options: ResolveOptions): Promise<ResolvedImage> {
      const resolved = await inner.resolve(ref, options);
      const change = byKey.get(imageKey(ref));
      if (!change) return resolved;
      onUse?.(change);
      return { ...resolved, digest: change.digest ?? movedDigest(resolved.digest) };
    },
  };
}

function baseResolver(options: CompileOptions): ImageResolver {
  const r = options.resolver ?? (options.images ? new StaticImageResolver(options.images) : undefined);
  if (!r) throw new DockerfileLlbError('E_NO_RESOLVER', 'what-if analysis needs image metadata: pass `resolver` or `images`');
  return r;
}

/**
 * The compile options of the changed build.
 * @param onUse - called with each image change when the build resolves its image
 */
export function changedOptions(options: CompileOptions, change: WhatIfChange, onUse?: (change: ImageChange) => void): CompileOptions {
  let resolver = change.images ? new StaticImageResolver(change.images) : baseResolver(options);
  if (change.image) {
    const list = Array.isArray(change.image) ? (change.image as readonly ImageChange[]) : [change.image as ImageChange];
    for (const c of list) formatReference(parseReference(c.ref)); // validates early
    resolver = overrideImages(resolver, list, onUse);
  }
  return {
    ...options,
    resolver,
    buildArgs: change.buildArgs ? { ...options.buildArgs, ...change.buildArgs } : options.buildArgs,
    target: change.target ?? options.target,
    platform: change.platform ?? options.platform,
  };
}

/**
 * Compiles `dockerfile` with `options` and again with `change` applied, and diffs the two: which
 * steps keep their digest and which do not, and why.
 */
export async function whatIf(dockerfile: string | Uint8Array, options: CompileOptions, change: WhatIfChange): Promise<WhatIfResult> {
  const base = { ...options, resolver: baseResolver(options) };
  const before = await compile(dockerfile, base);
  const used = new Set<ImageChange>();
  const after = await compile(dockerfile, changedOptions(base, change, (c) => used.add(c)));
  const asked = change.image === undefined ? [] : Array.isArray(change.image) ? (change.image as readonly ImageChange[]) : [change.image as ImageChange];
  return { ...diff(before, after), before, after, unusedImages: asked.filter((c) => !used.has(c)) };
}

/**
 * Resolving the stages a build needs: each stage's base (a registry image, scratch, an earlier
 * stage or a named context), its image config and platform, and the ONBUILD triggers its base
 * image brings, which may make more stages needed (BuildKit's resolve loop).
 */
import { ImageResolveError } from '../errors.js';
import { image as imageState, State } from '../graph/state.js';
import { formatPlatformAll } from '../image/platform.js';
import { formatReference, parseReference, tagNameOnly, withDigest } from '../image/reference.js';
import type { Platform, ResolvedImage } from '../image/types.js';
import { withSuggestion } from '../util/suggest.js';
import { checkBaseImagePlatform } from './checks/validations.js';
import { type Context, EMPTY_IMAGE_NAME, fail, locatedAsync } from './conversion.js';
import { type DispatchState, reachableStages } from './dispatch-state.js';
import { envGetter } from './env.js';
import { cloneImage, emptyImage, type ImageModel, imageFromConfig, imagePlatform } from './image.js';
import { nodeLocation } from './location.js';
import { type LoadedContext, loadNamedContext, type NamedContextMatch } from './named-context.js';
import { initOnBuildTriggers, namedContextFor } from './stages.js';
import { stepName } from './steps.js';

/**
 * The images BuildKit also suggests when a base image cannot be resolved (`commonImageNames`),
 * including its `docker.io/library` + name without a slash.
 */
const COMMON_IMAGE_NAMES = ['alpine', 'busybox', 'centos', 'debian', 'golang', 'ubuntu', 'fedora'].flatMap((n) => [n, `docker.io/library${n}`, `${n}:latest`, `docker.io/library${n}:latest`]);

/**
 * Resolves the base of every stage the target needs, repeating while inherited ONBUILD triggers
 * make more stages needed; returns the stages the target needs.
 */
export async function resolveStages(ctx: Context, target: DispatchState): Promise<Set<DispatchState>> {
  for (;;) {
    const reachable = reachableStages(target);
    await resolveReachableStages(ctx, reachable);
    let newDeps = false;
    // In stage order, so a base is initialized before the stages built on it.
    for (const d of ctx.all.states) {
      if (!reachable.has(d)) continue;
      initFromBase(d);
      const onbuilds = [...(d.image.config.OnBuild ?? [])];
      if (d.base && !d.onBuildInit) {
        for (const c of d.base.commands) if (c.command.kind === 'onbuild') onbuilds.push(c.command.expression);
        d.onBuildInit = true;
      }
      if (onbuilds.length > 0) {
        if (initOnBuildTriggers(ctx, d, onbuilds)) newDeps = true;
        d.image.config.OnBuild = undefined;
      }
    }
    if (!newDeps) return reachable;
  }
}

/** Inherits state, platform and image from the base stage (BuildKit's `dispatchState.init`). */
export function initFromBase(d: DispatchState): void {
  if (!d.base) return;
  d.state = d.base.state;
  d.platform = d.base.platform;
  d.image = cloneImage(d.base.image);
  d.image.config.OnBuild = undefined;
  d.workdirSet = d.base.workdirSet;
  d.buildArgs = [...d.buildArgs, ...d.base.buildArgs];
  // One set along the base chain: what readers take from a stage is taken from its base too.
  d.paths = d.base.paths;
}

async function resolveReachableStages(ctx: Context, reachable: Set<DispatchState>): Promise<void> {
  const pending: Promise<void>[] = [];
  // Scratch read by a mount or COPY --from is an unregistered stage with no commands, marked
  // dispatched below: unless every stage is dispatched (allStages), nothing touches its image
  // again, so they share one (a RUN with a cache mount makes one such stage).
  const shareScratch = ctx.opt.allStages !== true;
  let readOnlyScratch: ImageModel | undefined;
  for (const d of ctx.all.states) {
    if (d.base || d.dispatched || d.resolved) continue;
    const isReachable = ctx.opt.allStages === true || reachable.has(d);
    d.resolved = isReachable;
    if (d.baseName === EMPTY_IMAGE_NAME && !d.namedContext) {
      d.state = State.scratch();
      d.image = d.unregistered && shareScratch ? (readOnlyScratch ??= emptyImage(ctx.platformOpt.targetPlatform)) : emptyImage(ctx.platformOpt.targetPlatform);
      d.platform = ctx.platformOpt.targetPlatform;
      if (d.unregistered) d.dispatched = true;
      continue;
    }
    pending.push(
      locatedAsync(d.stage.location, () => resolveBaseImage(ctx, d, isReachable)).finally(() => {
        if (d.unregistered) d.dispatched = true;
      }),
    );
  }
  await Promise.all(pending);
}

async function resolveBaseImage(ctx: Context, d: DispatchState, reachable: boolean): Promise<void> {
  const origName = d.baseName;
  let ref;
  try {
    ref = parseReference(d.baseName);
  } catch (e) {
    fail(`failed to parse stage name ${JSON.stringify(d.baseName)}: ${(e as Error).message}`, d.stage.location);
  }
  let platform = d.platform ?? ctx.platformOpt.targetPlatform;
  d.baseName = formatReference(tagNameOnly(ref));
  let isScratch = false;
  if (reachable) {
    if (d.namedContext) {
      // A stage replaced by a named context: its commands never run.
      const loaded = await loadContextFor(ctx, d, d.namedContext, d.platform ?? (ctx.platformOpt.implicitTarget ? undefined : ctx.platformOpt.targetPlatform));
      d.dispatched = true;
      d.state = loaded.state;
      // Without an image config (a directory, a repository, scratch) the stage's image is Go's
      // zero value, not scratch's.
      const img = imageFromConfig(loaded.image ?? { architecture: '', os: '' });
      img.created = undefined;
      d.image = img;
      if (img.architecture !== '' && img.os !== '') d.platform = imagePlatform(img);
      return;
    }
    const nc = namedContextFor(ctx, d.baseName, platform, d.stage.location);
    if (nc) {
      // A base image (or COPY --from image) replaced by a named context.
      const loaded = await loadContextFor(ctx, d, nc, platform);
      const img = loaded.image ? imageFromConfig(loaded.image) : emptyImage(platform);
      img.created = undefined;
      d.image = img;
      d.state = loaded.state.platform(platform);
      d.platform = platform;
      return;
    }
    let resolved;
    try {
      resolved = await resolveCached(ctx, d.baseName, platform);
    } catch (e) {
      // Like BuildKit, wrap with the name as written (but not twice, when the resolver's message
      // already starts with exactly that name: FROM localhost:5000/app:1), and suggest a stage or
      // a common image the name may be a typo of (`COPY --from=buidl` → build).
      const inner = (e as Error).message;
      const wrapped = inner.startsWith(`${origName}: `) ? inner : `${origName}: ${inner}`;
      const msg = withSuggestion(wrapped, origName, [...ctx.all.names(), ...COMMON_IMAGE_NAMES], true);
      if (e instanceof ImageResolveError) throw new ImageResolveError(e.code, msg, e.ref, { cause: e, location: d.stage.location });
      throw e;
    }
    const img = imageFromConfig(resolved.config);
    img.created = undefined;
    if (!d.platform && ctx.platformOpt.implicitTarget) platform = autoDetectPlatform(img, platform, ctx.platformOpt.buildPlatforms);
    d.baseName = resolved.digest ? withDigest(resolved.ref === d.baseName ? d.baseName : resolved.ref, resolved.digest) : d.baseName;
    if (!img.rootfs.diffIds || img.rootfs.diffIds.length === 0) {
      isScratch = !img.history.some((h) => !h.empty_layer);
    }
    d.image = img;
  }
  if (isScratch) {
    d.state = State.scratch();
  } else {
    d.state = imageState(d.baseName, {
      platform,
      description: { 'com.docker.dockerfile.v1.command': d.stage.sourceCode },
      customName: stepName(d.steps.next(), `FROM ${d.baseName}`, { stageName: d.stageName, isOnBuild: false, platform: ctx.config.multiPlatform ? platform : undefined, env: envGetter([]) }),
      locations: [d.stage.node ? nodeLocation(d.stage.node) : { sourceIndex: 0, ranges: [] }],
    });
    if (reachable) checkBaseImagePlatform(origName, platform, imagePlatform(d.image), d.stage.node ?? [], ctx.lint);
  }
  d.platform = platform;
}

function autoDetectPlatform(img: ImageModel, target: Platform, supported: readonly Platform[]): Platform {
  if (target.os === img.os && target.architecture === img.architecture) return target;
  for (const p of supported) if (p.os === img.os && p.architecture === img.architecture) return p;
  return target;
}

/** Loads a named context for stage `d` (whose readers' paths a local context follows). */
async function loadContextFor(ctx: Context, d: DispatchState, nc: NamedContextMatch, platform: Platform | undefined): Promise<LoadedContext> {
  const loaded = await loadNamedContext(nc, {
    platform,
    defaultPlatform: ctx.platformOpt.targetPlatform,
    resolveImage: (ref, o) => resolveCached(ctx, ref, o.platform),
    ociLayouts: ctx.opt.ociLayouts,
    localUniqueId: ctx.opt.localUniqueId,
  });
  if (loaded.local) ctx.localContexts.push({ reader: d, loaded: loaded.local });
  return loaded;
}

/** Each (reference, platform) is resolved once per build. */
function resolveCached(ctx: Context, ref: string, platform: Platform): Promise<ResolvedImage> {
  const key = `${ref} ${formatPlatformAll(platform)}`;
  let pending = ctx.resolved.get(key);
  if (!pending) {
    pending = ctx.opt.resolver.resolve(ref, { platform });
    ctx.resolved.set(key, pending);
  }
  return pending;
}

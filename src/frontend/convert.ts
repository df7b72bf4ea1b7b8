/**
 * Dockerfile → LLB: stages, arguments, base images and the dispatch of every instruction,
 * following BuildKit's `dockerfile2llb` step by step so that the graph it builds serializes to
 * BuildKit's bytes.
 */
import { DockerfileError, DockerfileErrorCode, ImageResolveError, type SourceLocation } from '../errors.js';
import { type EnvList, envGet, local, State, image as imageState } from '../graph/state.js';
import type { Output, SourceVertex } from '../graph/types.js';
import { formatPlatformAll, normalizePlatform, parsePlatform } from '../image/platform.js';
import { parseReference, tagNameOnly, formatReference, withDigest } from '../image/reference.js';
import type { ImageResolver, Platform, ResolvedImage } from '../image/types.js';
import {
  type Command,
  expand,
  expandRaw,
  type KeyValuePairOptional,
  parseCommand,
  parseInstructions,
  type Stage,
} from '../instructions/index.js';
import { parse } from '../parser/index.js';
import type { Node } from '../parser/node.js';
import { type EnvGetter, ExpansionBudget, ShellLex } from '../shell/index.js';
import { join } from '../util/posix-path.js';
import { compareGoStrings } from '../util/gounicode.js';
import { withSuggestion } from '../util/suggest.js';
import { goParseInt } from '../util/gostrconv.js';
import { dispatchCommand, dispatchUser, dispatchWorkdir } from './commands.js';
import type { DispatchOptions } from './dispatch-options.js';
import { envGetter, stateEnv } from './env.js';
import { nodeLocation } from './location.js';
import { prefixCommand } from './steps.js';
import { type DispatchCommand, DispatchState, DispatchStates, reachableStages } from './dispatch-state.js';
import { cloneImage, emptyImage, imageFromConfig, type ImageModel } from './image.js';
import { buildPlatformOpt, defaultArgs, type PlatformOpt } from './platform.js';
import { defaultPathEnv } from './system-path.js';
import { type ArgInfo, OutlineCapture } from './outline-capture.js';
import { type BuildRequest, isNoCache, parseBuildRequest } from './request.js';
import { findNamedContext, type LoadedContext, loadNamedContext, type NamedContextMatch, type NamedContexts, type OciLayoutResolver } from './named-context.js';
import { type CheckWarning, type Linter, lineRanges, nodeRanges } from './checks/linter.js';
import { newRuleLinter } from './checks/config.js';
import { ignoreMatcher } from './checks/ignore.js';
import { withBuildKitRanges } from './checks/error-ranges.js';
import { NoEmptyContinuation } from './checks/rules.js';
import {
  checkBaseImagePlatform,
  checkBaseImagesWithDefaultArgs,
  checkCommandCasing,
  checkConstPlatform,
  checkInstructionNode,
  checkRedundantTargetPlatform,
  checkStageNames,
  checkUndeclaredFromArgs,
  checkUndefinedVars,
} from './checks/validations.js';
import { imagePlatform } from './image.js';

const EMPTY_IMAGE_NAME = 'scratch';

/**
 * The images BuildKit also suggests when a base image cannot be resolved (`commonImageNames`),
 * including its `docker.io/library` + name without a slash.
 */
const COMMON_IMAGE_NAMES = ['alpine', 'busybox', 'centos', 'debian', 'golang', 'ubuntu', 'fedora'].flatMap((n) => [n, `docker.io/library${n}`, `${n}:latest`, `docker.io/library${n}:latest`]);

/** Options of {@link convert}. */
export interface ConvertOptions {
  readonly target?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** The target platform; when absent BuildKit's implicit default (the build platform) applies. */
  readonly targetPlatform?: Platform;
  readonly buildPlatforms?: readonly Platform[];
  readonly resolver: ImageResolver;
  /** `local.unique` of the build context source. */
  readonly localUniqueId: string;
  /** The file name used in errors and the source map. */
  readonly filename: string;
  /** `.dockerignore` patterns, written as `local.excludepatterns` on the context. */
  readonly excludePatterns?: readonly string[];
  /**
   * The validated build request options (see request.ts): platform prefixes in step names,
   * labels, RUN hosts, network, limits, cgroup parent, stages without cache.
   */
  readonly request?: BuildRequest;
  /**
   * Named build contexts (`--build-context NAME=VALUE`): stages, `FROM` images and `COPY --from`
   * sources they replace. Without any, the conversion is BuildKit's client-less one.
   */
  readonly namedContexts?: NamedContexts;
  /** Reads the images of `oci-layout://` named contexts. */
  readonly ociLayouts?: OciLayoutResolver;
  /** Record what `outline` reports (BuildKit's outlineCapture); compile does not need it. */
  readonly outline?: boolean;
  /**
   * Convert every stage, not just those the target needs (BuildKit's `AllStages`, which its
   * check request sets when no target is given).
   */
  readonly allStages?: boolean;
  /**
   * Called for each build-check violation as it is found (also for a conversion that then
   * fails). Under `check=error=true` a violation fails the conversion at its end with
   * {@link LintViolationError}, as in BuildKit.
   */
  readonly onWarning?: (warning: CheckWarning) => void;
  /**
   * `false` runs no build check (BuildKit's builder gives its checks only to the first platform
   * of a multi-platform request); a bad check configuration is still an error.
   */
  readonly checks?: boolean;
  /** The bounds and running totals of this conversion's expansions (default: the default limits). */
  readonly expansionBudget?: ExpansionBudget;
}

/** What {@link convert} produces. */
export interface ConvertResult {
  /** The requested output; `undefined` for a build that produces scratch. */
  readonly output: Output | undefined;
  readonly image: ImageModel;
  /** The stages of the Dockerfile, in order, with whether the target needed them. */
  readonly stages: readonly { name: string; index: number; baseName: string; reachable: boolean; location: SourceLocation }[];
  readonly target: string;
  /** The target platform the build used. */
  readonly platform: Platform;
  /** The target's dispatch state, for `outline` (see outline.ts). */
  readonly targetState: DispatchState;
  /** The build checks that fired, in the order BuildKit reports them. */
  readonly warnings: readonly CheckWarning[];
}

function fail(message: string, location?: SourceLocation, code: DockerfileErrorCode = 'E_CONVERT'): never {
  throw new DockerfileError(code, message, location);
}

function located<T>(location: SourceLocation | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DockerfileError && !e.location && location) throw e.at(location);
    if (e instanceof ImageResolveError && !e.location && location) {
      throw new DockerfileError(e.code, e.message, location, { cause: e });
    }
    throw e;
  }
}

async function locatedAsync<T>(location: SourceLocation | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    return located(location, () => {
      throw e;
    });
  }
}

/** Shared state of one conversion (BuildKit's `dispatchContext`). */
interface Context {
  readonly opt: ConvertOptions;
  readonly platformOpt: PlatformOpt;
  globalArgs: EnvList;
  readonly shlex: ShellLex;
  readonly all: DispatchStates;
  readonly buildArgs: Readonly<Record<string, string>>;
  /** The build context source, completed once every stage has been dispatched. */
  readonly context: SourceVertex;
  readonly contextState: State;
  /** The global ARGs for `outline`; each stage starts from a clone. */
  readonly outline: OutlineCapture | undefined;
  /** Resolutions by (ref, platform): each image is looked up once per build. */
  readonly resolved: Map<string, Promise<ResolvedImage>>;
  /** Settings BuildKit reads from BUILDKIT_* build args and SOURCE_DATE_EPOCH. */
  readonly config: FrontendConfig;
  /** `local:` named contexts loaded, with the stage whose readers decide their follow paths. */
  readonly localContexts: { readonly reader: DispatchState; readonly loaded: NonNullable<LoadedContext['local']> }[];
  /** The build checks. */
  readonly lint: Linter;
  /** Names a FROM may use: the global ARGs (with or without a value) and the predefined ones. */
  readonly fromArgKeys: readonly string[];
}

/** What BuildKit's frontend reads from the request and special build args (dockerui's Config). */
export interface FrontendConfig extends BuildRequest {
  /** BUILDKIT_CACHE_MOUNT_NS: namespace of cache mount ids. */
  readonly cacheIdNamespace: string;
  /** SOURCE_DATE_EPOCH: timestamp (RFC 3339) for history entries and created files. */
  readonly epoch: { readonly rfc3339: string; readonly nanos: bigint } | undefined;
}

function frontendConfig(opt: ConvertOptions, buildArgs: Readonly<Record<string, string>>, globalArgs: EnvList): FrontendConfig {
  const request = opt.request ?? parseBuildRequest({}, buildArgs);
  let epoch: FrontendConfig['epoch'];
  const sde = Object.hasOwn(buildArgs, 'SOURCE_DATE_EPOCH') ? buildArgs.SOURCE_DATE_EPOCH : envGet(globalArgs, 'SOURCE_DATE_EPOCH');
  if (sde) {
    const n = goParseInt(sde, 10, 64);
    if (!n.ok) fail(`invalid SOURCE_DATE_EPOCH: ${sde}: ${n.error}`);
    const secs = BigInt(sde);
    epoch = { rfc3339: new Date(Number(secs) * 1000).toISOString().replace(/\.000Z$/, 'Z'), nanos: secs * 1_000_000_000n };
  }
  return { ...request, cacheIdNamespace: buildArgs.BUILDKIT_CACHE_MOUNT_NS ?? '', epoch };
}

/**
 * Converts a Dockerfile. Throws {@link DockerfileError} (with a location where BuildKit has one)
 * for anything BuildKit rejects.
 */
export async function convert(text: string, opt: ConvertOptions): Promise<ConvertResult> {
  if (text.length === 0) fail('the Dockerfile cannot be empty');
  const file = opt.filename;
  const buildArgs = opt.buildArgs ?? {};
  // The lint configuration is read first; a bad `# check=` directive fails the build.
  const lint = newRuleLinter(text, buildArgs, opt.checks === false ? undefined : (opt.onWarning ?? (() => {})));
  const parsed = parse(text, { file });
  for (const w of parsed.warnings) lint.run(NoEmptyContinuation, lineRanges(w.location.start.line, w.location.end.line));
  const { stages, metaArgs } = parseInstructions(parsed.ast, { file, observe: (node, ins) => checkInstructionNode(lint, node, ins) });
  if (stages.length === 0) fail('dockerfile contains no stages to build');
  checkStageNames(stages, lint);
  checkCommandCasing(stages, lint);

  const platformOpt = buildPlatformOpt(opt.targetPlatform, opt.buildPlatforms);
  const targetName = opt.target || stages[stages.length - 1].name;
  const shlex = new ShellLex(parsed.escapeToken, { budget: opt.expansionBudget ?? new ExpansionBudget() });
  const defaults = defaultArgs(platformOpt, buildArgs, targetName);
  // The check evaluates the global ARGs a second time: with a budget of its own, so that it
  // cannot take from the build's (it is bounded all the same).
  const checkLex = new ShellLex(parsed.escapeToken, { budget: new ExpansionBudget(shlex.budget.limits) });
  checkBaseImagesWithDefaultArgs(stages, defaultFromExpander(defaults, checkLex, metaArgs), lint);
  // Only `outline` asks for the capture: cloning it per stage costs stages × global ARGs.
  const outline = opt.outline ? new OutlineCapture() : undefined;
  const globalArgs = buildMetaArgs(defaults, shlex, metaArgs, buildArgs, outline?.allArgs);

  // The build context. Its follow-paths are known only after all stages are dispatched, so the
  // vertex is completed at the end (see finalizeContext); nothing reads it before.
  const contextState = local('context', { sharedKeyHint: 'context', localUniqueId: opt.localUniqueId, customName: '[internal] load build context' });
  const context = contextState.output!.vertex as SourceVertex;

  const ctx: Context = {
    opt,
    platformOpt,
    globalArgs,
    shlex,
    all: new DispatchStates(),
    buildArgs,
    context,
    contextState,
    outline,
    resolved: new Map(),
    config: frontendConfig(opt, buildArgs, globalArgs),
    localContexts: [],
    lint,
    fromArgKeys: [...new Set([...metaArgs.flatMap((c) => c.args.map((a) => a.key)), ...globalArgs.map(([k]) => k)])],
  };

  buildDispatchStates(ctx, stages);
  const target = resolveTarget(ctx);
  buildStageDependencyGraph(ctx);
  const reachable = await resolveStages(ctx, target);
  dispatchStages(ctx, reachable);
  // The whole target is used, so a local context it is built on sends everything.
  target.paths.add('/');
  // With `check=error=true`, any violation fails the build once every stage is converted.
  const violation = lint.violation();
  if (violation) throw violation;
  finalizeContext(ctx);
  finalizeLocalContexts(ctx);
  finalizeResultImage(ctx, target);

  return {
    output: target.state.output,
    image: target.image,
    stages: ctx.all.states
      .filter((s) => !s.unregistered)
      .map((s, index) => ({ name: s.stage.name, index, baseName: s.baseName, reachable: reachable.has(s), location: s.stage.location })),
    target: targetName,
    platform: platformOpt.targetPlatform,
    targetState: target,
    warnings: lint.warnings,
  };
}

/**
 * Expands FROM references with the global ARGs' defaults and no build args, for the
 * InvalidDefaultArgInFrom check; `undefined` when that fails (the check then stops, as in BuildKit).
 */
function defaultFromExpander(defaults: EnvList, shlex: ShellLex, metaArgs: readonly Extract<Command, { kind: 'arg' }>[]) {
  let env: EnvGetter | undefined;
  try {
    env = envGetter(buildMetaArgs(defaults, shlex, metaArgs, {}, undefined));
  } catch {
    env = undefined;
  }
  return (word: string) => {
    if (!env) return undefined;
    try {
      return shlex.processWordWithMatches(word, env);
    } catch {
      return undefined;
    }
  };
}

/**
 * Global ARGs (before the first FROM) with their values (BuildKit's `buildMetaArgs`), recorded
 * in `allArgs` for `outline` with the global ARGs each default reads.
 */
function buildMetaArgs(
  args: EnvList,
  shlex: ShellLex,
  metaArgs: readonly Extract<Command, { kind: 'arg' }>[],
  buildArgs: Readonly<Record<string, string>>,
  allArgs: Map<string, ArgInfo> | undefined,
): EnvList {
  // A Map keeps EnvList's order (a replaced key moves to the end) with O(1) updates: thousands
  // of global ARGs would otherwise cost a copy of the list each.
  const acc = new Map(args);
  const current: EnvGetter = { get: (k) => acc.get(k), keys: () => [...acc.keys()] };
  for (const cmd of metaArgs) {
    for (const kp of cmd.args) {
      let value: string | undefined;
      let deps: Set<string> | undefined;
      if (Object.hasOwn(buildArgs, kp.key)) {
        value = buildArgs[kp.key];
      } else if (kp.value !== undefined) {
        const r = located(cmd.location, () => shlex.processWordWithMatches(kp.value!, current));
        value = r.result;
        if (allArgs) {
          deps = new Set(r.used);
          if (deps.delete(kp.key)) for (const k of allArgs.get(kp.key)?.deps ?? []) deps.add(k);
        }
      }
      if (value !== undefined) {
        acc.delete(kp.key);
        acc.set(kp.key, value);
      }
      allArgs?.set(kp.key, { key: kp.key, value: value ?? '', comment: kp.comment, location: cmd.location, deps });
    }
  }
  return [...acc];
}

function buildDispatchStates(ctx: Context, stages: readonly Stage[]): void {
  stages.forEach((st, i) => {
    const env = envGetter(ctx.globalArgs);
    const lint = ctx.lint.withComments(st.node.prevComment);
    const at = st.node;
    const name = located(st.location, () => ctx.shlex.processWordWithMatches(st.baseName, env));
    checkUndeclaredFromArgs(ctx.fromArgKeys, name.unmatched, at, lint);
    if (name.result === '') fail(`base name (${st.baseName}) should not be blank`, st.location);
    const ds = new DispatchState(st, name.result, st.name);
    ds.prefixPlatform = ctx.config.multiPlatform;
    ds.epoch = ctx.config.epoch;
    ds.outline = ctx.outline?.clone();
    const used = new Set(name.used);
    if (st.platform !== '') {
      const plat = located(st.location, () => {
        try {
          return ctx.shlex.processWordWithMatches(st.platform, env);
        } catch (e) {
          if (e instanceof DockerfileError) {
            throw new DockerfileError(e.code, `failed to process arguments for platform ${st.platform}: ${e.message}`, st.location);
          }
          throw e;
        }
      });
      checkUndeclaredFromArgs(ctx.fromArgKeys, plat.unmatched, at, lint);
      checkRedundantTargetPlatform(st.platform, plat, at, env, lint);
      checkConstPlatform(st.name, plat, at, lint);
      if (plat.result === '') {
        fail(suggestAny(`empty platform value from expression ${st.platform}`, plat.unmatched, env.keys()), st.location);
      }
      try {
        ds.platform = parsePlatform(plat.result);
      } catch (e) {
        fail(`failed to parse platform ${st.platform}: ${suggestAny((e as Error).message, plat.unmatched, env.keys())}`, st.location);
      }
      for (const k of plat.used) used.add(k);
    }
    if (st.name !== '') {
      const nc = namedContextFor(ctx, st.name, ds.platform ?? ctx.platformOpt.targetPlatform, st.location);
      if (nc) {
        // The stage is replaced: none of its own settings apply.
        ds.namedContext = nc;
        ctx.all.add(ds);
        ds.base = undefined;
        return;
      }
    }
    if (st.name === '') ds.stageName = `stage-${i}`;
    ctx.all.add(ds);
    if (ds.outline) for (const k of used) ds.outline.usedArgs.add(k);
    let total = ds.baseName !== EMPTY_IMAGE_NAME && !ds.base ? 1 : 0;
    for (const c of st.commands) {
      if (c.kind === 'add' || c.kind === 'copy' || c.kind === 'run' || c.kind === 'workdir') total++;
    }
    ds.cmdTotal = total;
    ds.ignoreCache = isNoCache(ctx.config, st.name);
  });
}

/** The named context for a stage or image name, when the request has named contexts. */
function namedContextFor(ctx: Context, name: string, platform: Platform, location: SourceLocation): NamedContextMatch | undefined {
  const contexts = ctx.opt.namedContexts;
  if (!contexts || Object.keys(contexts).length === 0) return undefined;
  return located(location, () => findNamedContext(contexts, name, platform));
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

function suggestAny(message: string, unmatched: Iterable<string>, options: readonly string[]): string {
  for (const k of unmatched) {
    const m = withSuggestion(message, k, options, true);
    if (m !== message) return m;
  }
  return message;
}

function resolveTarget(ctx: Context): DispatchState {
  if (!ctx.opt.target) return ctx.all.last();
  const t = ctx.all.findByName(ctx.opt.target);
  if (!t) fail(withSuggestion(`target stage ${JSON.stringify(ctx.opt.target)} could not be found`, ctx.opt.target, ctx.all.names(), true), undefined, 'E_TARGET_NOT_FOUND');
  return t;
}

/**
 * An unregistered stage for an image or scratch read by COPY --from (located at the COPY) or by
 * a mount (not located, as in BuildKit).
 */
function unregisteredState(baseName: string, command: Command | undefined, fallback: SourceLocation): DispatchState {
  const stage: Stage = {
    kind: 'stage',
    name: '',
    nameAsWritten: '',
    origCmd: '',
    baseName,
    platform: '',
    comment: '',
    sourceCode: '',
    commands: [],
    node: command?.node as Node,
    location: command?.location ?? fallback,
  };
  const ds = new DispatchState(stage, baseName, '');
  ds.unregistered = true;
  return ds;
}

/** Finds the stages a command reads from (BuildKit's `toCommand` + `detectRunMount`). */
function toCommand(ctx: Context, cmd: Command, isOnBuild: boolean): DispatchCommand {
  const sources: (DispatchState | undefined)[] = [];
  if (cmd.kind === 'copy' && cmd.from !== '') sources.push(copyFromSource(ctx, cmd));
  if (cmd.kind === 'run') {
    for (const m of cmd.mounts) {
      // BuildKit records a source for every mount; one without `from` reads scratch (or the
      // context, decided later by its type).
      const from = m.from === '' ? EMPTY_IMAGE_NAME : m.from;
      sources.push(ctx.all.findByName(from) ?? unregisteredState(from, undefined, cmd.location));
    }
  }
  return { command: cmd, sources, isOnBuild };
}

/**
 * The stage or image `COPY --from` reads. Its errors are shown at the COPY, but BuildKit reports
 * them without a location.
 */
function copyFromSource(ctx: Context, cmd: Extract<Command, { kind: 'copy' }>): DispatchState {
  try {
    const processed = located(cmd.location, () => ctx.shlex.processWordWithMatches(cmd.from, envGetter([])));
    if (processed.result !== cmd.from) {
      fail('variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround', cmd.location);
    }
    if (/^[+-]?[0-9]+$/.test(cmd.from) && Number.isSafeInteger(Number(cmd.from))) {
      const found = ctx.all.findByIndex(Number(cmd.from));
      if (typeof found === 'string') fail(found, cmd.location);
      return found;
    }
    return ctx.all.findByName(cmd.from) ?? unregisteredState(cmd.from, cmd, cmd.location);
  } catch (e) {
    throw e instanceof Error ? withBuildKitRanges(e, []) : e;
  }
}

function buildStageDependencyGraph(ctx: Context): void {
  // New unregistered stages are appended while iterating; they have no commands of their own.
  for (let i = 0; i < ctx.all.states.length; i++) {
    const d = ctx.all.states[i];
    d.commands = d.stage.commands.map((c) => {
      const cmd = toCommand(ctx, c, false);
      addSources(ctx, d, cmd);
      return cmd;
    });
  }
  validateCircularDependency(ctx.all.states);
  if (ctx.all.states.length === 1) ctx.all.states[0].stageName = '';
}

function addSources(ctx: Context, d: DispatchState, cmd: DispatchCommand): void {
  for (const src of cmd.sources) {
    if (!src) continue;
    d.deps.set(src, cmd.command);
    if (src.unregistered && !ctx.all.has(src)) ctx.all.add(src);
  }
}

/**
 * Stages that read from each other in a circle (BuildKit's `validateCircularDependency`): named
 * after the stage the search started from, located at every instruction of the cycle (shown at
 * the first).
 */
function validateCircularDependency(states: readonly DispatchState[]): void {
  const visited = new Set<DispatchState>();
  const path = new Set<DispatchState>();
  const visit = (s: DispatchState, through: readonly (Command | undefined)[]): (Command | undefined)[] | undefined => {
    if (visited.has(s)) return undefined;
    visited.add(s);
    path.add(s);
    for (const [dep, c] of s.deps) {
      const next = [...through, c];
      if (path.has(dep)) return next;
      const cycle = visit(dep, next);
      if (cycle) return cycle;
    }
    path.delete(s);
    return undefined;
  };
  for (const s of states) {
    const cycle = visit(s, []);
    if (!cycle) continue;
    const commands = cycle.filter((c): c is Command => c !== undefined);
    const err = new DockerfileError(DockerfileErrorCode.CircularDependency, `circular dependency detected on stage: ${s.stageName}`, commands[0]?.location);
    throw withBuildKitRanges(
      err,
      commands.flatMap((c) => nodeRanges(c.node)),
    );
  }
}

async function resolveStages(ctx: Context, target: DispatchState): Promise<Set<DispatchState>> {
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
function initFromBase(d: DispatchState): void {
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

function initOnBuildTriggers(ctx: Context, d: DispatchState, triggers: readonly string[]): boolean {
  let hasNewDeps = false;
  const commands: DispatchCommand[] = [];
  const loc = d.stage.location;
  // BuildKit reports what goes wrong with a trigger at the FROM (`SetLocation`); a trigger is
  // parsed alone, so its errors have no `dockerfile parse error on line N` prefix.
  const atStage = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof DockerfileError) throw new DockerfileError(e.code, e.message, loc, { cause: e });
      throw e;
    }
  };
  for (const trigger of triggers) {
    const node = atStage(() => {
      const ast = parse(trigger, { file: ctx.opt.filename }).ast;
      if (ast.children.length !== 1) fail('onbuild trigger should be a single expression', loc);
      return ast.children[0];
    });
    // The trigger runs where the FROM is: give it the stage's lines.
    const moved: Node = { ...node, startLine: d.stage.node.startLine, endLine: d.stage.node.endLine, range: { start: loc.start, end: loc.end } };
    const ic = atStage(() => parseCommand(moved, { file: ctx.opt.filename }));
    let cmd: DispatchCommand;
    try {
      cmd = toCommand(ctx, ic, true);
    } catch (e) {
      throw e instanceof Error ? withBuildKitRanges(e, nodeRanges(d.stage.node)) : e;
    }
    if (cmd.sources.length > 0) hasNewDeps = true;
    commands.push(cmd);
    addSources(ctx, d, cmd);
  }
  d.commands = [...commands, ...d.commands];
  d.cmdTotal += commands.length;
  return hasNewDeps;
}

async function resolveReachableStages(ctx: Context, reachable: Set<DispatchState>): Promise<void> {
  const pending: Promise<void>[] = [];
  for (const d of ctx.all.states) {
    if (d.base || d.dispatched || d.resolved) continue;
    const isReachable = ctx.opt.allStages === true || reachable.has(d);
    d.resolved = isReachable;
    if (d.baseName === EMPTY_IMAGE_NAME && !d.namedContext) {
      d.state = State.scratch();
      d.image = emptyImage(ctx.platformOpt.targetPlatform);
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
      customName: prefixCommand(d, `FROM ${d.baseName}`, ctx.config.multiPlatform, platform, envGetter([])),
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

function dispatchStages(ctx: Context, reachable: Set<DispatchState>): void {
  const ignore = ignoreMatcher(ctx.opt.excludePatterns);
  for (const d of ctx.all.states) {
    if (!ctx.opt.allStages && (!reachable.has(d) || d.dispatched)) continue;
    initFromBase(d);
    d.dispatched = true;
    if (!d.platform) d.platform = ctx.platformOpt.targetPlatform;
    const os = d.platform.os;
    // BuildKit looks PATH up with its host's (Linux) key comparison: exact.
    if (os !== 'windows' && !d.image.config.Env.some((e) => envKey(e) === 'PATH')) {
      d.image.config.Env.push(`PATH=${defaultPathEnv(os)}`);
    }
    for (const e of d.image.config.Env) {
      const i = e.indexOf('=');
      d.state = d.state.addEnv(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1));
    }
    if (d.image.config.WorkingDir) {
      located(d.stage.location, () => dispatchWorkdir(d, d.image.config.WorkingDir, undefined));
    }
    if (ctx.config.hostname) d.state = d.state.hostname(ctx.config.hostname);
    if (d.image.config.User) dispatchUser(d, d.image.config.User, false);
    d.state = d.state.network(ctx.config.network);

    const dopt: DispatchOptions = {
      all: ctx.all,
      globalArgs: envGetter(ctx.globalArgs),
      buildArgValues: ctx.buildArgs,
      shlex: ctx.shlex,
      buildContext: ctx.contextState,
      proxyEnv: proxyEnvFromBuildArgs(ctx.buildArgs),
      targetPlatform: ctx.platformOpt.targetPlatform,
      cacheIdNamespace: ctx.config.cacheIdNamespace,
      lint: ctx.lint,
      ignore,
      request: ctx.config,
    };
    for (const cmd of d.commands) {
      located(cmd.command.location, () => dispatch(d, cmd, dopt));
    }
  }
}

function envKey(entry: string): string {
  const i = entry.indexOf('=');
  return i < 0 ? entry : entry.slice(0, i);
}

function dispatch(d: DispatchState, cmd: DispatchCommand, dopt: DispatchOptions): void {
  // A `# check=` comment above the instruction applies to its checks.
  const lint = dopt.lint.withComments(cmd.command.node.prevComment);
  const opt = lint === dopt.lint ? dopt : { ...dopt, lint };
  d.cmdIsOnBuild = cmd.isOnBuild;
  let c = cmd.command;
  const expandWith = (lex: ShellLex) => (word: string) => {
    const env = stateEnv(d.state);
    const r = lex.processWord(word, env);
    checkUndefinedVars(cmd.command, d.buildArgs, env, r.unmatched, lint);
    return r.result;
  };
  if (c.kind !== 'arg') c = expand(c, expandWith(opt.shlex));
  if (c.kind === 'copy' || c.kind === 'add') c = expandRaw(c, expandWith(new ShellLex('\\', { skipProcessQuotes: true, budget: opt.shlex.budget })));
  dispatchCommand(d, { ...cmd, command: c }, opt);
}

function proxyEnvFromBuildArgs(args: Readonly<Record<string, string>>) {
  const pe: { httpProxy?: string; httpsProxy?: string; ftpProxy?: string; noProxy?: string; allProxy?: string } = {};
  let set = false;
  for (const k of Object.keys(args).sort()) {
    const v = args[k];
    switch (k.toLowerCase()) {
      case 'http_proxy':
        pe.httpProxy = v;
        set = true;
        break;
      case 'https_proxy':
        pe.httpsProxy = v;
        set = true;
        break;
      case 'ftp_proxy':
        pe.ftpProxy = v;
        set = true;
        break;
      case 'no_proxy':
        pe.noProxy = v;
        set = true;
        break;
      case 'all_proxy':
        pe.allProxy = v;
        set = true;
        break;
    }
  }
  return set ? pe : undefined;
}

/** Completes the build context source with the paths the stages read and the ignore patterns. */
function finalizeContext(ctx: Context): void {
  const paths = new Set<string>();
  for (const d of ctx.all.states) for (const p of d.ctxPaths) paths.add(p);
  let follow: string[] | undefined;
  if (paths.size > 0 && !paths.has('/')) follow = [...paths].map((p) => join('.', p)).sort();
  const done = local('context', {
    sharedKeyHint: 'context',
    localUniqueId: ctx.opt.localUniqueId,
    customName: '[internal] load build context',
    ...(follow ? { followPaths: follow } : {}),
    ...(ctx.opt.excludePatterns?.length ? { excludePatterns: ctx.opt.excludePatterns } : {}),
  }).output!.vertex as SourceVertex;
  Object.assign(ctx.context as { attrs: unknown; metadata: unknown }, { attrs: done.attrs, metadata: done.metadata });
}

/**
 * Completes the `local:` named contexts with the paths their readers use, as BuildKit's
 * asynchronous local output does when it is marshalled: everything when a reader uses `/`.
 */
function finalizeLocalContexts(ctx: Context): void {
  for (const { reader, loaded } of ctx.localContexts) {
    const follow = reader.paths.size > 0 && !reader.paths.has('/') ? [...reader.paths].map((p) => join('.', p)).sort(compareGoStrings) : undefined;
    const done = local(loaded.name, { ...loaded.options, ...(follow ? { followPaths: follow } : {}) }).output!.vertex as SourceVertex;
    Object.assign(loaded.vertex.output!.vertex as { attrs: unknown; metadata: unknown }, { attrs: done.attrs, metadata: done.metadata });
  }
}

function finalizeResultImage(ctx: Context, target: DispatchState): void {
  const po = ctx.platformOpt;
  const img = target.image;
  const labels = Object.entries(ctx.config.labels);
  if (labels.length > 0) img.config.Labels = { ...img.config.Labels, ...Object.fromEntries(labels) };
  if (!po.implicitTarget) {
    const tp = po.targetPlatform;
    const sameOsArch = tp.os === img.os && tp.architecture === img.architecture;
    img.os = tp.os;
    img.architecture = tp.architecture;
    if (tp.variant || !sameOsArch) img.variant = tp.variant ?? '';
    if (tp.osVersion || !sameOsArch) img.osVersion = tp.osVersion ?? '';
    if (tp.osFeatures) img.osFeatures = [...tp.osFeatures];
  }
  const p = normalizePlatform({
    os: img.os,
    architecture: img.architecture,
    ...(img.variant ? { variant: img.variant } : {}),
    ...(img.osVersion ? { osVersion: img.osVersion } : {}),
    ...(img.osFeatures ? { osFeatures: img.osFeatures } : {}),
  });
  img.os = p.os;
  img.architecture = p.architecture;
  img.variant = p.variant ?? '';
  img.osVersion = p.osVersion ?? '';
  img.osFeatures = p.osFeatures ? [...p.osFeatures] : undefined;
}

export type { KeyValuePairOptional, ImageModel };

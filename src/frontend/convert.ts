/**
 * Dockerfile → LLB: the frontend's entry point. It runs BuildKit's `dockerfile2llb` steps in
 * order so that the graph it builds serializes to BuildKit's bytes: parse and check, global ARGs,
 * the stages (stages.ts), their base images (base-image.ts), the dispatch of every instruction of
 * the stages the target needs (commands.ts, copy.ts), then the build context and the result image.
 */
import type { SourceLocation } from '../errors.js';
import { type EnvList, envGet, local } from '../graph/state.js';
import type { Output, SourceVertex } from '../graph/types.js';
import { normalizePlatform } from '../image/platform.js';
import type { Platform } from '../image/types.js';
import { type Command, expand, expandRaw, type KeyValuePairOptional, parseInstructions } from '../instructions/index.js';
import { parse } from '../parser/index.js';
import { type EnvGetter, ExpansionBudget, ShellLex } from '../shell/index.js';
import { join } from '../util/posix-path.js';
import { compareGoStrings } from '../util/gounicode.js';
import { goParseInt } from '../util/gostrconv.js';
import { initFromBase, resolveStages } from './base-image.js';
import { dispatchCommand, dispatchUser, dispatchWorkdir } from './commands.js';
import { type Context, type ConvertOptions, fail, type FrontendConfig, located } from './conversion.js';
import type { DispatchOptions } from './dispatch-options.js';
import { type DispatchCommand, type DispatchState, DispatchStates } from './dispatch-state.js';
import { envGetter, stateEnv } from './env.js';
import type { ImageModel } from './image.js';
import { buildPlatformOpt, defaultArgs } from './platform.js';
import { defaultPathEnv } from './system-path.js';
import { type ArgInfo, OutlineCapture } from './outline-capture.js';
import { parseBuildRequest } from './request.js';
import { buildDispatchStates, buildStageDependencyGraph, resolveTarget } from './stages.js';
import { type CheckWarning, lineRanges } from './checks/linter.js';
import { newRuleLinter } from './checks/config.js';
import { ignoreMatcher } from './checks/ignore.js';
import { NoEmptyContinuation } from './checks/rules.js';
import { checkBaseImagesWithDefaultArgs, checkCommandCasing, checkInstructionNode, checkStageNames, checkUndefinedVars } from './checks/validations.js';

export type { ConvertOptions, FrontendConfig };

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
  // Field by field rather than a spread of the request: a literal of one shape is built fast.
  return {
    targetPlatforms: request.targetPlatforms,
    multiPlatform: request.multiPlatform,
    labels: request.labels,
    extraHosts: request.extraHosts,
    hostname: request.hostname,
    network: request.network,
    shmSize: request.shmSize,
    ulimits: request.ulimits,
    cgroupParent: request.cgroupParent,
    noCache: request.noCache,
    cacheIdNamespace: buildArgs.BUILDKIT_CACHE_MOUNT_NS ?? '',
    epoch,
  };
}

/**
 * Converts a Dockerfile. Throws `DockerfileError` (with a location where BuildKit has one)
 * for anything BuildKit rejects.
 */
export async function convert(text: string, opt: ConvertOptions): Promise<ConvertResult> {
  if (text.length === 0) fail('the Dockerfile cannot be empty');
  const file = opt.filename;
  const buildArgs = opt.buildArgs ?? {};
  // The lint configuration is read first; a bad `# check=` directive fails the build.
  const lint = newRuleLinter(text, buildArgs, opt.checks === false ? undefined : (opt.onWarning ?? (() => {})));
  const parsed = parse(text, { file, argumentRanges: false });
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
    fromArgKeys: fromArgKeys(metaArgs, globalArgs),
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

/** The names FROM may read: the global ARGs declared, then the predefined ones, each once. */
function fromArgKeys(metaArgs: readonly Extract<Command, { kind: 'arg' }>[], globalArgs: EnvList): string[] {
  const keys = new Set<string>();
  for (const c of metaArgs) for (const a of c.args) keys.add(a.key);
  for (const [k] of globalArgs) keys.add(k);
  return [...keys];
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
  // No global ARG: the predefined ones as they are (their keys are distinct).
  if (metaArgs.length === 0) return args;
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

function dispatchStages(ctx: Context, reachable: Set<DispatchState>): void {
  const ignore = ignoreMatcher(ctx.opt.excludePatterns);
  // The same for every stage: made once.
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
    lowerLinkedCopy: ctx.opt.lowerLinkedCopy,
  };
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
  let c = cmd.command;
  const expandWith = (lex: ShellLex) => (word: string) => {
    // Most words have nothing to expand: no environment to look at, no variable to check.
    const plain = lex.expandPlain(word);
    if (plain !== undefined) return plain;
    const env = stateEnv(d.state);
    const r = lex.processWord(word, env);
    checkUndefinedVars(cmd.command, d.buildArgs, env, r.unmatched, lint);
    return r.result;
  };
  if (c.kind !== 'arg') c = expand(c, expandWith(opt.shlex));
  // Heredoc bodies with an unquoted delimiter are expanded raw, with a lexer of their own.
  if ((c.kind === 'copy' || c.kind === 'add') && c.sourceContents.some((sc) => sc.expand)) {
    c = expandRaw(c, expandWith(new ShellLex('\\', { skipProcessQuotes: true, budget: opt.shlex.budget })));
  }
  dispatchCommand(d, c === cmd.command ? cmd : { command: c, sources: cmd.sources, isOnBuild: cmd.isOnBuild }, opt);
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

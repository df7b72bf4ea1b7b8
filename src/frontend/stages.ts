/**
 * The stages of a Dockerfile (BuildKit's `dispatchState`s): one per FROM with its name, base name
 * and platform expanded; the stages and images each command reads from (`COPY --from`, `RUN
 * --mount from=`), which become unregistered stages when they name no stage; the target; the
 * check for stages that read from each other in a circle; and ONBUILD triggers turned into
 * commands of the stage that inherits them.
 */
import { DockerfileError, DockerfileErrorCode, type SourceLocation } from '../errors.js';
import { parsePlatform } from '../image/platform.js';
import type { Platform } from '../image/types.js';
import { type Command, parseCommand, type Stage } from '../instructions/index.js';
import { parse } from '../parser/index.js';
import type { Node } from '../parser/node.js';
import { withSuggestion } from '../util/suggest.js';
import { nodeRanges } from './checks/linter.js';
import { withBuildKitRanges } from './checks/error-ranges.js';
import { checkConstPlatform, checkRedundantTargetPlatform, checkUndeclaredFromArgs } from './checks/validations.js';
import { type Context, EMPTY_IMAGE_NAME, fail, located } from './conversion.js';
import { type DispatchCommand, DispatchState } from './dispatch-state.js';
import { envGetter } from './env.js';
import { findNamedContext, type NamedContextMatch } from './named-context.js';
import { isNoCache } from './request.js';
import { fit } from '../util/arrays.js';

/**
 * One dispatch state per stage (BuildKit's first loop over the stages): the FROM's base name and
 * platform expanded with the global ARGs, a stage replaced by a named context, the number of
 * numbered steps, whether the stage ignores the cache.
 */
export function buildDispatchStates(ctx: Context, stages: readonly Stage[]): void {
  stages.forEach((st, i) => {
    const env = envGetter(ctx.globalArgs);
    const lint = ctx.lint.withComments(st.node.prevComment);
    const at = st.node;
    const name = located(st.location, () => ctx.shlex.processWordWithMatches(st.baseName, env));
    checkUndeclaredFromArgs(ctx.fromArgKeys, name.unmatched, at, lint);
    if (name.result === '') fail(`base name (${st.baseName}) should not be blank`, st.location);
    const used = new Set(name.used);
    let platform: Platform | undefined;
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
        platform = parsePlatform(plat.result);
      } catch (e) {
        fail(`failed to parse platform ${st.platform}: ${suggestAny((e as Error).message, plat.unmatched, env.keys())}`, st.location);
      }
      for (const k of plat.used) used.add(k);
    }
    const nc = st.name !== '' ? namedContextFor(ctx, st.name, platform ?? ctx.platformOpt.targetPlatform, st.location) : undefined;
    const common = { prefixPlatform: ctx.config.multiPlatform, epoch: ctx.config.epoch };
    const ds = new DispatchState(
      st,
      name.result,
      st.name === '' ? `stage-${i}` : st.name,
      nc ? { ...common, namedContext: nc } : { ...common, ignoreCache: isNoCache(ctx.config, st.name) },
    );
    ds.platform = platform;
    ds.outline = ctx.outline?.clone();
    ctx.all.add(ds);
    if (nc) {
      // The stage is replaced: none of its own settings apply.
      ds.base = undefined;
      return;
    }
    if (ds.outline) for (const k of used) ds.outline.usedArgs.add(k);
    // The numbered steps: the FROM of an image, and every ADD, COPY, RUN and WORKDIR.
    let total = ds.baseName !== EMPTY_IMAGE_NAME && !ds.base ? 1 : 0;
    for (const c of st.commands) {
      if (c.kind === 'add' || c.kind === 'copy' || c.kind === 'run' || c.kind === 'workdir') total++;
    }
    ds.steps.add(total);
  });
}

/** The named context for a stage or image name, when the request has named contexts. */
export function namedContextFor(ctx: Context, name: string, platform: Platform, location: SourceLocation): NamedContextMatch | undefined {
  const contexts = ctx.opt.namedContexts;
  if (!contexts || Object.keys(contexts).length === 0) return undefined;
  return located(location, () => findNamedContext(contexts, name, platform));
}

function suggestAny(message: string, unmatched: Iterable<string>, options: readonly string[]): string {
  for (const k of unmatched) {
    const m = withSuggestion(message, k, options, true);
    if (m !== message) return m;
  }
  return message;
}

/** The target stage: the one named by the request, or the last one. */
export function resolveTarget(ctx: Context): DispatchState {
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
  return new DispatchState(stage, baseName, '', { unregistered: true });
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
  return { command: cmd, sources: fit(sources), isOnBuild };
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

/**
 * Every stage's commands with the stages they read from (adding unregistered stages for images),
 * then the check that no stages read from each other in a circle.
 */
export function buildStageDependencyGraph(ctx: Context): void {
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
    d.addDep(src, cmd.command);
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

/**
 * Turns the ONBUILD triggers a stage inherits into commands run before its own (at the FROM).
 * True when a trigger reads from another stage or image, which then has to be resolved too.
 */
export function initOnBuildTriggers(ctx: Context, d: DispatchState, triggers: readonly string[]): boolean {
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
  d.steps.add(commands.length);
  return hasNewDeps;
}

/**
 * The per-stage conversion state (BuildKit's `dispatchState`) and the registry of stages
 * (`dispatchStates`). A stage is a FROM and its commands; besides the stages of the Dockerfile,
 * images and scratch referenced by `COPY --from` or `RUN --mount from=` become unregistered
 * stages so that they are resolved like FROM images.
 */
import type { State } from '../graph/state.js';
import type { Platform } from '../image/types.js';
import type { Command, KeyValuePairOptional, Stage } from '../instructions/index.js';
import type { ImageModel } from './image.js';
import type { NamedContextMatch } from './named-context.js';
import type { OutlineCapture } from './outline-capture.js';
import type { CheckSite } from './checks/linter.js';
import { StepCounter } from './steps.js';

/** A command with the stages it reads from (COPY --from, RUN --mount from=). */
export interface DispatchCommand {
  readonly command: Command;
  /** One entry per source; for RUN, one per mount (undefined when the mount reads the context). */
  readonly sources: readonly (DispatchState | undefined)[];
  readonly isOnBuild: boolean;
}

/** What is fixed about a stage when its state is made. */
export interface DispatchStateOptions {
  /** Step names show the platform (a multi-platform build). */
  readonly prefixPlatform?: boolean;
  /** SOURCE_DATE_EPOCH, when set. */
  readonly epoch?: { readonly rfc3339: string; readonly nanos: bigint };
  /** The request's no-cache option covers this stage: its RUN and COPY steps ignore the cache. */
  readonly ignoreCache?: boolean;
  /** An image or scratch read by `COPY --from` or a mount, not a stage of the Dockerfile. */
  readonly unregistered?: boolean;
  /** The named build context that replaces this stage. */
  readonly namedContext?: NamedContextMatch;
}

export class DispatchState {
  readonly stage: Stage;
  /** The FROM reference after expansion, then the pinned reference once resolved. */
  baseName: string;
  stageName: string;
  state!: State;
  image!: ImageModel;
  platform: Platform | undefined;
  base: DispatchState | undefined;
  /** The stages this one reads (COPY --from, RUN --mount from=), with the command that reads each. */
  deps: ReadonlyMap<DispatchState, Command | undefined> = NO_DEPS;
  commands: DispatchCommand[] = [];
  /** Paths of the build context this stage reads. */
  ctxPaths: ReadonlySet<string> = NO_PATHS;
  /**
   * Paths other stages read from this one (`COPY --from`, `RUN --mount from=`); shared along a
   * base chain, as in BuildKit. A local named context sends only these (its follow paths).
   */
  paths = new Set<string>();
  /** The named build context that replaces this stage (`--build-context NAME=…` for its name). */
  readonly namedContext: NamedContextMatch | undefined;
  buildArgs: KeyValuePairOptional[] = [];
  dispatched = false;
  resolved = false;
  onBuildInit = false;
  /** An image or scratch read by `COPY --from` or a mount, not a stage of the Dockerfile. */
  readonly unregistered: boolean;
  /** The stage's numbered steps (`[stage 2/5]`). */
  readonly steps = new StepCounter();
  /** Step names show the platform (a multi-platform build). */
  readonly prefixPlatform: boolean;
  workdirSet = false;
  /** The request's no-cache option covers this stage. */
  readonly ignoreCache: boolean;
  /** Whether CMD was set in this stage (ENTRYPOINT then keeps it). */
  cmdSet = false;
  /** See {@link usedOnce} (MultipleInstructionsDisallowed). */
  private usedOnceSites: Map<string, CheckSite> | undefined;
  /** What `outline` reports for this stage (BuildKit's `outlineCapture`). */
  outline: OutlineCapture | undefined;
  /** SOURCE_DATE_EPOCH, when set: history timestamps and created-file times. */
  readonly epoch: { readonly rfc3339: string; readonly nanos: bigint } | undefined;

  constructor(stage: Stage, baseName: string, stageName: string, options: DispatchStateOptions = {}) {
    this.stage = stage;
    this.baseName = baseName;
    this.stageName = stageName;
    this.prefixPlatform = options.prefixPlatform ?? false;
    this.epoch = options.epoch;
    this.ignoreCache = options.ignoreCache ?? false;
    this.unregistered = options.unregistered ?? false;
    this.namedContext = options.namedContext;
  }

  /** Records that this stage reads `src` (the first command that does is kept). */
  addDep(src: DispatchState, command: Command | undefined): void {
    if (this.deps === NO_DEPS) this.deps = new Map();
    (this.deps as Map<DispatchState, Command | undefined>).set(src, command);
  }

  /** Where the last CMD, ENTRYPOINT and HEALTHCHECK of this stage are, by instruction (made on first use). */
  usedOnce(): Map<string, CheckSite> {
    return (this.usedOnceSites ??= new Map<string, CheckSite>());
  }

  /** Records a path of the build context this stage reads. */
  addCtxPath(path: string): void {
    if (this.ctxPaths === NO_PATHS) this.ctxPaths = new Set();
    (this.ctxPaths as Set<string>).add(path);
  }
}

// Most stages read no other stage, and scratch and images read by a mount (an unregistered stage
// each) read nothing at all: they share these two empty collections until they add something
// (made on first use, like `usedOnce()`: four hash tables per stage were 5% of a compile's heap).
const NO_DEPS: ReadonlyMap<DispatchState, Command | undefined> = new Map();
const NO_PATHS: ReadonlySet<string> = new Set();

/** All stages in order, and the named ones by lower-cased name. */
export class DispatchStates {
  readonly states: DispatchState[] = [];
  private readonly members = new Set<DispatchState>();
  private readonly byName = new Map<string, DispatchState>();

  has(ds: DispatchState): boolean {
    return this.members.has(ds);
  }

  names(): string[] {
    return this.states.filter((s) => s.stageName !== '').map((s) => s.stageName);
  }

  /** Adds a stage; a stage whose base is an earlier stage's name gets that stage as its base. */
  add(ds: DispatchState): void {
    this.states.push(ds);
    this.members.add(ds);
    const base = this.byName.get(ds.baseName);
    if (base) {
      ds.base = base;
      ds.outline = base.outline?.clone();
    }
    if (ds.stage.name !== '') this.byName.set(ds.stage.name.toLowerCase(), ds);
  }

  findByName(name: string): DispatchState | undefined {
    return this.byName.get(name.toLowerCase());
  }

  findByIndex(index: number): DispatchState | string {
    if (index < 0 || index >= this.states.length) return `invalid stage index ${index}`;
    return this.states[index];
  }

  last(): DispatchState {
    return this.states[this.states.length - 1];
  }
}

/** Every stage `s` needs: itself, its base chain and its dependencies, transitively. */
export function reachableStages(s: DispatchState): Set<DispatchState> {
  const out = new Set<DispatchState>();
  const stack = [s];
  while (stack.length) {
    const d = stack.pop()!;
    if (out.has(d)) continue;
    out.add(d);
    if (d.base) stack.push(d.base);
    for (const dep of d.deps.keys()) stack.push(dep);
  }
  return out;
}

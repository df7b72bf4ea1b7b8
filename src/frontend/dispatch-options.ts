/** What every dispatch function (commands.ts, copy.ts) shares besides the stage it dispatches onto. */
import type { State } from '../graph/state.js';
import type { LinkedFileVertex, Output, ProxyEnv } from '../graph/types.js';
import type { Platform } from '../image/types.js';
import type { EnvGetter, ShellLex } from '../shell/index.js';
import type { PatternMatcher } from './checks/ignore.js';
import type { Linter } from './checks/linter.js';
import type { DispatchState, DispatchStates } from './dispatch-state.js';
import { commitToHistory as commitImage } from './image.js';
import type { BuildRequest } from './request.js';

/** What every dispatch function may need besides the stage. */
export interface DispatchOptions {
  readonly all: DispatchStates;
  readonly globalArgs: EnvGetter;
  readonly buildArgValues: Readonly<Record<string, string>>;
  readonly shlex: ShellLex;
  /** The build context (`local://context`). */
  readonly buildContext: State;
  readonly proxyEnv: ProxyEnv | undefined;
  readonly targetPlatform: Platform;
  /** BUILDKIT_CACHE_MOUNT_NS. */
  readonly cacheIdNamespace: string;
  /** The build checks, with the `# check=` comment above the instruction applied. */
  readonly lint: Linter;
  /** The context's `.dockerignore`, for the CopyIgnoredFile check. */
  readonly ignore: PatternMatcher | undefined;
  /** The request options every RUN gets: hosts, /dev/shm size, ulimits, cgroup parent. */
  readonly request: BuildRequest;
  /** Lowers a linked copy when it is made (ConvertOptions.lowerLinkedCopy); absent: kept annotated. */
  readonly lowerLinkedCopy: ((v: LinkedFileVertex) => Output) | undefined;
}

/** Records a history entry for the stage, stamped with SOURCE_DATE_EPOCH when set. */
export function commitToHistory(d: DispatchState, message: string, withLayer: boolean, fromState: boolean): void {
  commitImage(d.image, message, withLayer, fromState, d.epoch?.rfc3339);
}

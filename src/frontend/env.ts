/**
 * Read-only views of an environment for variable expansion: over an ordered env list (global
 * ARGs) or over a State's environment (a stage's ENV and ARG values).
 */
import { type EnvList, envGet, type State } from '../graph/state.js';
import type { EnvGetter } from '../shell/index.js';

/** An EnvGetter over an ordered env list. */
export function envGetter(env: EnvList): EnvGetter {
  return { get: (k) => envGet(env, k), keys: () => env.map(([k]) => k) };
}

/** An EnvGetter over a State's environment. */
export function stateEnv(state: State): EnvGetter {
  // Lazy: most steps read no variable, and building the list each time would make a long run
  // of ENV/ARG steps quadratic.
  return { get: (k) => state.getEnv(k), keys: () => state.envKeys() };
}

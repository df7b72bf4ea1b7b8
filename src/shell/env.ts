/** Environments for the shell lexer. */

/** Read access to the variables a word is expanded against. */
export interface EnvGetter {
  /** The value of `key`, or `undefined` when it is not set. */
  get(key: string): string | undefined;
  /** All variable names, in definition order. */
  keys(): string[];
}

/** An environment with no variables. */
export const emptyEnv: EnvGetter = {
  get: () => undefined,
  keys: () => [],
};

/**
 * An environment built from `KEY=value` strings, like BuildKit's `EnvsFromSlice`: a later
 * entry for the same key wins. An entry without `=` defines the key with an empty value.
 * With `caseInsensitive` (Windows semantics), keys are compared upper-cased.
 */
export function envFromList(list: readonly string[], options?: { caseInsensitive?: boolean }): EnvGetter {
  const norm = options?.caseInsensitive ? (k: string) => k.toUpperCase() : (k: string) => k;
  const map = new Map<string, string>();
  const keys: string[] = [];
  for (const e of list) {
    const i = e.indexOf('=');
    const k = i < 0 ? e : e.slice(0, i);
    keys.push(k);
    map.set(norm(k), i < 0 ? '' : e.slice(i + 1));
  }
  return { get: (key) => map.get(norm(key)), keys: () => keys.slice() };
}

/** An environment backed by a `Map` or a plain record (values are used as they are). */
export function envFromMap(values: ReadonlyMap<string, string> | Readonly<Record<string, string>>): EnvGetter {
  const map: Map<string, string> = values instanceof Map ? new Map<string, string>(values) : new Map<string, string>(Object.entries(values));
  return { get: (key) => map.get(key), keys: () => [...map.keys()] };
}

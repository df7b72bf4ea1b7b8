/**
 * `f` applied to each item of `list`: `list` itself (the same array) when `f` returns every item
 * unchanged, so that callers can tell "nothing changed" by identity and skip copying what holds
 * the list.
 */
export function mapSame<T>(list: readonly T[], f: (item: T) => T): readonly T[] {
  let out: T[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const item = f(list[i]);
    if (out) out.push(item);
    else if (item !== list[i]) {
      out = list.slice(0, i);
      out.push(item);
    }
  }
  return out ?? list;
}

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * One shared, frozen empty list, typed as the list a field wants: for the empty lists a compile
 * would otherwise make by the thousand (arguments without children, lines without flags, ops
 * without constraints). Nothing may write to it; in strict code a write throws.
 */
export function none<T>(): T[] {
  return EMPTY as unknown as T[];
}

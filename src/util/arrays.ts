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

/**
 * `list` with no spare room, for a list that outlives the code that built it. V8 gives an array
 * grown by `push` from `[]` room for 17 items at the first push, so a kept list of one item costs
 * about 150 bytes more than it needs, and a compile keeps thousands (arguments, flags, op inputs,
 * source ranges); every kept byte is copied by the young-generation collector. The shared empty
 * list ({@link none}) when `list` is empty, else an exact copy (the grown array dies young).
 */
export function fit<T>(list: T[]): T[] {
  return list.length === 0 ? none() : list.slice();
}

/**
 * A read-only object type with its fields writable and optional: for builders that add optional
 * fields one by one in a fixed order (every object of a kind then has the same field order, with
 * no spread of optional fields), then hand out the read-only type. Internal: not exported.
 */
export type Building<T> = { -readonly [K in keyof T]?: T[K] };

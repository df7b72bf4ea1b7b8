/**
 * The `default` of a switch that covers every member of a union: the type checker proves it
 * unreachable (`value` is `never`), so adding a member without a case fails to compile. Should a
 * value arrive anyway (from JavaScript, or a cast), it throws instead of being ignored.
 */
export function assertNever(value: never, what: string): never {
  const kind = typeof value === 'object' && value !== null && 'kind' in value ? (value as { kind: unknown }).kind : value;
  throw new TypeError(`unexpected ${what}: ${JSON.stringify(kind)}`);
}

/**
 * Node's own modules loaded when first needed, not when the program starts: a command that never
 * hashes natively or writes a temporary file does not pay for `node:crypto` (with the streams it
 * loads, a few milliseconds of a small compile's start-up).
 */
import { createRequire } from 'node:module';

type GetBuiltin = (id: string) => unknown;

let load: GetBuiltin | undefined;

/**
 * The built-in module `id` (`node:crypto`, ...): `process.getBuiltinModule` where Node has it
 * (20.16+), else `require` (any absolute base path finds a built-in).
 */
export function builtin<T>(id: string): T {
  load ??= (process as { getBuiltinModule?: GetBuiltin }).getBuiltinModule?.bind(process) ?? createRequire(process.execPath);
  return load(id) as T;
}

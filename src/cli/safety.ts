/**
 * The CLI's safety settings: `--limit NAME=N` (the bounds of {@link CompileLimits}) and the
 * registry's timeout and retries (`--registry-timeout`, `--registry-retries`, or the
 * environment variables `DOCKERFILE_LLB_REGISTRY_TIMEOUT` and `DOCKERFILE_LLB_REGISTRY_RETRIES`).
 */
import { DEFAULT_COMPILE_LIMITS, type CompileLimits } from '../compile.js';
import { limitFlagName } from '../shell/limits.js';
import { type FlagSpec, type ParsedArgs, UsageError } from './args.js';

/** Environment variable for the registry request timeout (a duration: `30s`, `500ms`, `2m`). */
export const TIMEOUT_ENV = 'DOCKERFILE_LLB_REGISTRY_TIMEOUT';
/** Environment variable for the number of registry retries. */
export const RETRIES_ENV = 'DOCKERFILE_LLB_REGISTRY_RETRIES';

const LIMIT_NAMES = Object.keys(DEFAULT_COMPILE_LIMITS) as (keyof CompileLimits)[];
const byFlagName = new Map(LIMIT_NAMES.map((n) => [limitFlagName(n), n]));

/** Flags of every command that compiles a Dockerfile. */
export const safetyFlags: readonly FlagSpec[] = [
  {
    name: 'limit',
    type: 'list',
    metavar: 'NAME=N',
    description: `Change a safety bound (${[...byFlagName.keys()].join(', ')}); sizes take k, M, G (see docs/security.md)`,
  },
  { name: 'registry-timeout', type: 'string', metavar: 'DURATION', description: `Timeout of one registry request, e.g. 10s (default 30s; or $${TIMEOUT_ENV})` },
  { name: 'registry-retries', type: 'string', metavar: 'N', description: `Retries of a failed registry request (default 3; or $${RETRIES_ENV})` },
];

/** `16M`, `512k`, `1GiB`, `1048576`: a positive integer with an optional binary suffix. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)\s*(?:([kmg])(?:i?b)?)?$/i.exec(text.trim());
  if (!m) return undefined;
  const scale = { '': 1, k: 1 << 10, m: 1 << 20, g: 1 << 30 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Number(m[1]) * scale;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** `--limit NAME=N` values as compile limits. */
export function parseLimitFlags(list: readonly string[]): Partial<CompileLimits> {
  const out: { -readonly [K in keyof CompileLimits]?: number } = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    const limit = byFlagName.get(name);
    if (limit === undefined) {
      throw new UsageError(`invalid --limit ${JSON.stringify(item)}: unknown limit ${JSON.stringify(name)} (known: ${[...byFlagName.keys()].join(', ')})`);
    }
    const value = eq < 0 ? undefined : parseSize(item.slice(eq + 1));
    if (value === undefined) throw new UsageError(`invalid --limit ${JSON.stringify(item)}: expected ${name}=N, N a positive integer (sizes may end in k, M or G)`);
    out[limit] = value;
  }
  return out;
}

/** `30s`, `1.5s`, `500ms`, `2m`, or a bare number of seconds, in milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
  return Number.isFinite(ms) && ms >= 1 && ms <= 2 ** 31 - 1 ? Math.round(ms) : undefined;
}

/** The registry's timeout and retries from the flags, else the environment, else undefined (the defaults). */
export function registrySettings(args: ParsedArgs, env: Readonly<Record<string, string | undefined>>): { timeoutMs?: number; retries?: number } {
  const out: { timeoutMs?: number; retries?: number } = {};
  const timeout = (args.flags['registry-timeout'] as string | undefined) ?? env[TIMEOUT_ENV];
  if (timeout !== undefined && timeout !== '') {
    const ms = parseDuration(timeout);
    const from = args.flags['registry-timeout'] !== undefined ? '--registry-timeout' : TIMEOUT_ENV;
    if (ms === undefined) throw new UsageError(`invalid ${from} ${JSON.stringify(timeout)}: expected a duration such as 10s, 500ms or 2m`);
    out.timeoutMs = ms;
  }
  const retries = (args.flags['registry-retries'] as string | undefined) ?? env[RETRIES_ENV];
  if (retries !== undefined && retries !== '') {
    const from = args.flags['registry-retries'] !== undefined ? '--registry-retries' : RETRIES_ENV;
    if (!/^\d{1,3}$/.test(retries.trim())) throw new UsageError(`invalid ${from} ${JSON.stringify(retries)}: expected a whole number from 0 to 999`);
    out.retries = Number(retries.trim());
  }
  return out;
}

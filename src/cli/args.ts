import { suggest } from '../util/suggest.js';

/**
 * A small, strict command-line parser: GNU-style long flags (`--file X`, `--file=X`), short
 * flags (`-f X`), repeatable list flags, booleans, `--` to end flags, and positionals.
 */

/** Bad command-line usage: exit code 2. */
export class UsageError extends Error {
  readonly code = 'E_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly type: 'string' | 'boolean' | 'list';
  readonly metavar?: string;
  readonly description: string;
}

export interface ParsedArgs {
  readonly flags: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const flags: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown flag: --${name}${suggestFlag(name, specs)}`);
    } else if (arg.startsWith('-') && arg.length > 1) {
      const name = arg.slice(1, 2);
      spec = byShort.get(name);
      if (!spec) throw new UsageError(`unknown shorthand flag: '${name}' in ${arg}`);
      if (arg.length > 2) inline = arg.slice(2).replace(/^=/, '');
    } else {
      positionals.push(arg);
      continue;
    }
    if (spec.type === 'boolean') {
      if (inline === undefined || inline === 'true') flags[spec.name] = true;
      else if (inline === 'false') flags[spec.name] = false;
      else throw new UsageError(`invalid value "${inline}" for --${spec.name}: expected true or false`);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: --${spec.name}`);
      value = argv[++i];
      // `--base-changed --images f`: the value forgotten, the next flag taken as the value.
      if (isKnownFlag(value, byLong, byShort)) throw new UsageError(`flag needs an argument: --${spec.name} (got the flag ${value}; write --${spec.name}=VALUE if that is the value)`);
    }
    if (spec.type === 'list') ((flags[spec.name] ??= []) as string[]).push(value);
    else flags[spec.name] = value;
  }
  return { flags, positionals };
}

/** Whether a word is one of the command's flags (`--images`, `--images=x`, `-f`). */
function isKnownFlag(word: string, byLong: ReadonlyMap<string, FlagSpec>, byShort: ReadonlyMap<string, FlagSpec>): boolean {
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    return byLong.has(eq >= 0 ? word.slice(2, eq) : word.slice(2));
  }
  return word.length === 2 && word.startsWith('-') && byShort.has(word.slice(1));
}

function suggestFlag(name: string, specs: readonly FlagSpec[]): string {
  const close = suggest(name, specs.map((s) => s.name), true);
  return close ? ` (did you mean --${close}?)` : '';
}

/** The help text of a flag list, aligned. */
export function formatFlags(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const left = `${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.type === 'boolean' ? '' : ` ${s.metavar ?? 'VALUE'}`}`;
    return [left, s.description + (s.type === 'list' ? ' (repeatable)' : '')] as const;
  });
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  return rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`).join('\n');
}

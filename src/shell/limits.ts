/**
 * Bounds on shell-word expansion. BuildKit has none: `ENV A1=$A0$A0` repeated 24 times asks for
 * gigabytes, and `${A:-` nested a thousand deep overflows a JavaScript stack. These bounds stop
 * such input with a {@link LimitError} long before memory, stack or time run out, and sit far
 * above anything a real Dockerfile needs (see `docs/security.md` for the measurements).
 */
import { LimitError, type LimitName } from '../errors.js';

/** Bounds on the expansion of shell words. */
export interface ExpansionLimits {
  /**
   * Longest result of expanding one word, in UTF-16 code units. Default 1 MiB (1,048,576): eight
   * times Linux's limit on one argument or environment string (128 KiB, `MAX_ARG_STRLEN`).
   */
  readonly maxWordLength: number;
  /** Deepest nesting of `${…}` forms inside one another. Default 128. */
  readonly maxNestingDepth: number;
  /**
   * Characters that all expansions sharing one {@link ExpansionBudget} (one compile) may produce
   * together. Default 64 MiB (67,108,864).
   */
  readonly maxTotalLength: number;
  /**
   * Pattern matching of `${VAR#…}`, `${VAR%…}` and `${VAR/…/…}` sharing one budget: the sum of
   * pattern length × value length. Default 2^28 (268,435,456), about two seconds of matching.
   */
  readonly maxPatternWork: number;
}

/** The default {@link ExpansionLimits}. */
export const DEFAULT_EXPANSION_LIMITS: ExpansionLimits = Object.freeze({
  maxWordLength: 1 << 20,
  maxNestingDepth: 128,
  maxTotalLength: 64 << 20,
  maxPatternWork: 1 << 28,
});

/** Checks that every given limit is a positive safe integer; returns the full set. */
export function expansionLimits(limits: Partial<ExpansionLimits> = {}): ExpansionLimits {
  const out: Record<string, number> = {};
  for (const k of Object.keys(DEFAULT_EXPANSION_LIMITS) as (keyof ExpansionLimits)[]) {
    out[k] = limits[k] ?? DEFAULT_EXPANSION_LIMITS[k];
    checkLimit(k, out[k]);
  }
  return out as unknown as ExpansionLimits;
}

/** Throws a TypeError unless `value` is a positive safe integer (a programming error, not input). */
export function checkLimit(name: LimitName, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new TypeError(`limit ${name} must be a positive integer, got ${value}`);
}

/**
 * The error for crossing `limit`: `problem` says what the input asked for; the message adds the
 * limit's name and how to raise it.
 */
export function limitError(limit: LimitName, max: number, problem: string): LimitError {
  return new LimitError(limit, max, `${problem} (limit ${limit}=${max}; raise it with \`--limit ${limitFlagName(limit)}=N\` or the compile option limits.${limit} if the Dockerfile really needs it)`);
}

/** The CLI name of a limit: `maxWordLength` → `word-length`. */
export function limitFlagName(limit: LimitName): string {
  return limit
    .replace(/^max/, '')
    .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
    .slice(1);
}

/**
 * The running totals of the expansions of one compile, shared by every lexer it uses so that a
 * Dockerfile cannot go around the bounds by spreading its work over many instructions.
 */
export class ExpansionBudget {
  readonly limits: ExpansionLimits;
  /** Characters produced so far. */
  totalLength = 0;
  /** Pattern-matching work done so far. */
  patternWork = 0;

  constructor(limits?: Partial<ExpansionLimits>) {
    this.limits = limits === undefined ? DEFAULT_EXPANSION_LIMITS : expansionLimits(limits);
  }

  /** Counts `n` more characters of expansion output. */
  spendLength(n: number): void {
    this.totalLength += n;
    if (this.totalLength > this.limits.maxTotalLength) {
      throw limitError('maxTotalLength', this.limits.maxTotalLength, `the expansions of this build would produce more than ${this.limits.maxTotalLength} characters`);
    }
  }

  /** Counts the work of matching a pattern of `patternLength` tokens against `valueLength` characters. */
  spendPatternWork(patternLength: number, valueLength: number): void {
    const work = Math.max(1, patternLength) * (valueLength + 1);
    this.patternWork += work;
    if (this.patternWork > this.limits.maxPatternWork) {
      throw limitError(
        'maxPatternWork',
        this.limits.maxPatternWork,
        `pattern matching in this build would take more than ${this.limits.maxPatternWork} steps (this pattern: ${patternLength} characters against a value of ${valueLength})`,
      );
    }
  }
}

/**
 * The rule runner (BuildKit's `linter.Linter`): which rules are on (`# check=skip=…`,
 * `experimental=…`, a `# check=` comment above an instruction), where violations go, and the
 * `check=error=true` failure.
 */
import { DockerfileError, DockerfileErrorCode } from '../../errors.js';
import { type CheckConfig, matchDirective, parseCheckOptions } from '../../parser/index.js';
import type { Node } from '../../parser/node.js';
import type { Rule } from './rules.js';

/** A position in the Dockerfile: BuildKit's `pb.Position` (checks never set a character). */
export interface CheckPosition {
  /** 1-based line. */
  readonly line: number;
}

/** A range of lines: BuildKit's `pb.Range`. */
export interface CheckRange {
  readonly start: CheckPosition;
  readonly end: CheckPosition;
}

/** Where a check fired: BuildKit's `pb.Location` (the Dockerfile is always source 0). */
export interface CheckLocation {
  readonly ranges: readonly CheckRange[];
}

/**
 * One violation of a build check, as BuildKit reports it (its `lint.Warning`): the rule, the
 * rule's description and documentation URL, the message for this violation and its location.
 */
export interface CheckWarning {
  readonly ruleName: string;
  readonly description: string;
  /** Absent for the one rule without documentation (InvalidBaseImagePlatform). */
  readonly url?: string;
  readonly detail: string;
  readonly location: CheckLocation;
}

/**
 * A build failed because `check=error=true` is set and rules were violated: BuildKit's
 * `lint violation found for rules: …`, without a location.
 */
export class LintViolationError extends DockerfileError {
  /** The violated rules, each once, in the order they first fired. */
  readonly rules: readonly string[];
  /** Every violation reported before the build stopped. */
  readonly warnings: readonly CheckWarning[];

  constructor(rules: readonly string[], warnings: readonly CheckWarning[]) {
    super(DockerfileErrorCode.LintViolation, `lint violation found for rules: ${rules.join(', ')}`);
    this.rules = rules;
    this.warnings = warnings;
  }
}

/**
 * Where a check fires: ranges, or an instruction (or stage) node, whose ranges are made only
 * when the check does fire.
 */
export type CheckSite = readonly CheckRange[] | Pick<Node, 'startLine' | 'endLine'>;

/** BuildKit's location of an instruction: one range per line it spans. */
export function nodeRanges(node: Pick<Node, 'startLine' | 'endLine'>): CheckRange[] {
  return lineRanges(node.startLine, node.endLine);
}

/** One range per line from `start` to `end` (BuildKit's `toRanges`). */
export function lineRanges(start: number, end: number): CheckRange[] {
  const out: CheckRange[] = [];
  for (let line = start; line <= Math.max(start, end); line++) out.push({ start: { line }, end: { line } });
  return out;
}

/** What every linter of one conversion shares: the sink and the rules that fired. */
interface Shared {
  readonly warn: ((w: CheckWarning) => void) | undefined;
  readonly called: string[];
  readonly warnings: CheckWarning[];
}

interface Settings {
  readonly skipAll: boolean;
  readonly skipRules: ReadonlySet<string>;
  readonly experimentalAll: boolean;
  readonly experimentalRules: ReadonlySet<string>;
  readonly returnAsError: boolean;
}

/**
 * Runs rules under one configuration. Linters made by {@link Linter.withComments} share the
 * sink and the record of fired rules with the one they came from, as BuildKit's clones do.
 */
export class Linter {
  private constructor(
    private readonly settings: Settings,
    private readonly shared: Shared,
  ) {}

  /**
   * A linter with `config` (from the `# check=` directive or `BUILDKIT_DOCKERFILE_CHECK`).
   * Without `warn`, rules do nothing and never fail the build (BuildKit without a `Warn`
   * function, as in its targets request).
   */
  static create(config: CheckConfig | undefined, warn: ((w: CheckWarning) => void) | undefined): Linter {
    return new Linter(
      {
        skipAll: config?.skipAll ?? false,
        skipRules: new Set(config?.skipRules ?? []),
        experimentalAll: config?.experimentalAll ?? false,
        experimentalRules: new Set(config?.experimentalRules ?? []),
        returnAsError: config?.returnAsError ?? false,
      },
      { warn, called: [], warnings: [] },
    );
  }

  /** Reports a violation of `rule` at `site`, unless the rule is off. */
  run<A extends readonly string[]>(rule: Rule<A>, site: CheckSite, ...args: A): void {
    const { warn } = this.shared;
    if (!warn) return;
    const s = this.settings;
    if (rule.experimental) {
      if (!s.experimentalAll && !s.experimentalRules.has(rule.name)) return;
    } else if (s.skipAll || s.skipRules.has(rule.name)) {
      return;
    }
    this.shared.called.push(rule.name);
    const ranges = Array.isArray(site) ? (site as readonly CheckRange[]) : nodeRanges(site as Pick<Node, 'startLine' | 'endLine'>);
    const w: CheckWarning = {
      ruleName: rule.name,
      description: rule.description,
      ...(rule.url !== undefined ? { url: rule.url } : {}),
      detail: rule.format(...args),
      location: { ranges: ranges.map((r) => ({ start: { line: r.start.line }, end: { line: r.end.line } })) },
    };
    this.shared.warnings.push(w);
    warn(w);
  }

  /**
   * The linter for an instruction with these comments above it: the first `# check=…` comment
   * adds its skipped and experimental rules (`error=` has no effect there). A comment that does
   * not parse ends the search and changes nothing, as in BuildKit.
   */
  withComments(comments: readonly string[]): Linter {
    if (comments.length === 0) return this;
    for (const comment of comments) {
      const m = matchDirective(comment, '');
      if (!m || m[0].toLowerCase() !== 'check') continue;
      const sp = m[1].indexOf(' ');
      const cfg = parseCheckOptions(sp < 0 ? m[1] : m[1].slice(0, sp));
      if ('error' in cfg) return this;
      return this.merged(cfg);
    }
    return this;
  }

  private merged(cfg: CheckConfig): Linter {
    const s = this.settings;
    const union = (a: ReadonlySet<string>, b: readonly string[]) => (b.length === 0 ? a : new Set([...a, ...b]));
    return new Linter(
      {
        skipAll: s.skipAll || cfg.skipAll,
        skipRules: union(s.skipRules, cfg.skipRules),
        experimentalAll: s.experimentalAll || cfg.experimentalAll,
        experimentalRules: union(s.experimentalRules, cfg.experimentalRules),
        returnAsError: s.returnAsError,
      },
      this.shared,
    );
  }

  /** Every violation reported so far, in emission order. */
  get warnings(): readonly CheckWarning[] {
    return this.shared.warnings;
  }

  /**
   * The error BuildKit fails the build with once the conversion is done: with
   * `check=error=true` and at least one violation, {@link LintViolationError}.
   */
  violation(): LintViolationError | undefined {
    if (!this.settings.returnAsError || this.shared.called.length === 0) return undefined;
    return new LintViolationError([...new Set(this.shared.called)], [...this.shared.warnings]);
  }
}

/**
 * Fixes the orders BuildKit leaves to chance, as the golden corpus and the oracle do: a run of
 * consecutive `UndefinedVar` (or `UndefinedArgInFrom`) warnings at one location comes from a Go
 * map and is sorted by detail; a run of `InvalidBaseImagePlatform` warnings comes from
 * concurrent image resolution and is sorted by line.
 */
export function stabilizeWarnings(warnings: readonly CheckWarning[]): CheckWarning[] {
  const out = [...warnings];
  const firstLine = (w: CheckWarning) => w.location.ranges[0]?.start.line ?? 0;
  const sameLocation = (a: CheckWarning, b: CheckWarning) => JSON.stringify(a.location) === JSON.stringify(b.location);
  for (let i = 0; i < out.length; ) {
    let j = i + 1;
    const rule = out[i].ruleName;
    if (rule === 'UndefinedVar' || rule === 'UndefinedArgInFrom') {
      while (j < out.length && out[j].ruleName === rule && sameLocation(out[j], out[i])) j++;
      sortRange(out, i, j, (a, b) => (a.detail < b.detail ? -1 : a.detail > b.detail ? 1 : 0));
    } else if (rule === 'InvalidBaseImagePlatform') {
      while (j < out.length && out[j].ruleName === rule) j++;
      sortRange(out, i, j, (a, b) => firstLine(a) - firstLine(b));
    }
    i = j;
  }
  return out;
}

function sortRange<T>(xs: T[], from: number, to: number, cmp: (a: T, b: T) => number): void {
  if (to - from < 2) return;
  const sorted = xs.slice(from, to).sort(cmp);
  for (let k = 0; k < sorted.length; k++) xs[from + k] = sorted[k];
}

/**
 * The `--link` report: for every COPY/ADD, whether it is linked, and what a change of its stage's
 * base image does to its digest and to the steps after it, with `--link` and without.
 *
 * The Dockerfile is compiled three ways (as written, with `--link` on every COPY/ADD, with
 * `--link` on none; the rewrites keep every line where it is), and each variant again with the
 * base image moved to another digest. Digests tell what keeps its cache key; see docs/analysis.md
 * for what that does and does not predict about a real build.
 */
import { compile, type CompileOptions } from '../compile.js';
import { diff, type DiffResult, type DiffSummary, stepRef, type StepRef, type StepStatus } from './diff.js';
import { dockerfileInfo, type InstructionInfo, stageAtLine } from './dockerfile.js';
import { parseInstruction } from '../instructions/index.js';
import { type Analysis, analyze, downstreamOf, imageRef, stageBaseImage, type Step } from './steps.js';
import { changedOptions, type ImageChange } from './whatif.js';

// ----- rewriting ------------------------------------------------------------------------------------

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

const isBlank = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r';

/** True when a raw builder flag turns `--link` on or off (`--link`, `--link=false`). */
function isLinkFlag(flag: string): boolean {
  return flag === '--link' || flag.startsWith('--link=');
}

/**
 * Turns `--link` on (or off) on every COPY and ADD of a Dockerfile (not ONBUILD triggers). Only
 * the flags change, where the parser found them: every instruction stays on its lines, so source
 * locations stay comparable. A Dockerfile the parser rejects is returned as it is.
 *
 * @param only - when given, only instructions starting on these lines are rewritten
 */
export function setLinkFlags(dockerfile: string, on: boolean, only?: ReadonlySet<number>): string {
  const info = dockerfileInfo(dockerfile);
  if (!info) return dockerfile;
  const starts = lineStarts(dockerfile);
  const offset = (p: { line: number; column: number }) => starts[p.line - 1] + p.column - 1;
  const edits: Edit[] = [];
  for (const ins of info.instructions) {
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    if (only && !only.has(ins.line)) continue;
    const { node } = ins;
    const links = node.flags.map((flag, i) => ({ flag, range: node.flagRanges[i] })).filter((f) => isLinkFlag(f.flag));
    if (on && links.length === 1 && links[0].flag === '--link') continue;
    for (const { range } of links) {
      const start = offset(range.start);
      edits.push({ start: isBlank(dockerfile[start - 1]) ? start - 1 : start, end: offset(range.end), text: '' });
    }
    if (on) {
      const kwEnd = offset(node.range.start) + node.keyword.length;
      edits.push({ start: kwEnd, end: kwEnd, text: ' --link' });
    }
  }
  edits.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = dockerfile;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

// ----- report ---------------------------------------------------------------------------------------

/** A step of a variant with its status after the base change. */
export interface StepOutcome extends StepRef {
  readonly status: StepStatus;
}

/** What a base change does to one COPY/ADD in one variant. */
export interface CopyOutcome {
  /** The copy's own file op. */
  readonly copy: StepOutcome;
  /** The merge `--link` adds (absent without `--link`, and onto scratch). */
  readonly merge?: StepOutcome;
  /** Steps that depend on the copy's result (the merge, or the copy), which change. */
  readonly laterChanged: readonly StepRef[];
  /** Steps that depend on the copy's result and keep their digest. */
  readonly laterKept: readonly StepRef[];
}

/** One COPY or ADD of the Dockerfile. */
export interface CopyReport {
  readonly instruction: 'COPY' | 'ADD';
  /** The step name as written, e.g. `[3/5] COPY --link app /app`. */
  readonly name: string;
  readonly line: number;
  readonly endLine: number;
  readonly stage?: string;
  /** Whether the Dockerfile asks for `--link` (`--link`, `--link=true`). */
  readonly linkFlag: boolean;
  /**
   * Whether the build links it (a copy onto scratch, plus a merge). BuildKit ignores `--link`
   * in some cases (e.g. with `--chmod`) and makes a plain copy: then `linkFlag` is true and
   * `linked` false.
   */
  readonly linked: boolean;
  /** The base images moved for it: its stage's base image, or the ones asked for. Empty for a scratch stage. */
  readonly baseImages: readonly string[];
  readonly withLink?: CopyOutcome;
  readonly withoutLink?: CopyOutcome;
}

/** Size of one variant of the build. */
export interface VariantSize {
  readonly ops: number;
  readonly merges: number;
}

/** One base change, over the whole build, in both variants. */
export interface BaseChange {
  readonly images: readonly string[];
  readonly withLink?: { readonly summary: DiffSummary; readonly kept: readonly StepRef[]; readonly changed: readonly StepRef[] };
  readonly withoutLink?: { readonly summary: DiffSummary; readonly kept: readonly StepRef[]; readonly changed: readonly StepRef[] };
}

/** The result of {@link linkReport}. */
export interface LinkReport {
  readonly copies: readonly CopyReport[];
  readonly variants: { readonly asWritten: VariantSize; readonly withLink?: VariantSize; readonly withoutLink?: VariantSize };
  /** The merge ops `--link` on every COPY/ADD adds. */
  readonly extraOps: readonly StepRef[];
  readonly baseChanges: readonly BaseChange[];
  /** Variants that did not compile (e.g. a flag `--link` does not combine with), with the error. */
  readonly errors: readonly { readonly variant: 'withLink' | 'withoutLink'; readonly message: string }[];
}

/** Options of {@link linkReport}. */
export interface LinkReportOptions {
  /**
   * Base images to move (with optional new digests), all at once, for every COPY/ADD. Default:
   * for each COPY/ADD, its own stage's base image alone.
   */
  readonly images?: readonly ImageChange[];
}

/** Whether a COPY/ADD asks for `--link`, as the instruction parser reads its flags. */
function linkFlagOf(node: InstructionInfo['node']): boolean {
  try {
    const cmd = parseInstruction(node);
    return (cmd.kind === 'copy' || cmd.kind === 'add') && cmd.link;
  } catch {
    return false;
  }
}

function size(a: Analysis): VariantSize {
  return { ops: a.steps.length, merges: a.steps.filter((s) => s.kind === 'merge').length };
}

function outcome(d: DiffResult, s: Step): StepOutcome {
  return { ...stepRef(s), status: d.statusOf.get(s.digest) ?? 'added' };
}

function copyOutcome(d: DiffResult, line: number): CopyOutcome | undefined {
  const atLine = d.new.steps.filter((s) => s.location?.line === line);
  const copy = atLine.find((s) => s.kind === 'file' && s.link !== 'merge' && s.name) ?? atLine.find((s) => s.kind === 'file');
  if (!copy) return undefined;
  const merge = atLine.find((s) => s.kind === 'merge' && s.link === 'merge' && s.linkPeer === copy.digest);
  const later = downstreamOf(d.new, [(merge ?? copy).digest]).filter((s) => s.kind !== 'result' && s !== merge);
  const changed = later.filter((s) => d.statusOf.get(s.digest) !== 'unchanged');
  const kept = later.filter((s) => d.statusOf.get(s.digest) === 'unchanged');
  const out: { -readonly [K in keyof CopyOutcome]: CopyOutcome[K] } = {
    copy: outcome(d, copy),
    laterChanged: changed.map(stepRef),
    laterKept: kept.map(stepRef),
  };
  if (merge) out.merge = outcome(d, merge);
  return out;
}

function wholeBuild(d: DiffResult): NonNullable<BaseChange['withLink']> {
  const fresh = d.steps.filter((e) => e.status !== 'removed' && e.step.kind !== 'result');
  return {
    summary: d.summary,
    kept: fresh.filter((e) => e.status === 'unchanged').map((e) => stepRef(e.step)),
    changed: fresh.filter((e) => e.status !== 'unchanged').map((e) => stepRef(e.step)),
  };
}

/**
 * The `--link` report of a Dockerfile. `options` are the compile options of the build as it is
 * (image metadata or a resolver are required).
 */
export async function linkReport(dockerfile: string, options: CompileOptions, reportOptions: LinkReportOptions = {}): Promise<LinkReport> {
  const asWritten = analyze(await compile(dockerfile, options));
  const info = dockerfileInfo(dockerfile);
  const errors: { variant: 'withLink' | 'withoutLink'; message: string }[] = [];
  const variantText = { withLink: setLinkFlags(dockerfile, true), withoutLink: setLinkFlags(dockerfile, false) };
  const variants: Partial<Record<'withLink' | 'withoutLink', Analysis>> = {};
  for (const v of ['withLink', 'withoutLink'] as const) {
    try {
      variants[v] = analyze(await compile(variantText[v], options));
    } catch (e) {
      errors.push({ variant: v, message: (e as Error).message });
    }
  }

  // Every COPY/ADD that made it into the build (unreachable stages produce no ops).
  const copies: { ins: NonNullable<typeof info>['instructions'][number]; step: Step; images: string[] }[] = [];
  for (const ins of info?.instructions ?? []) {
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    const step = asWritten.steps.find((s) => s.kind === 'file' && s.link !== 'merge' && s.location?.line === ins.line);
    if (!step) continue;
    let images: string[];
    if (reportOptions.images) images = reportOptions.images.map((c) => c.ref);
    else {
      const stage = step.stage ?? (info ? stageAtLine(info, ins.line)?.name : undefined);
      const base = stage !== undefined ? stageBaseImage(asWritten, stage) : undefined;
      const ref = base ? imageRef(base) : undefined;
      images = ref ? [ref] : [];
    }
    copies.push({ ins, step, images });
  }

  // One pair of diffs per distinct set of moved images.
  const scenarios = new Map<string, { images: string[]; withLink?: DiffResult; withoutLink?: DiffResult }>();
  for (const c of copies) {
    if (c.images.length === 0) continue;
    const key = c.images.join('\n');
    if (scenarios.has(key)) continue;
    const changes: ImageChange[] = reportOptions.images ? [...reportOptions.images] : c.images.map((ref) => ({ ref }));
    const sc: { images: string[]; withLink?: DiffResult; withoutLink?: DiffResult } = { images: c.images };
    for (const v of ['withLink', 'withoutLink'] as const) {
      const before = variants[v];
      if (!before) continue;
      const after = await compile(variantText[v], changedOptions(options, { image: changes }));
      sc[v] = diff(before, after);
    }
    scenarios.set(key, sc);
  }

  const reports: CopyReport[] = copies.map(({ ins, step, images }) => {
    const sc = scenarios.get(images.join('\n'));
    const r: { -readonly [K in keyof CopyReport]: CopyReport[K] } = {
      instruction: ins.keyword as 'COPY' | 'ADD',
      name: step.name,
      line: ins.line,
      endLine: ins.endLine,
      linkFlag: linkFlagOf(ins.node),
      linked: step.link === 'copy',
      baseImages: images,
    };
    if (step.stage) r.stage = step.stage;
    const withLink = sc?.withLink && copyOutcome(sc.withLink, ins.line);
    const withoutLink = sc?.withoutLink && copyOutcome(sc.withoutLink, ins.line);
    if (withLink) r.withLink = withLink;
    if (withoutLink) r.withoutLink = withoutLink;
    return r;
  });

  const baseChanges: BaseChange[] = [...scenarios.values()].map((sc) => {
    const b: { -readonly [K in keyof BaseChange]: BaseChange[K] } = { images: sc.images };
    if (sc.withLink) b.withLink = wholeBuild(sc.withLink);
    if (sc.withoutLink) b.withoutLink = wholeBuild(sc.withoutLink);
    return b;
  });

  const withoutDigests = new Set(variants.withoutLink?.steps.map((s) => s.digest) ?? []);
  const extraOps = (variants.withLink?.steps ?? []).filter((s) => s.kind === 'merge' && s.link === 'merge' && !withoutDigests.has(s.digest)).map(stepRef);
  const sizes: { -readonly [K in keyof LinkReport['variants']]: LinkReport['variants'][K] } = { asWritten: size(asWritten) };
  if (variants.withLink) sizes.withLink = size(variants.withLink);
  if (variants.withoutLink) sizes.withoutLink = size(variants.withoutLink);
  return { copies: reports, variants: sizes, extraOps, baseChanges, errors };
}

/**
 * `diff`: matches the steps of two builds and says, for each step of the new one, whether its
 * digest is unchanged, and if not, why.
 *
 * "Changed" is defined by digests alone (a step is changed iff its digest differs from its
 * matched counterpart's), so the statuses agree with BuildKit's own output by construction. The
 * matching only decides which old step a new one is compared with, to name a reason.
 */
import { type Analysis, type AnalyzeInput, analyze, type Step } from './steps.js';
import { opFieldChanges } from './fields.js';

export type StepStatus = 'unchanged' | 'changed' | 'added' | 'removed';

/** A short reference to a step, as reasons name them. */
export interface StepRef {
  readonly index: number;
  readonly digest: string;
  readonly name: string;
  readonly label: string;
}

/** Why a step is not unchanged. */
export type ChangeCause =
  /** Only its own fields differ; all its inputs are unchanged. */
  | { readonly type: 'fields'; readonly fields: readonly string[] }
  /**
   * One or more inputs changed. `input` is the nearest changed ancestor (the first changed
   * input), `inputs` all of them; `fields` its own differences, if any as well; `origins` the
   * changed steps upstream that changed for reasons of their own (or were added).
   */
  | {
      readonly type: 'input';
      readonly input: StepRef;
      readonly inputs: readonly StepRef[];
      readonly fields: readonly string[];
      readonly origins: readonly StepRef[];
    }
  /** No step of the old build matches it. */
  | { readonly type: 'added' }
  /** A step of the old build that no step of the new one matches. */
  | { readonly type: 'removed' };

/** One entry of a {@link DiffResult}. */
export interface StepDiff {
  readonly status: StepStatus;
  /** The step: of the new build, or of the old one for `removed`. */
  readonly step: Step;
  /** The matched step of the old build (`unchanged`, `changed`). */
  readonly old?: Step;
  /** Absent for `unchanged`. */
  readonly cause?: ChangeCause;
}

export interface DiffSummary {
  readonly unchanged: number;
  readonly changed: number;
  readonly added: number;
  readonly removed: number;
}

/** The result of {@link diff}. */
export interface DiffResult {
  readonly old: Analysis;
  readonly new: Analysis;
  /** One entry per step of the new build, in its Definition order, then the removed old steps. */
  readonly steps: readonly StepDiff[];
  readonly summary: DiffSummary;
  /** Status of each digest of the new build. */
  readonly statusOf: ReadonlyMap<string, StepStatus>;
}

export function stepRef(s: Step): StepRef {
  return { index: s.index, digest: s.digest, name: s.name, label: s.label };
}

const SOURCE_DIGEST = /@sha256:[0-9a-f]{64}$/;

/** Keys under which unmatched steps are paired, tried in order (each pairs one to one). */
const matchKeys: readonly ((s: Step) => string | undefined)[] = [
  // The same step name (and so the same stage and position).
  (s) => (s.name ? `${s.kind}|${s.link ?? ''}|${s.name}` : undefined),
  // The same instruction text in the same stage (positions moved).
  (s) => (s.command && s.position ? `${s.kind}|${s.link ?? ''}|${s.stage ?? ''}|${s.command}` : undefined),
  // The same Dockerfile lines (the instruction was edited).
  (s) => (s.location ? `${s.kind}|${s.link ?? ''}|${s.stage ?? ''}|${s.instruction ?? ''}|${s.location.line}` : undefined),
  // Unnamed sources: the same identifier but for a pinned digest (another image digest).
  (s) => {
    const id = (s.op.source as { identifier?: unknown } | undefined)?.identifier;
    return typeof id === 'string' ? `source|${s.stage ?? ''}|${id.replace(SOURCE_DIGEST, '')}` : undefined;
  },
  // The same position within a stage.
  (s) => (s.position ? `${s.kind}|${s.link ?? ''}|${s.stage ?? ''}|${s.position.n}` : undefined),
  // Unnamed ops of a kind, in order within their stage.
  (s) => (s.kind !== 'result' && !s.name ? `${s.kind}|${s.stage ?? ''}|unnamed` : undefined),
];

/** Pairs each step of `b` with at most one step of `a`. */
export function matchSteps(a: Analysis, b: Analysis): Map<Step, Step> {
  const match = new Map<Step, Step>();
  const used = new Set<Step>();
  for (const s of b.steps) {
    const same = a.byDigest.get(s.digest);
    if (same) {
      match.set(s, same);
      used.add(same);
    }
  }
  const lastA = a.steps[a.steps.length - 1];
  const lastB = b.steps[b.steps.length - 1];
  if (lastA && lastB && lastA.kind === 'result' && lastB.kind === 'result' && !match.has(lastB) && !used.has(lastA)) {
    match.set(lastB, lastA);
    used.add(lastA);
  }
  for (const key of matchKeys) {
    const pool = new Map<string, Step[]>();
    for (const s of a.steps) {
      if (used.has(s)) continue;
      const k = key(s);
      if (k === undefined) continue;
      const list = pool.get(k);
      if (list) list.push(s);
      else pool.set(k, [s]);
    }
    if (pool.size === 0) continue;
    for (const s of b.steps) {
      if (match.has(s)) continue;
      const k = key(s);
      const cand = k === undefined ? undefined : pool.get(k)?.find((x) => !used.has(x));
      if (cand) {
        match.set(s, cand);
        used.add(cand);
      }
    }
  }
  return match;
}

/**
 * Compares two builds. Each step of `b` is `unchanged` (same digest as its match in `a`),
 * `changed` (with the cause: its own fields, or the nearest changed input) or `added`; each step
 * of `a` that nothing in `b` matches is reported as `removed`.
 */
export function diff(a: AnalyzeInput, b: AnalyzeInput): DiffResult {
  const old = analyze(a);
  const neu = analyze(b);
  const match = matchSteps(old, neu);
  const statusOf = new Map<string, StepStatus>();
  const entryOf = new Map<string, StepDiff>();
  const originsOf = new Map<string, StepRef[]>();
  const isOrigin = new Set<string>();
  const steps: StepDiff[] = [];
  for (const s of neu.steps) {
    const o = match.get(s);
    let entry: StepDiff;
    if (!o) {
      entry = { status: 'added', step: s, cause: { type: 'added' } };
      isOrigin.add(s.digest);
    } else if (o.digest === s.digest) {
      entry = { status: 'unchanged', step: s, old: o };
    } else {
      const fields = opFieldChanges(o.op, s.op);
      const changedInputs: Step[] = [];
      s.inputs.forEach((inp, i) => {
        const st = statusOf.get(inp.digest);
        const from = neu.byDigest.get(inp.digest)!;
        if (st === 'changed' || st === 'added') {
          if (!changedInputs.includes(from)) changedInputs.push(from);
        } else if (o.inputs[i] === undefined || o.inputs[i].digest !== inp.digest) {
          // The input is an unchanged op, but not the one the old step read: rewired.
          if (!fields.includes(`inputs[${i}]`)) fields.push(`inputs[${i}]`);
        }
      });
      if (o.inputs.length > s.inputs.length && !fields.includes('inputs')) fields.push('inputs');
      if (changedInputs.length === 0) {
        entry = { status: 'changed', step: s, old: o, cause: { type: 'fields', fields: fields.length ? fields : ['op'] } };
        isOrigin.add(s.digest);
      } else {
        const origins = new Map<string, StepRef>();
        for (const inp of changedInputs) {
          if (isOrigin.has(inp.digest)) origins.set(inp.digest, stepRef(inp));
          for (const r of originsOf.get(inp.digest) ?? []) origins.set(r.digest, r);
        }
        const list = [...origins.values()].sort((x, y) => x.index - y.index);
        originsOf.set(s.digest, list);
        if (fields.length) isOrigin.add(s.digest);
        entry = {
          status: 'changed',
          step: s,
          old: o,
          cause: { type: 'input', input: stepRef(changedInputs[0]), inputs: changedInputs.map(stepRef), fields, origins: list },
        };
      }
    }
    statusOf.set(s.digest, entry.status);
    entryOf.set(s.digest, entry);
    steps.push(entry);
  }
  const matchedOld = new Set(match.values());
  for (const s of old.steps) if (!matchedOld.has(s)) steps.push({ status: 'removed', step: s, cause: { type: 'removed' } });
  const summary = { unchanged: 0, changed: 0, added: 0, removed: 0 };
  for (const e of steps) summary[e.status]++;
  return { old, new: neu, steps, summary, statusOf };
}

/**
 * A one-line human reason: `''` for unchanged steps.
 * @param labelWidth - cut step labels longer than this (with `…`); default: never
 */
export function reasonText(e: StepDiff, labelWidth = Infinity): string {
  const label = (r: StepRef) => (r.label.length > labelWidth ? `${r.label.slice(0, labelWidth - 1)}…` : r.label);
  const c = e.cause;
  if (!c) return '';
  switch (c.type) {
    case 'fields':
      return c.fields.join(', ');
    case 'added':
      return 'new step';
    case 'removed':
      return 'no longer in the build';
    case 'input': {
      let text = `input changed: ${label(c.input)}`;
      if (c.inputs.length > 1) text += ` (+${c.inputs.length - 1} more)`;
      if (c.fields.length) text += `; also ${c.fields.join(', ')}`;
      return text;
    }
  }
}

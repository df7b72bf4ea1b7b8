/**
 * Output formats of the analysis: the versioned JSON documents (schema in docs/analysis.md) and
 * the aligned text tables the CLI prints. Both are deterministic: same input, same text.
 */
import { type ChangeCause, type DiffResult, reasonText, type StepDiff, type StepRef, type StepStatus } from './diff.js';
import type { CopyOutcome, LinkReport } from './link.js';
import { type ChangeKind, type RebuildCause, rebuildReasonText, type RebuildResult, type RebuildStatus } from './rebuild.js';
import type { EntryType } from './selection.js';
import type { Analysis, LinkRole, Step, StepKind } from './steps.js';

/** The version of the JSON documents; it changes only when a field changes meaning or goes away. */
export const SCHEMA_VERSION = 1;

/** A step reference in JSON. */
export interface StepRefJson {
  readonly index: number;
  readonly name: string;
  readonly label: string;
  readonly digest: string;
}

/** The fields every step entry has. */
export interface StepJson {
  readonly index: number;
  readonly name: string;
  readonly label: string;
  readonly digest: string;
  readonly kind: StepKind;
  readonly instruction: string | null;
  readonly stage: string | null;
  readonly line: number | null;
  readonly endLine: number | null;
  readonly link: LinkRole | null;
  /** Every Dockerfile location of the op: more than one when stages share it. */
  readonly locations: readonly { readonly stage: string | null; readonly line: number; readonly endLine: number }[];
}

export type CauseJson =
  | { readonly type: 'fields'; readonly fields: readonly string[] }
  | { readonly type: 'input'; readonly input: StepRefJson; readonly inputs: readonly StepRefJson[]; readonly fields: readonly string[]; readonly origins: readonly StepRefJson[] }
  | { readonly type: 'added' }
  | { readonly type: 'removed' };

/** One entry of a diff document. */
export interface DiffStepJson extends StepJson {
  readonly status: StepStatus;
  /** One line for people; `''` for unchanged steps. */
  readonly reason: string;
  /** The structured reason; `null` for unchanged steps. */
  readonly cause: CauseJson | null;
  /** The digest of the matched old step (`null` for added and removed steps). */
  readonly oldDigest: string | null;
}

/** The JSON document of `diff` and of `explain` with a change. */
export interface DiffJson {
  readonly version: 1;
  readonly kind: 'diff';
  readonly summary: { readonly unchanged: number; readonly changed: number; readonly added: number; readonly removed: number };
  readonly steps: readonly DiffStepJson[];
}

/** The JSON document of `explain` without a change. */
export interface AnalysisJson {
  readonly version: 1;
  readonly kind: 'analysis';
  readonly stages: readonly { readonly index: number; readonly name: string; readonly line: number; readonly endLine: number; readonly from: string }[];
  readonly steps: readonly (StepJson & { readonly inputs: readonly { readonly digest: string; readonly output: number }[]; readonly linkPeer: string | null })[];
}

function refJson(r: StepRef): StepRefJson {
  return { index: r.index, name: r.name, label: r.label, digest: r.digest };
}

export function stepJson(s: Step): StepJson {
  return {
    index: s.index,
    name: s.name,
    label: s.label,
    digest: s.digest,
    kind: s.kind,
    instruction: s.instruction ?? null,
    stage: s.stage ?? null,
    line: s.location?.line ?? null,
    endLine: s.location?.endLine ?? null,
    link: s.link ?? null,
    locations: s.locations.map((l) => ({ stage: l.stage ?? null, line: l.line, endLine: l.endLine })),
  };
}

function causeJson(c: ChangeCause | undefined): CauseJson | null {
  if (!c) return null;
  if (c.type === 'input') return { type: 'input', input: refJson(c.input), inputs: c.inputs.map(refJson), fields: [...c.fields], origins: c.origins.map(refJson) };
  if (c.type === 'fields') return { type: 'fields', fields: [...c.fields] };
  return { type: c.type };
}

/** The version 1 JSON document of a diff. */
export function diffToJson(d: DiffResult): DiffJson {
  return {
    version: 1,
    kind: 'diff',
    summary: { ...d.summary },
    steps: d.steps.map((e: StepDiff) => ({
      ...stepJson(e.step),
      status: e.status,
      reason: reasonText(e),
      cause: causeJson(e.cause),
      oldDigest: e.old?.digest ?? null,
    })),
  };
}

/** The version 1 JSON document of an analysis. */
export function analysisToJson(a: Analysis): AnalysisJson {
  return {
    version: 1,
    kind: 'analysis',
    stages: a.stages.map((s) => ({ index: s.index, name: s.name, line: s.line, endLine: s.endLine, from: s.from })),
    steps: a.steps.map((s) => ({ ...stepJson(s), inputs: s.inputs.map((i) => ({ digest: i.digest, output: i.output })), linkPeer: s.linkPeer ?? null })),
  };
}

/** The version 1 JSON document of a `--link` report (the report itself, plus `version` and `kind`). */
export function linkReportToJson(r: LinkReport): { version: 1; kind: 'link-report' } & LinkReport {
  return JSON.parse(JSON.stringify({ version: 1, kind: 'link-report', ...r })) as { version: 1; kind: 'link-report' } & LinkReport;
}

/** The structured reason of a rebuild verdict in JSON. */
export type RebuildCauseJson =
  | { readonly type: 'context' | 'ignore-cache' | 'none' }
  | { readonly type: 'selects'; readonly input: StepRefJson; readonly context: boolean; readonly selector: string; readonly paths: readonly string[] }
  | { readonly type: 'input'; readonly input: StepRefJson }
  | { readonly type: 'content'; readonly input: StepRefJson; readonly selector: string }
  | { readonly type: 'unselected'; readonly input: StepRefJson; readonly selectors: readonly string[] };

/** One step of a rebuild document. */
export interface RebuildStepJson extends StepJson {
  readonly status: RebuildStatus;
  readonly reason: string;
  readonly cause: RebuildCauseJson;
}

/** The JSON document of `explain --changed` / `--since`. */
export interface RebuildJson {
  readonly version: 1;
  readonly kind: 'rebuild';
  readonly summary: { readonly rebuilds: number; readonly cached: number; readonly maybe: number };
  readonly steps: readonly RebuildStepJson[];
  readonly changes: readonly { readonly path: string; readonly kind: ChangeKind; readonly type: EntryType | null; readonly seen: boolean; readonly ignored: string | null }[];
}

function rebuildCauseJson(c: RebuildCause): RebuildCauseJson {
  switch (c.type) {
    case 'context':
    case 'ignore-cache':
    case 'none':
      return { type: c.type };
    case 'selects':
      return { type: c.type, input: refJson(c.input), context: c.context, selector: c.selector, paths: [...c.paths] };
    case 'input':
      return { type: c.type, input: refJson(c.input) };
    case 'content':
      return { type: c.type, input: refJson(c.input), selector: c.selector };
    case 'unselected':
      return { type: c.type, input: refJson(c.input), selectors: [...c.selectors] };
  }
}

/** The version 1 JSON document of a rebuild prediction. */
export function rebuildToJson(r: RebuildResult): RebuildJson {
  return {
    version: 1,
    kind: 'rebuild',
    summary: { ...r.summary },
    steps: r.steps.map((e) => ({ ...stepJson(e.step), status: e.status, reason: rebuildReasonText(e), cause: rebuildCauseJson(e.cause) })),
    changes: r.changes.map((c) => ({ path: c.change.path, kind: c.change.kind, type: c.change.type ?? null, seen: c.seen, ignored: c.ignored ?? null })),
  };
}

// ----- tables ---------------------------------------------------------------------------------------

/** Widest a STEP cell may be before it is cut (with `…`). */
export const STEP_WIDTH = 60;

function cut(s: string, width: number): string {
  const one = s.replace(/\s*\n\s*/g, ' ');
  return one.length > width ? `${one.slice(0, width - 1)}…` : one;
}

/** Renders rows as left-aligned columns separated by two spaces; trailing spaces trimmed. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return `${all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n')}\n`;
}

/** The diff as a table: step, status, reason; then a summary line. */
export function diffToTable(d: DiffResult): string {
  const rows = d.steps.map((e) => [e.status === 'removed' ? '-' : String(e.step.index), cut(e.step.label, STEP_WIDTH), e.status, reasonText(e, STEP_WIDTH)]);
  const s = d.summary;
  return `${table(['#', 'STEP', 'STATUS', 'REASON'], rows)}\n${s.unchanged} unchanged, ${s.changed} changed, ${s.added} added, ${s.removed} removed\n`;
}

/** A rebuild prediction as a table: step, verdict, reason; the changes BuildKit does not see; a summary. */
export function rebuildToTable(r: RebuildResult): string {
  const rows = r.steps.map((e) => [String(e.step.index), cut(e.step.label, STEP_WIDTH), e.status, rebuildReasonText(e, STEP_WIDTH)]);
  let out = table(['#', 'STEP', 'STATUS', 'REASON'], rows);
  const ignored = r.changes.filter((c) => !c.seen);
  if (ignored.length) out += `\n${ignored.map((c) => `${c.change.path}: not seen by BuildKit: ${c.ignored}`).join('\n')}\n`;
  const s = r.summary;
  return `${out}\n${s.rebuilds} rebuild${s.rebuilds === 1 ? "" : "s"}, ${s.cached} cached, ${s.maybe} maybe\n`;
}

/** The steps of a build as a table. */
export function analysisToTable(a: Analysis): string {
  const lines = (l: { line: number; endLine: number }) => (l.line === l.endLine ? String(l.line) : `${l.line}-${l.endLine}`);
  const rows = a.steps.map((s) => {
    // A shared op: its own stage and line first, then the other stages' in parentheses.
    const others = s.locations.filter((l) => l !== s.location);
    const also = (f: (l: (typeof others)[number]) => string) => (others.length ? ` (${others.map(f).join(', ')})` : '');
    return [
    String(s.index),
    cut(s.label, STEP_WIDTH),
    s.kind + (s.link ? ` (link ${s.link})` : ''),
    (s.stage ?? '') + also((l) => l.stage ?? '?'),
    (s.location ? lines(s.location) : '') + also(lines),
    s.inputs.map((i) => String(a.byDigest.get(i.digest)?.index ?? '?')).join(','),
    s.digest.replace(/^sha256:/, '').slice(0, 12),
    ];
  });
  return table(['#', 'STEP', 'KIND', 'STAGE', 'LINE', 'INPUTS', 'DIGEST'], rows);
}

function outcomeText(o: CopyOutcome | undefined, linked: boolean): string {
  if (!o) return 'n/a';
  const parts = [`copy ${o.copy.status === 'unchanged' ? 'kept' : o.copy.status}`];
  if (linked) parts.push(o.merge ? `merge ${o.merge.status === 'unchanged' ? 'kept' : o.merge.status}` : 'no merge');
  parts.push(`${o.laterChanged.length} later changed`);
  if (o.laterKept.length) parts.push(`${o.laterKept.length} later kept`);
  return parts.join(', ');
}

function shortImage(ref: string): string {
  return ref.replace(/@sha256:[0-9a-f]{64}$/, '').replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

/** The `--link` report as a table, then totals and the limits of the prediction. */
export function linkReportToTable(r: LinkReport): string {
  const rows = r.copies.map((c) => [
    String(c.line),
    cut(c.name, 50),
    c.linked ? 'yes' : c.linkFlag ? 'no (ignored)' : 'no',
    c.baseImages.length ? c.baseImages.map(shortImage).join(' ') : '(scratch)',
    c.baseImages.length ? outcomeText(c.withLink, true) : 'n/a',
    c.baseImages.length ? outcomeText(c.withoutLink, false) : 'n/a',
  ]);
  let out = table(['LINE', 'COPY/ADD', 'LINKED', 'BASE CHANGED', 'WITH --link', 'WITHOUT --link'], rows);
  out += '\n';
  const v = r.variants;
  if (v.withLink && v.withoutLink) {
    out += `--link on every COPY/ADD adds ${r.extraOps.length} merge op${r.extraOps.length === 1 ? '' : 's'}: ${v.withLink.ops} ops with it, ${v.withoutLink.ops} without (${v.asWritten.ops} as written).\n`;
  }
  for (const b of r.baseChanges) {
    const w = b.withLink;
    const wo = b.withoutLink;
    const part = (x: typeof w) => (x ? `${x.kept.length} of ${x.kept.length + x.changed.length} steps keep their digest` : 'did not compile');
    out += `When ${b.images.map(shortImage).join(', ')} moves: with --link ${part(w)}; without --link ${part(wo)}.\n`;
  }
  for (const e of r.errors) out += `The ${e.variant === 'withLink' ? 'with --link' : 'without --link'} variant does not compile: ${e.message}\n`;
  out += 'Digests are LLB cache-key seeds, not the daemon\'s content-based cache keys: see docs/analysis.md.\n';
  return out;
}

/**
 * `analyze`: the steps of a build, one per op of its LLB Definition, with what a person (or a
 * tool) needs to talk about them: name, instruction, Dockerfile lines, stage, inputs, kind and
 * the `--link` role.
 */
import type { CompileResult } from '../compile.js';
import type { VertexKind, VertexMetadata } from '../graph/types.js';
import { type Definition, digestOf, readDefinition } from '../llb/definition.js';
import { opLabel } from '../llb/dump.js';
import { type JsonValue, toProtoJson } from '../llb/json.js';
import { decodeMessage } from '../llb/pb/codec.js';
import { type DockerfileInfo, dockerfileInfo, instructionAtLine, type StageInfo, stageAtLine, stageNamedBy } from './dockerfile.js';

export type JsonObject = { [key: string]: JsonValue };

/** The kind of a step: the op type, or `result` for the terminal op (no body, one input). */
export type StepKind = VertexKind | 'result';

/** The label of the terminal op in tables (its `name` is empty). */
export const RESULT_LABEL = '(result)';

/** An edge into a step. */
export interface StepInput {
  /** Digest of the op the input comes from. */
  readonly digest: string;
  /** Which output of that op. */
  readonly output: number;
}

/** Dockerfile lines an op comes from (its first source-map location). */
export interface StepLocation {
  /** The source file's name in the source map, normally `Dockerfile`. */
  readonly file: string;
  readonly line: number;
  readonly endLine: number;
}

/** The `--link` role of a step. */
export type LinkRole = 'copy' | 'merge';

/** One op of a build. */
export interface Step {
  /** Position in the Definition (inputs come before the steps that use them). */
  readonly index: number;
  readonly digest: string;
  /** `llb.customname`, e.g. `[2/5] RUN make`, or `''` when the op has none. */
  readonly name: string;
  /** `name`, or for unnamed ops what they are (`docker-image://…`, `(result)`). */
  readonly label: string;
  readonly kind: StepKind;
  /**
   * The Dockerfile instruction the op comes from (`FROM`, `RUN`, `COPY`…): the instruction on its
   * source line when the Definition carries the Dockerfile, else the first word of the name.
   */
  readonly instruction?: string;
  /** The name without its `[stage N/M]` prefix (`COPY --link app /app`). */
  readonly command?: string;
  /** `N` and `M` of a `[N/M]` name prefix. */
  readonly position?: { readonly n: number; readonly total: number };
  /** The stage name (`build`, `stage-1`), from the source line or the name prefix. */
  readonly stage?: string;
  readonly location?: StepLocation;
  readonly inputs: readonly StepInput[];
  /** `copy` for the file op of a `COPY --link`/`ADD --link`, `merge` for the merge it adds. */
  readonly link?: LinkRole;
  /** For a linked copy, its merge (absent onto scratch); for a link merge, its copy. */
  readonly linkPeer?: string;
  /** The op as protojson (field names as in BuildKit's `pb.Op`). */
  readonly op: JsonObject;
  readonly metadata?: VertexMetadata;
}

/** The result of {@link analyze}. */
export interface Analysis {
  /** Every op, in Definition order; the last one is the terminal op. */
  readonly steps: readonly Step[];
  readonly byDigest: ReadonlyMap<string, Step>;
  /** The stages of the Dockerfile in the source map (empty without one). */
  readonly stages: readonly StageInfo[];
  /** The Dockerfile text from the source map, when there is one. */
  readonly dockerfile?: string;
  /** Digests of the ops that use each op as an input. */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
}

/** What {@link analyze} accepts: a Definition, its bytes, a compile result, or an analysis. */
export type AnalyzeInput = Definition | Uint8Array | CompileResult | Analysis;

const PREFIX = /^\[([^\]]*)\] ([\s\S]*)$/;
const POSITION = /^(\d+)\/(\d+)$/;
const TRUE_VALUES = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);

function isAnalysis(x: AnalyzeInput): x is Analysis {
  return !(x instanceof Uint8Array) && 'steps' in x && 'byDigest' in x;
}

/** The Definition behind any {@link AnalyzeInput} (not for analyses). */
export function definitionOf(input: Definition | Uint8Array | CompileResult): Definition {
  if (input instanceof Uint8Array) return readDefinition(input);
  if ('definition' in input && 'graph' in input) return input.definition;
  return input;
}

const textDecoder = new TextDecoder();

/**
 * The steps of a build. Accepts a Definition (decoded or serialized) or a `compile` result, so a
 * `.pb` file is enough: the Dockerfile, when needed for stages and instructions, comes from the
 * Definition's source map.
 */
export function analyze(input: AnalyzeInput): Analysis {
  if (isAnalysis(input)) return input;
  const def = definitionOf(input);
  const infoSource = def.source?.infos[0];
  const dockerfile = infoSource && (infoSource.language === 'Dockerfile' || /dockerfile/i.test(infoSource.filename)) ? textDecoder.decode(infoSource.data) : undefined;
  const info = dockerfile !== undefined ? dockerfileInfo(dockerfile) : undefined;

  const raw = def.def.map((bytes, index) => {
    const digest = digestOf(bytes);
    const op = toProtoJson('Op', decodeMessage('Op', bytes, { path: `Definition.def[${index}]` }));
    return { index, digest, bytes, op };
  });
  const steps: Step[] = raw.map(({ index, digest, bytes, op }) => {
    const metadata = def.metadata[digest];
    const name = metadata?.description?.['llb.customname'] ?? '';
    const kind = kindOf(op);
    const inputs = ((op.inputs as JsonObject[] | undefined) ?? []).map((i) => ({ digest: i.digest as string, output: Number(i.index ?? 0) }));
    const locs = def.source?.locations[digest];
    const first = locs?.find((l) => l.ranges.length > 0);
    const location: StepLocation | undefined = first
      ? {
          file: def.source?.infos[first.sourceIndex]?.filename ?? '',
          line: Math.min(...first.ranges.map((r) => r.start.line)),
          endLine: Math.max(...first.ranges.map((r) => r.end.line)),
        }
      : undefined;
    const parsed = parseName(name);
    const fromSource = info && location && first?.sourceIndex === 0 ? instructionAtLine(info, location.line) : undefined;
    const stageFromSource = info && location && first?.sourceIndex === 0 ? stageAtLine(info, location.line) : undefined;
    const label = name || (kind === 'result' ? RESULT_LABEL : opLabel(decodeMessage('Op', bytes), metadata));
    const step: { -readonly [K in keyof Step]: Step[K] } = { index, digest, name, label, kind, inputs, op };
    const instruction = fromSource?.keyword ?? parsed.instruction;
    if (instruction) step.instruction = instruction;
    if (parsed.command) step.command = parsed.command;
    if (parsed.position) step.position = parsed.position;
    const stage = stageFromSource?.name ?? parsed.stage ?? (parsed.position && info?.stages.length === 1 ? info.stages[0].name : undefined);
    if (stage) step.stage = stage;
    if (location) step.location = location;
    if (metadata) step.metadata = metadata;
    return step;
  });
  markLinks(steps);
  const byDigest = new Map(steps.map((s) => [s.digest, s]));
  const dependents = new Map<string, string[]>();
  for (const s of steps) {
    for (const i of s.inputs) {
      const list = dependents.get(i.digest) ?? [];
      if (!list.includes(s.digest)) list.push(s.digest);
      dependents.set(i.digest, list);
    }
  }
  const out: { -readonly [K in keyof Analysis]: Analysis[K] } = { steps, byDigest, stages: info?.stages ?? [], dependents };
  if (dockerfile !== undefined) out.dockerfile = dockerfile;
  return out;
}

function kindOf(op: JsonObject): StepKind {
  for (const k of ['source', 'exec', 'file', 'merge', 'diff', 'build'] as const) if (op[k] !== undefined) return k;
  return 'result';
}

interface ParsedName {
  stage?: string;
  position?: { n: number; total: number };
  command?: string;
  instruction?: string;
}

/** Splits `[linux/amd64 build 2/5] RUN make` into its parts. */
export function parseName(name: string): ParsedName {
  if (!name) return {};
  const out: ParsedName = {};
  const m = PREFIX.exec(name);
  let command = name;
  if (m) {
    command = m[2];
    const words = m[1].split(' ');
    const pos = POSITION.exec(words[words.length - 1]);
    if (pos) {
      out.position = { n: Number(pos[1]), total: Number(pos[2]) };
      const stage = words.length >= 2 ? words[words.length - 2] : undefined;
      if (stage && !stage.includes('/')) out.stage = stage;
    } else {
      // `[internal] load build context` and the like: not an instruction.
      out.command = command;
      return out;
    }
  }
  out.command = command;
  const words = command.split(/\s+/);
  const keyword = words[0] === 'LINK' ? words[1] : words[0];
  if (keyword && /^[A-Za-z]+$/.test(keyword)) out.instruction = keyword.toUpperCase();
  return out;
}

/** The builder flags of an instruction text (`COPY --link --from=x a b` → `--link`, `--from=x`). */
export function commandFlags(command: string): string[] {
  const words = command.split(/\s+/);
  const start = words[0] === 'LINK' ? 2 : 1;
  const flags: string[] = [];
  for (let i = start; i < words.length && words[i].startsWith('--'); i++) flags.push(words[i]);
  return flags;
}

/** True when the flags turn `--link` on (`--link`, `--link=true`). */
export function hasLinkFlag(flags: readonly string[]): boolean {
  let on = false;
  for (const f of flags) {
    if (f === '--link') on = true;
    else if (f.startsWith('--link=')) on = TRUE_VALUES.has(f.slice('--link='.length));
  }
  return on;
}

/**
 * Marks `--link` copies and their merges. A link merge shares its progress group with the copy
 * it layers on top of its base; without metadata, a merge named `… LINK …` and a file op whose
 * command has `--link` are recognised by name.
 */
function markLinks(steps: Step[]): void {
  const byDigest = new Map(steps.map((s) => [s.digest, s as { -readonly [K in keyof Step]: Step[K] }]));
  for (const m of byDigest.values()) {
    if (m.kind !== 'merge') continue;
    const group = m.metadata?.progressGroup?.id;
    const named = /^LINK /.test(m.command ?? '');
    const copy = [...m.inputs]
      .reverse()
      .map((i) => byDigest.get(i.digest))
      .find((s) => s?.kind === 'file' && ((group !== undefined && s.metadata?.progressGroup?.id === group) || (named && hasLinkFlag(commandFlags(s.command ?? '')))));
    if (!copy || (group === undefined && !named)) continue;
    m.link = 'merge';
    m.linkPeer = copy.digest;
    copy.link = 'copy';
    copy.linkPeer = m.digest;
  }
  for (const s of byDigest.values()) {
    if (s.kind !== 'file' || s.link !== undefined) continue;
    // A linked copy onto scratch has no merge: BuildKit marks its progress group weak. Without
    // metadata: `--link` in the name and no action writing onto an input of the op. (BuildKit
    // ignores `--link` in some cases, e.g. with `--chmod`, and makes a plain copy.)
    const weak = s.metadata?.progressGroup?.weak === true;
    const inputCount = s.inputs.length;
    const actions = ((s.op.file as JsonObject | undefined)?.actions as JsonObject[] | undefined) ?? [];
    const ontoScratch = actions.every((a) => {
      const i = Number(a.input ?? 0);
      return i < 0 || i >= inputCount;
    });
    const named = (s.instruction === 'COPY' || s.instruction === 'ADD') && hasLinkFlag(commandFlags(s.command ?? ''));
    if (named && (weak || (s.metadata === undefined && ontoScratch))) s.link = 'copy';
  }
}

/**
 * The base image of a stage: the image source op on its FROM line, following `FROM otherstage`.
 * `undefined` for scratch (or when the analysis has no Dockerfile).
 */
export function stageBaseImage(analysis: Analysis, stageName: string): Step | undefined {
  const info = analysis.dockerfile !== undefined ? dockerfileInfo(analysis.dockerfile) : undefined;
  if (!info) return undefined;
  let stage = info.stages.find((s) => s.name === stageName);
  for (let guard = 0; stage && guard <= info.stages.length; guard++) {
    const line = stage.line;
    const image = analysis.steps.find((s) => s.kind === 'source' && s.location?.line === line && imageRef(s) !== undefined);
    if (image) return image;
    stage = stageNamedBy(info, stage.from, stage.index);
  }
  return undefined;
}

/** The reference of an image source step (`docker.io/library/alpine:3.20@sha256:…`). */
export function imageRef(step: Step): string | undefined {
  const id = (step.op.source as JsonObject | undefined)?.identifier;
  return typeof id === 'string' && id.startsWith('docker-image://') ? id.slice('docker-image://'.length) : undefined;
}

/** Every step that depends on `digest`, transitively (not including it), in Definition order. */
export function downstreamOf(analysis: Analysis, digests: Iterable<string>): Step[] {
  const seen = new Set<string>();
  const stack = [...digests];
  while (stack.length) {
    const d = stack.pop()!;
    for (const u of analysis.dependents.get(d) ?? []) {
      if (!seen.has(u)) {
        seen.add(u);
        stack.push(u);
      }
    }
  }
  return analysis.steps.filter((s) => seen.has(s.digest));
}

export type { DockerfileInfo, StageInfo };

/**
 * `analyze`: the steps of a build, one per op of its LLB Definition, with what a person (or a
 * tool) needs to talk about them: name, instruction, Dockerfile lines, stage, inputs, kind and
 * the `--link` role. Everything is read from the typed graph ({@link decodeGraph}); the protojson
 * view of each op (`op`) is kept for display and for naming changed fields.
 */
import type { CompileResult } from '../compile.js';
import type { Vertex, VertexKind, VertexMetadata } from '../graph/types.js';
import { type Definition, digestOf, readDefinition } from '../llb/definition.js';
import { opLabel } from '../llb/dump.js';
import { type JsonValue, toProtoJson } from '../llb/json.js';
import { decodeGraph } from '../llb/marshal.js';
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

/** Dockerfile lines an op comes from (one source-map location). */
export interface StepLocation {
  /** The source file's name in the source map, normally `Dockerfile`. */
  readonly file: string;
  readonly line: number;
  readonly endLine: number;
  /** The stage whose lines these are (when the source is the Dockerfile). */
  readonly stage?: string;
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
  /**
   * The stage name (`build`, `stage-1`). An op that several stages share (BuildKit builds
   * identical ops once) has a location in each; this is the stage its name names.
   */
  readonly stage?: string;
  /** The location in {@link stage} (the first location when the name names no stage). */
  readonly location?: StepLocation;
  /** Every source-map location of the op, in source-map order (more than one when shared). */
  readonly locations: readonly StepLocation[];
  readonly inputs: readonly StepInput[];
  /** `copy` for the file op of a `COPY --link`/`ADD --link`, `merge` for the merge it adds. */
  readonly link?: LinkRole;
  /** For a linked copy, its merge (absent onto scratch); for a link merge, its copy. */
  readonly linkPeer?: string;
  /** The op as a typed vertex; absent for the terminal op. */
  readonly vertex?: Vertex;
  /** The op as protojson (field names as in BuildKit's `pb.Op`), for display. */
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

type MutableStep = { -readonly [K in keyof Step]: Step[K] };

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
  const graph = decodeGraph(def);
  const digestOfVertex = (v: Vertex) => graph.digests.get(v)!;

  const steps: MutableStep[] = def.def.map((bytes, index) => {
    const digest = digestOf(bytes);
    const pb = decodeMessage('Op', bytes, { path: `Definition.def[${index}]` });
    const vertex = graph.vertices.get(digest);
    const metadata = def.metadata[digest];
    const name = metadata?.description?.['llb.customname'] ?? '';
    const kind: StepKind = vertex?.kind ?? 'result';
    let inputs: StepInput[];
    if (vertex) inputs = vertex.inputs.map((o) => ({ digest: digestOfVertex(o.vertex), output: o.index }));
    else if (index === def.def.length - 1 && graph.root) inputs = [{ digest: digestOfVertex(graph.root.vertex), output: graph.root.index }];
    else inputs = [];
    const parsed = parseName(name);
    const locations: StepLocation[] = (def.source?.locations[digest] ?? [])
      .filter((l) => l.ranges.length > 0)
      .map((l) => {
        const line = Math.min(...l.ranges.map((r) => r.start.line));
        const loc: { -readonly [K in keyof StepLocation]: StepLocation[K] } = {
          file: def.source?.infos[l.sourceIndex]?.filename ?? '',
          line,
          endLine: Math.max(...l.ranges.map((r) => r.end.line)),
        };
        const stage = info && l.sourceIndex === 0 ? stageAtLine(info, line)?.name : undefined;
        if (stage !== undefined) loc.stage = stage;
        return loc;
      });
    // The location in the stage the name names; BuildKit names a shared op after one of them.
    const location = (parsed.stage !== undefined ? locations.find((l) => l.stage === parsed.stage) : undefined) ?? locations[0];
    const label = name || (kind === 'result' ? RESULT_LABEL : opLabel(pb, metadata));
    const step: MutableStep = { index, digest, name, label, kind, inputs, locations, op: toProtoJson('Op', pb) };
    if (vertex) step.vertex = vertex;
    const fromSource = info && location?.stage !== undefined ? instructionAtLine(info, location.line) : undefined;
    const instruction = fromSource?.keyword ?? parsed.instruction;
    if (instruction) step.instruction = instruction;
    if (parsed.command) step.command = parsed.command;
    if (parsed.position) step.position = parsed.position;
    const stage = location?.stage ?? parsed.stage ?? (parsed.position && info?.stages.length === 1 ? info.stages[0].name : undefined);
    if (stage) step.stage = stage;
    if (location) step.location = location;
    if (metadata) step.metadata = metadata;
    return step;
  });
  markLinks(steps);
  const byDigest = new Map<string, Step>(steps.map((s) => [s.digest, s]));
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
    const words = m[1].split(' ').filter((w) => w !== '');
    const pos = POSITION.exec(words[words.length - 1] ?? '');
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

/**
 * Marks `--link` copies and their merges, from the graph alone. BuildKit lowers a linked copy
 * into a file op onto scratch whose progress group is *weak*, and (onto a non-scratch state) a
 * merge of the base and that file op, in the same progress group, not weak. Nothing else it
 * emits has a weak progress group. (BuildKit ignores `--link` in some cases, e.g. with
 * `--chmod`, and makes a plain copy: that copy is not marked, whatever its name says.)
 */
function markLinks(steps: MutableStep[]): void {
  const byDigest = new Map(steps.map((s) => [s.digest, s]));
  for (const s of steps) {
    const group = s.vertex?.metadata?.progressGroup;
    if (s.vertex?.kind === 'file' && group?.weak === true) s.link = 'copy';
  }
  for (const m of steps) {
    if (m.vertex?.kind !== 'merge') continue;
    const group = m.vertex.metadata?.progressGroup;
    if (!group || group.weak) continue;
    const copy = [...m.inputs]
      .reverse()
      .map((i) => byDigest.get(i.digest))
      .find((s) => s?.link === 'copy' && s.linkPeer === undefined && s.vertex?.metadata?.progressGroup?.id === group.id);
    if (!copy) continue;
    m.link = 'merge';
    m.linkPeer = copy.digest;
    copy.linkPeer = m.digest;
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
  const v = step.vertex;
  return v?.kind === 'source' && v.identifier.startsWith('docker-image://') ? v.identifier.slice('docker-image://'.length) : undefined;
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

/**
 * What the analysis needs to know about the Dockerfile text itself: its stages (FROM lines) and
 * which instruction covers a given line. Works on the Dockerfile that a Definition carries in its
 * source map, so a `.pb` file is enough.
 */
import { parse } from '../parser/index.js';
import type { Node } from '../parser/index.js';

/** A stage of the Dockerfile: one FROM instruction and the lines up to the next one. */
export interface StageInfo {
  /** 0-based position among the FROM instructions. */
  readonly index: number;
  /** The `AS` name, lower-cased, or `stage-N` for an unnamed stage (as BuildKit names it). */
  readonly name: string;
  /** True when the stage has an `AS` name. */
  readonly named: boolean;
  /** The FROM argument as written (`alpine:3.20`, `build`, `${BASE}`). */
  readonly from: string;
  /** Line of the FROM instruction (1-based). */
  readonly line: number;
  /** Last line of the stage (the line before the next FROM, or the end of the file). */
  readonly endLine: number;
}

/** One instruction of the Dockerfile, with its lines. */
export interface InstructionInfo {
  /** Upper-cased keyword (`RUN`, `COPY`…); for ONBUILD, `ONBUILD`. */
  readonly keyword: string;
  readonly line: number;
  readonly endLine: number;
  /** Raw builder flags (`--link`, `--from=build`). */
  readonly flags: readonly string[];
  /** The parse node (for rewrites). */
  readonly node: Node;
}

/** The parsed shape of a Dockerfile, or `undefined` parts when it does not parse. */
export interface DockerfileInfo {
  readonly text: string;
  readonly stages: readonly StageInfo[];
  readonly instructions: readonly InstructionInfo[];
  readonly escapeToken: '\\' | '`';
}

/** Parses `text`; returns `undefined` when it is not a Dockerfile the parser accepts. */
export function dockerfileInfo(text: string): DockerfileInfo | undefined {
  let result;
  try {
    result = parse(text);
  } catch {
    return undefined;
  }
  const instructions: InstructionInfo[] = result.ast.children.map((node) => ({
    keyword: node.value.toUpperCase(),
    line: node.startLine,
    endLine: node.endLine,
    flags: node.flags,
    node,
  }));
  const froms = instructions.filter((i) => i.keyword === 'FROM');
  const lastLine = text.split('\n').length;
  const stages = froms.map((f, index): StageInfo => {
    const args = f.node.next.map((n) => n.value);
    const asName = args.length >= 3 && args[1].toLowerCase() === 'as' ? args[2].toLowerCase() : undefined;
    const next = froms[index + 1];
    return {
      index,
      name: asName ?? `stage-${index}`,
      named: asName !== undefined,
      from: args[0] ?? '',
      line: f.line,
      endLine: next ? next.line - 1 : Math.max(lastLine, f.endLine),
    };
  });
  return { text, stages, instructions, escapeToken: result.escapeToken };
}

/** The stage whose lines contain `line`. */
export function stageAtLine(info: DockerfileInfo, line: number): StageInfo | undefined {
  let found: StageInfo | undefined;
  for (const s of info.stages) if (s.line <= line) found = s;
  return found;
}

/** The instruction that covers `line`. */
export function instructionAtLine(info: DockerfileInfo, line: number): InstructionInfo | undefined {
  return info.instructions.find((i) => i.line <= line && line <= i.endLine);
}

/**
 * The stage a FROM argument names, when it names an earlier stage (by name, case-insensitively,
 * or by index), as BuildKit resolves `FROM build`.
 */
export function stageNamedBy(info: DockerfileInfo, from: string, before: number): StageInfo | undefined {
  const lower = from.toLowerCase();
  for (const s of info.stages) {
    if (s.index >= before) break;
    if ((s.named && s.name === lower) || String(s.index) === from) return s;
  }
  return undefined;
}

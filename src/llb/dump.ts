/**
 * Human- and tool-readable views of a Definition: the JSON lines of `buildctl debug dump-llb`
 * and a Graphviz DOT graph.
 */
import type { VertexMetadata } from '../graph/types.js';
import { type Definition, digestOf, metadataToPb } from './definition.js';
import { type JsonValue, toProtoJson } from './json.js';
import { decodeMessage, type PbMessage } from './pb/codec.js';

/**
 * `pb.OpMetadata` as protojson, the way `buildctl debug dump-llb` prints it: proto field names,
 * a field absent when it is unset.
 */
export interface OpMetadataJson {
  readonly ignore_cache?: boolean;
  /** Free text; `llb.customname` is the step name, `com.docker.dockerfile.v1.command` the instruction. */
  readonly description?: { readonly [key: string]: string };
  readonly export_cache?: { readonly Value?: boolean };
  /** The LLB capabilities the op needs (`source.image`, `exec.mount.cache`, ...). */
  readonly caps?: { readonly [cap: string]: boolean };
  readonly progress_group?: { readonly id?: string; readonly name?: string; readonly weak?: boolean };
}

/** One op as `buildctl debug dump-llb` prints it. */
export interface DumpEntry {
  readonly Op: { [key: string]: JsonValue };
  readonly Digest: string;
  readonly OpMetadata?: OpMetadataJson;
}

/** The ops of `def` in Definition order, with digests and metadata. */
export function dumpDefinition(def: Definition): DumpEntry[] {
  return def.def.map((bytes, i) => {
    const digest = digestOf(bytes);
    const op = toProtoJson('Op', decodeMessage('Op', bytes, { path: `Definition.def[${i}]` }));
    const md = def.metadata[digest];
    return md ? { Op: op, Digest: digest, OpMetadata: metadataJson(md) } : { Op: op, Digest: digest };
  });
}

/** protojson of op metadata. */
export function metadataJson(md: VertexMetadata): OpMetadataJson {
  // toProtoJson follows the schema, whose OpMetadata has exactly OpMetadataJson's fields.
  return toProtoJson('OpMetadata', metadataToPb(md));
}

function shortDigest(d: string): string {
  return d.replace(/^sha256:/, '').slice(0, 12);
}

/** A one-line label for an op: its step name when it has one, else what it does. */
export function opLabel(op: PbMessage, md: VertexMetadata | undefined): string {
  const name = md?.description?.['llb.customname'];
  if (name) return name;
  if (op.source) return (op.source as PbMessage).identifier as string;
  if (op.exec) return ((((op.exec as PbMessage).meta as PbMessage | undefined)?.args as string[]) ?? []).join(' ');
  if (op.file) {
    const actions = ((op.file as PbMessage).actions as PbMessage[] | undefined) ?? [];
    return actions.map((a) => Object.keys(a).find((k) => ['copy', 'mkfile', 'mkdir', 'rm', 'symlink'].includes(k))).join(', ');
  }
  if (op.merge) return 'merge';
  if (op.diff) return 'diff';
  if (op.build) return 'build';
  return 'result';
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Graphviz DOT of a Definition: one node per op (boxes for execs, ellipses otherwise, a double
 * circle for the result), one edge per input labelled with the output index when it is not 0.
 */
export function definitionToDot(def: Definition): string {
  const lines = ['digraph llb {', '  rankdir=TB;', '  node [fontname="Helvetica" fontsize=10];'];
  for (const bytes of def.def) {
    const digest = digestOf(bytes);
    const op = decodeMessage('Op', bytes);
    const label = `${opLabel(op, def.metadata[digest])}\n${shortDigest(digest)}`;
    const shape = op.exec ? 'box' : op.merge || op.diff ? 'diamond' : op.file ? 'note' : op.source ? 'ellipse' : 'doublecircle';
    lines.push(`  ${dotString(digest)} [label=${dotString(label)} shape=${shape}];`);
    for (const inp of op.inputs ?? []) {
      const index = BigInt(inp.index ?? 0);
      const attrs = index !== 0n ? ` [label=${dotString(String(index))}]` : '';
      lines.push(`  ${dotString(inp.digest ?? '')} -> ${dotString(digest)}${attrs};`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

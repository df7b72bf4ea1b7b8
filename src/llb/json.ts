/**
 * protojson rendering of LLB messages, as BuildKit's tools print them: proto field names,
 * 64-bit integers as strings, enums by name, bytes in base64, zero values left out.
 */
import { isBytes } from '../util/bytes.js';
import type { FieldDescriptor } from './pb/descriptor.js';
import { decodeMessage, type PbMessage, UNKNOWN_FIELDS } from './pb/codec.js';
import { schema } from './pb/schema.generated.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const enumNameCache = new Map<string, Map<number, string>>();

function enumName(type: string, n: number): string | number {
  let names = enumNameCache.get(type);
  if (!names) {
    names = new Map(Object.entries(schema.enums[type]).map(([k, v]) => [v, k]));
    enumNameCache.set(type, names);
  }
  return names.get(n) ?? n;
}

export { base64 } from '../util/base64.js';
import { base64 } from '../util/base64.js';

function scalarJson(f: FieldDescriptor, v: unknown): JsonValue {
  if (f.kind === 'enum') return enumName(f.type, v as number);
  if (typeof v === 'bigint') return v.toString();
  if (isBytes(v)) return base64(v);
  return v as JsonValue;
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === 0n || v === false || (isBytes(v) && v.length === 0);
}

/** Renders a decoded message of type `type` as protojson. */
export function toProtoJson(type: string, msg: PbMessage): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const f of schema.messages[type]) {
    const v = msg[f.name];
    if (v === undefined) continue;
    switch (f.kind) {
      case 'message':
        out[f.name] = f.repeated
          ? (v as PbMessage[]).map((m) => toProtoJson(f.type, m))
          : toProtoJson(f.type, v as PbMessage);
        break;
      case 'map': {
        const m: { [key: string]: JsonValue } = {};
        for (const key of Object.keys(v as object).sort()) {
          const item = (v as Record<string, unknown>)[key];
          m[key] = f.valueKind === 'message' ? toProtoJson(f.type, item as PbMessage) : scalarJson(f, item);
        }
        if (Object.keys(m).length) out[f.name] = m;
        break;
      }
      default:
        if (f.repeated) {
          if ((v as unknown[]).length) out[f.name] = (v as unknown[]).map((x) => scalarJson(f, x));
        } else if (f.oneof || !isZero(v)) {
          out[f.name] = scalarJson(f, v);
        }
    }
  }
  if (msg[UNKNOWN_FIELDS]) out[UNKNOWN_FIELDS] = (msg[UNKNOWN_FIELDS] as Uint8Array[]).map(base64);
  return out;
}

/** protojson of serialized op bytes. */
export function opJson(bytes: Uint8Array): { [key: string]: JsonValue } {
  return toProtoJson('Op', decodeMessage('Op', bytes));
}

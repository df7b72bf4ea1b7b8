/**
 * Field-level differences between two ops, named the way a person reads them: `exec.meta.args`,
 * `env PATH`, `mount /root/.cache`, `source attr local.followpaths`, `source identifier`.
 *
 * Input digests are left out: whether an input changed is the diff's business (it names the
 * changed input step instead). Which output of an input an op reads is a field like any other.
 */
import type { JsonValue } from '../llb/json.js';
import type { JsonObject } from './steps.js';

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function equal(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return false;
}

function envMap(v: JsonValue | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of Array.isArray(v) ? v : []) {
    const s = typeof e === 'string' ? e : JSON.stringify(e);
    const eq = s.indexOf('=');
    m.set(eq >= 0 ? s.slice(0, eq) : s, eq >= 0 ? s.slice(eq + 1) : '');
  }
  return m;
}

function keyedChanges(a: Map<string, JsonValue>, b: Map<string, JsonValue>, label: (k: string) => string): string[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.filter((k) => !equal(a.get(k), b.get(k))).map(label);
}

function mountsByDest(v: JsonValue | undefined): Map<string, JsonValue> {
  const m = new Map<string, JsonValue>();
  for (const x of Array.isArray(v) ? v : []) {
    if (!isObject(x)) continue;
    let dest = typeof x.dest === 'string' ? x.dest : x.dest == null ? '' : JSON.stringify(x.dest);
    while (m.has(dest)) dest += ' ';
    m.set(dest, x);
  }
  return m;
}

function walk(path: string, a: JsonValue | undefined, b: JsonValue | undefined, out: string[]): void {
  if (equal(a, b)) return;
  switch (path) {
    case 'exec.meta.env':
      out.push(...keyedChanges(envMap(a), envMap(b), (k) => `env ${k}`));
      return;
    case 'exec.mounts':
      out.push(...keyedChanges(mountsByDest(a), mountsByDest(b), (k) => `mount ${k.trimEnd()}`));
      return;
    case 'source.attrs': {
      const ma = new Map(Object.entries(isObject(a) ? a : {}));
      const mb = new Map(Object.entries(isObject(b) ? b : {}));
      out.push(...keyedChanges(ma, mb, (k) => `source attr ${k}`));
      return;
    }
    case 'source.identifier':
      out.push('source identifier');
      return;
  }
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])]) walk(path ? `${path}.${k}` : k, a[k], b[k], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.some(isObject)) {
    a.forEach((x, i) => walk(`${path}[${i}]`, x, b[i], out));
    return;
  }
  out.push(path);
}

/**
 * The names of the fields in which op `b` differs from op `a`, input digests aside. Each name
 * appears once, in the order of the op's fields.
 */
export function opFieldChanges(a: JsonObject, b: JsonObject): string[] {
  const strip = (op: JsonObject): JsonObject => {
    const { inputs, ...rest } = op;
    const outputs = ((inputs as JsonObject[] | undefined) ?? []).map((i) => ({ index: i.index ?? '0' }));
    return outputs.length ? { ...rest, inputs: outputs } : rest;
  };
  const out: string[] = [];
  walk('', strip(a), strip(b), out);
  return [...new Set(out.map((p) => p.replace(/^inputs\[(\d+)\]\.index$/, 'inputs[$1] output')))];
}

// The LLB of a build as SLSA provenance (mode=max) records it: BuildKit's `buildConfig.llbDefinition`,
// ops in post-order from the result, inputs as `stepN:index`, and our Definitions in the same shape,
// so that BuildKit's frontend's LLB and ours compare op by op (scripts/named-contexts-e2e.mjs and the
// named-context tests).

/** Source attributes that name a session or a client's unique id, which differ between any two builds. */
export const SESSION_ATTRS = ['local.session', 'local.unique', 'oci.session'];

/** Go-JSON ops of a Definition in provenance's step order (post-order from the result), inputs as step refs. */
export function stepsOf(dump) {
  const byDigest = new Map(dump.map((e) => [e.Digest, e.Op]));
  const order = [];
  const seen = new Set();
  const walk = (d) => {
    if (seen.has(d)) return;
    seen.add(d);
    for (const i of byDigest.get(d).inputs ?? []) walk(i.digest);
    order.push(d);
  };
  walk(dump[dump.length - 1].Digest);
  const index = new Map(order.map((d, i) => [d, i]));
  return order.map((d) => {
    const { inputs, ...op } = byDigest.get(d);
    const src = op.source;
    if (src?.attrs) {
      const attrs = { ...src.attrs };
      for (const k of SESSION_ATTRS) delete attrs[k];
      op.source = { ...src, attrs };
      if (Object.keys(attrs).length === 0) delete op.source.attrs;
    }
    return { op, inputs: (inputs ?? []).map((i) => `step${index.get(i.digest)}:${i.index ?? 0}`) };
  });
}


/**
 * One form for both sides' op JSON: our dump writes int64 fields as strings and flattens oneofs
 * (protojson's habits), Go's encoding/json of the provenance writes numbers, wraps file actions in
 * `Action` and keeps zero values. Zero values are left out on both sides (proto3 does not tell them
 * from absent ones), numeric strings read as numbers, and `Action` wrappers are unwrapped.
 */
export function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) return Number(v);
  if (!v || typeof v !== 'object') return v;
  const flat = v.Action && typeof v.Action === 'object' ? { ...v, ...v.Action, Action: undefined } : v;
  const out = {};
  for (const k of Object.keys(flat).sort()) {
    const x = canon(flat[k]);
    const zero = x === undefined || x === null || x === 0 || x === false || x === '' || (Array.isArray(x) && x.length === 0) || (typeof x === 'object' && x && !Array.isArray(x) && Object.keys(x).length === 0);
    if (!zero) out[k] = x;
  }
  return out;
}

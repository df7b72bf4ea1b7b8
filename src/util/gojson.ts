/**
 * JSON encoding with the output of Go's `encoding/json`, which BuildKit uses for attribute
 * values such as `local.followpaths`: it escapes `<`, `>`, `&`, U+2028 and U+2029, and turns
 * lone surrogates into U+FFFD.
 */

function escapeGo(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's `json.Marshal` of a string. */
export function goJsonString(s: string): string {
  const wellFormed = s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  return escapeGo(JSON.stringify(wellFormed));
}

/** Go's `json.Marshal` of a string slice. */
export function goJsonStringArray(items: readonly string[]): string {
  return `[${items.map(goJsonString).join(',')}]`;
}

/**
 * JSON encoding with the output of Go's `encoding/json`, which BuildKit uses for attribute
 * values such as `local.followpaths`: it escapes `<`, `>`, `&`, U+2028 and U+2029, and turns
 * lone surrogates into U+FFFD.
 */

function escapeGo(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Whether JSON.stringify already writes `s` as Go does: nothing to escape, no surrogate. */
function plain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029 || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/** Go's `json.Marshal` of a string. */
export function goJsonString(s: string): string {
  if (plain(s)) return JSON.stringify(s);
  const wellFormed = s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  return escapeGo(JSON.stringify(wellFormed));
}

/** Go's `json.Marshal` of a string slice. */
export function goJsonStringArray(items: readonly string[]): string {
  if (items.every(plain)) return JSON.stringify(items);
  return `[${items.map(goJsonString).join(',')}]`;
}

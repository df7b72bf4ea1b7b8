/**
 * Decoding of exec-form arguments with the semantics of Go's `json.Unmarshal` into `[]any`:
 * the same grammar, nesting limit, number range errors and surrogate handling. Iterative,
 * so hostile nesting cannot overflow the stack.
 */

/** A string element of the array and its span (quotes included) in the input. */
export interface JsonItem {
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

export type JsonArrayResult =
  | { readonly kind: 'ok'; readonly items: JsonItem[] }
  /** Valid JSON array with an element that is not a string (BuildKit's hard error). */
  | { readonly kind: 'notStrings' }
  /** Not a JSON array Go would accept: the caller falls back to shell form. */
  | { readonly kind: 'invalid' };

const MAX_DEPTH = 10000;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  return i;
}

function hex4(s: string, i: number): number {
  if (i + 4 > s.length) return -1;
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = s.charCodeAt(i + k);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Parses a string at `i` (a `"`); returns [decoded, end] or undefined. */
function parseString(s: string, i: number, decode: boolean): [string, number] | undefined {
  let out = '';
  let j = i + 1;
  let runStart = j;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c === 0x22) {
      if (decode) out += s.slice(runStart, j);
      return [out, j + 1];
    }
    if (c < 0x20) return undefined;
    if (c !== 0x5c) {
      j++;
      continue;
    }
    if (decode) out += s.slice(runStart, j);
    const e = s.charCodeAt(j + 1);
    j += 2;
    switch (e) {
      case 0x22: out += '"'; break;
      case 0x5c: out += '\\'; break;
      case 0x2f: out += '/'; break;
      case 0x62: out += '\b'; break;
      case 0x66: out += '\f'; break;
      case 0x6e: out += '\n'; break;
      case 0x72: out += '\r'; break;
      case 0x74: out += '\t'; break;
      case 0x75: {
        const u = hex4(s, j);
        if (u < 0) return undefined;
        j += 4;
        if (u >= 0xd800 && u <= 0xdbff) {
          // a high surrogate must be followed by an escaped low surrogate, else U+FFFD
          if (s.charCodeAt(j) === 0x5c && s.charCodeAt(j + 1) === 0x75) {
            const lo = hex4(s, j + 2);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              out += String.fromCharCode(u, lo);
              j += 6;
              break;
            }
          }
          out += '\ufffd';
        } else if (u >= 0xdc00 && u <= 0xdfff) {
          out += '\ufffd';
        } else {
          out += String.fromCharCode(u);
        }
        break;
      }
      default:
        return undefined;
    }
    runStart = j;
  }
  return undefined;
}

/** Scans a number at `i`; returns [end, finite] or undefined. */
function scanNumber(s: string, i: number): [number, boolean] | undefined {
  const start = i;
  if (s.charCodeAt(i) === 0x2d) i++;
  const digit = (k: number) => {
    const c = s.charCodeAt(k);
    return c >= 0x30 && c <= 0x39;
  };
  if (s.charCodeAt(i) === 0x30) i++;
  else if (digit(i)) while (digit(i)) i++;
  else return undefined;
  if (s.charCodeAt(i) === 0x2e) {
    i++;
    if (!digit(i)) return undefined;
    while (digit(i)) i++;
  }
  const e = s.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = s.charCodeAt(i);
    if (sign === 0x2b || sign === 0x2d) i++;
    if (!digit(i)) return undefined;
    while (digit(i)) i++;
  }
  return [i, Number.isFinite(Number(s.slice(start, i)))];
}

/** Parses an object key and its colon at `i` (after whitespace); returns the index after `:`. */
function objectKey(s: string, i: number): number | undefined {
  i = skipWs(s, i);
  if (s.charCodeAt(i) !== 0x22) return undefined;
  const k = parseString(s, i, false);
  if (!k) return undefined;
  i = skipWs(s, k[1]);
  return s.charCodeAt(i) === 0x3a ? i + 1 : undefined;
}

/**
 * Skips any JSON value at `i`, starting at nesting depth `depth`. Returns [end, rangeError]
 * or undefined when the text is not valid JSON.
 */
function skipValue(s: string, i: number, depth: number): [number, boolean] | undefined {
  // stack of open containers: 0x5d (]) or 0x7d (})
  const stack: number[] = [];
  let rangeError = false;
  for (;;) {
    i = skipWs(s, i);
    const c = s.charCodeAt(i);
    // parse one value
    if (c === 0x5b || c === 0x7b) {
      if (depth + stack.length + 1 > MAX_DEPTH) return undefined;
      stack.push(c === 0x5b ? 0x5d : 0x7d);
      i = skipWs(s, i + 1);
      if (s.charCodeAt(i) === stack[stack.length - 1]) {
        stack.pop();
        i++;
      } else {
        if (c === 0x7b) {
          const after = objectKey(s, i);
          if (after === undefined) return undefined;
          i = after;
        }
        continue;
      }
    } else if (c === 0x22) {
      const r = parseString(s, i, false);
      if (!r) return undefined;
      i = r[1];
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const r = scanNumber(s, i);
      if (!r) return undefined;
      i = r[0];
      if (!r[1]) rangeError = true;
    } else if (s.startsWith('true', i)) i += 4;
    else if (s.startsWith('false', i)) i += 5;
    else if (s.startsWith('null', i)) i += 4;
    else return undefined;
    // after a value: close containers or continue with the next element
    for (;;) {
      if (stack.length === 0) return [i, rangeError];
      i = skipWs(s, i);
      const d = s.charCodeAt(i);
      const close = stack[stack.length - 1];
      if (d === close) {
        stack.pop();
        i++;
        continue;
      }
      if (d !== 0x2c) return undefined;
      i++;
      if (close === 0x7d) {
        const after = objectKey(s, i);
        if (after === undefined) return undefined;
        i = after;
      }
      break;
    }
  }
}

/**
 * Decodes `text` (which starts with `[`) as Go would decode it into `[]any`, then classifies
 * it as BuildKit's `parseJSON` does.
 */
export function parseJsonArray(text: string): JsonArrayResult {
  let i = skipWs(text, 0);
  if (text.charCodeAt(i) !== 0x5b) return { kind: 'invalid' };
  i = skipWs(text, i + 1);
  const items: JsonItem[] = [];
  let notString = false;
  let rangeError = false;
  if (text.charCodeAt(i) === 0x5d) {
    i++;
  } else {
    for (;;) {
      const start = i;
      if (text.charCodeAt(i) === 0x22) {
        const r = parseString(text, i, true);
        if (!r) return { kind: 'invalid' };
        items.push({ value: r[0], start, end: r[1] });
        i = r[1];
      } else {
        const r = skipValue(text, i, 1);
        if (!r) return { kind: 'invalid' };
        notString = true;
        if (r[1]) rangeError = true;
        i = r[0];
      }
      i = skipWs(text, i);
      const c = text.charCodeAt(i);
      if (c === 0x2c) {
        i = skipWs(text, i + 1);
        continue;
      }
      if (c === 0x5d) {
        i++;
        break;
      }
      return { kind: 'invalid' };
    }
  }
  if (skipWs(text, i) !== text.length) return { kind: 'invalid' };
  if (rangeError) return { kind: 'invalid' };
  if (notString) return { kind: 'notStrings' };
  return { kind: 'ok', items };
}

/**
 * Number, boolean and duration parsing with Go's `strconv` and `time` semantics, including
 * the exact error texts (`strconv.ParseInt: parsing "x": invalid syntax`,
 * `time: invalid duration "fast"`). Functions return a result object instead of throwing so
 * callers can wrap the message the way BuildKit does.
 */
import { goQuote } from './goquote.js';

/** Either a value or Go's error text. */
export type GoResult<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): GoResult<T> => ({ ok: true, value });
const fail = <T>(error: string): GoResult<T> => ({ ok: false, error });

/** Go's `strconv.ParseBool`. */
export function goParseBool(s: string): GoResult<boolean> {
  switch (s) {
    case '1': case 't': case 'T': case 'true': case 'TRUE': case 'True':
      return ok(true);
    case '0': case 'f': case 'F': case 'false': case 'FALSE': case 'False':
      return ok(false);
  }
  return fail(`strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax`);
}

function parseDigits(s: string, base: number): bigint | undefined {
  if (s.length === 0) return undefined;
  let v = 0n;
  const b = BigInt(base);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x7a) d = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x5a) d = c - 0x41 + 10;
    else return undefined;
    if (d >= base) return undefined;
    v = v * b + BigInt(d);
  }
  return v;
}

/** Go's `strconv.ParseUint(s, base, bitSize)` for an explicit base (2..36). */
export function goParseUint(s: string, base: number, bitSize: number): GoResult<number> {
  const v = parseDigits(s, base);
  if (v === undefined) return fail(`strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`);
  if (v >= 1n << BigInt(bitSize)) return fail(`strconv.ParseUint: parsing ${goQuote(s)}: value out of range`);
  return ok(Number(v));
}

/** Go's `strconv.ParseInt(s, base, bitSize)` for an explicit base (2..36). */
export function goParseInt(s: string, base: number, bitSize: number): GoResult<number> {
  const r = goParseBigInt(s, base, bitSize);
  return r.ok ? ok(Number(r.value)) : r;
}

/** Go's `strconv.ParseInt(s, base, bitSize)`, exact for every int64. */
export function goParseBigInt(s: string, base: number, bitSize: number): GoResult<bigint> {
  let body = s;
  let neg = false;
  if (body.startsWith('+') || body.startsWith('-')) {
    neg = body[0] === '-';
    body = body.slice(1);
  }
  const v = parseDigits(body, base);
  if (v === undefined) return fail(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const limit = 1n << BigInt(bitSize - 1);
  if ((!neg && v >= limit) || (neg && v > limit)) {
    return fail(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  }
  return ok(neg ? -v : v);
}

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  '\u00b5s': 1000n,
  '\u03bcs': 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const LIMIT = 1n << 63n;
const MAX_INT64 = LIMIT - 1n;

/**
 * Go's `time.ParseDuration`. The value is in nanoseconds; it is exact up to 2^53 ns (about
 * 104 days), which covers every realistic HEALTHCHECK duration.
 */
export function goParseDuration(input: string): GoResult<number> {
  const orig = input;
  const invalid = () => fail<number>(`time: invalid duration ${goQuote(orig)}`);
  let s = input;
  let d = 0n;
  let neg = false;
  if (s !== '') {
    const c = s[0];
    if (c === '-' || c === '+') {
      neg = c === '-';
      s = s.slice(1);
    }
  }
  if (s === '0') return ok(0);
  if (s === '') return invalid();
  while (s !== '') {
    if (!(s[0] === '.' || (s[0] >= '0' && s[0] <= '9'))) return invalid();
    // integer part
    let i = 0;
    while (i < s.length && s[i] >= '0' && s[i] <= '9') i++;
    const pre = i !== 0;
    let v = i > 0 ? BigInt(s.slice(0, i)) : 0n;
    if (v > LIMIT) return invalid();
    s = s.slice(i);
    // fraction
    let f = 0n;
    let scale = 1n;
    let post = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (j < s.length && s[j] >= '0' && s[j] <= '9') {
        if (!overflow) {
          if (f > MAX_INT64 / 10n) overflow = true;
          else {
            const y = f * 10n + BigInt(s.charCodeAt(j) - 0x30);
            if (y > MAX_INT64) overflow = true;
            else {
              f = y;
              scale *= 10n;
            }
          }
        }
        j++;
      }
      post = j !== 0;
      s = s.slice(j);
    }
    if (!pre && !post) return invalid();
    // unit
    let k = 0;
    while (k < s.length && s[k] !== '.' && !(s[k] >= '0' && s[k] <= '9')) k++;
    if (k === 0) return fail(`time: missing unit in duration ${goQuote(orig)}`);
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = UNIT_NS[u];
    if (unit === undefined) return fail(`time: unknown unit ${goQuote(u)} in duration ${goQuote(orig)}`);
    if (v > LIMIT / unit) return invalid();
    v *= unit;
    if (f > 0n) {
      // Go computes the fractional part in float64; mirror it for identical rounding.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / Number(scale))));
      if (v > LIMIT) return invalid();
    }
    d += v;
    if (d > LIMIT) return invalid();
  }
  if (neg) return ok(Number(-d));
  if (d > MAX_INT64) return invalid();
  return ok(Number(d));
}

/**
 * The part of Go's `net/url` that BuildKit's Dockerfile frontend relies on for remote sources:
 * `url.Parse` (with its errors), `URL.String`, `URL.Query` / `url.ParseQuery` and the escaping
 * rules behind them. The WHATWG `URL` class normalizes differently (lower-cased hosts, default
 * ports, dot segments, IDNA), so it cannot stand in for Go's parser.
 *
 * Follows Go 1.26: hosts in brackets must hold an IPv6 address (`netip.ParseAddr`), and an
 * `http`/`https` host may hold only one colon (`urlstrictcolons=1`, the 1.26 default).
 *
 * Strings are JavaScript strings; escapes are computed on their UTF-8 bytes as Go does. The one
 * divergence: a percent-escape that decodes to invalid UTF-8 becomes U+FFFD here, where Go keeps
 * the raw byte (BuildKit then fails to marshal such a string into LLB anyway).
 */
import { goQuote } from '../util/goquote.js';

/** Go's `url.Userinfo`. */
export interface GoUserinfo {
  readonly username: string;
  readonly password: string;
  readonly passwordSet: boolean;
}

/** Go's `url.URL`. `path` and `fragment` are decoded; `rawPath`/`rawFragment` are encoding hints. */
export interface GoUrl {
  readonly scheme: string;
  readonly opaque: string;
  readonly user: GoUserinfo | undefined;
  readonly host: string;
  readonly path: string;
  readonly rawPath: string;
  readonly omitHost: boolean;
  readonly forceQuery: boolean;
  readonly rawQuery: string;
  readonly fragment: string;
  readonly rawFragment: string;
}

/** A parse result: the URL, or Go's error text (`parse "…": …`). */
export type GoUrlResult = { readonly ok: true; readonly url: GoUrl } | { readonly ok: false; readonly error: string };

/** Go's `url.Values`: each key's values, keys in order of first appearance. */
export type GoUrlValues = Map<string, string[]>;

const enum Mode {
  Path = 1,
  PathSegment,
  Host,
  Zone,
  UserPassword,
  QueryComponent,
  Fragment,
}

const UPPER_HEX = '0123456789ABCDEF';
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return 0;
}

/** Go's `shouldEscape` for one byte (non-ASCII bytes always escape). */
function shouldEscape(c: number, mode: Mode): boolean {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return false;
  const ch = String.fromCharCode(c);
  if (mode === Mode.Host || mode === Mode.Zone) {
    if ('!$&\'()*+,;=:[]<>"'.includes(ch)) return false;
  }
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case Mode.Path:
        return ch === '?';
      case Mode.PathSegment:
        return ch === '/' || ch === ';' || ch === ',' || ch === '?';
      case Mode.UserPassword:
        return ch === '@' || ch === '/' || ch === '?' || ch === ':';
      case Mode.QueryComponent:
        return true;
      case Mode.Fragment:
        return false;
      default:
        break;
    }
  }
  if (mode === Mode.Fragment && '!()*'.includes(ch)) return false;
  return true;
}

/** Go's `escape`: percent-encodes the UTF-8 bytes that `mode` does not allow. */
function escape(s: string, mode: Mode): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      if (cp === 0x20 && mode === Mode.QueryComponent) out += '+';
      else if (shouldEscape(cp, mode)) out += '%' + UPPER_HEX[cp >> 4] + UPPER_HEX[cp & 15];
      else out += ch;
      continue;
    }
    for (const b of utf8Encoder.encode(ch)) out += '%' + UPPER_HEX[b >> 4] + UPPER_HEX[b & 15];
  }
  return out;
}

type Unescaped = { ok: true; value: string } | { ok: false; error: string };

/** Go's `unescape`, with its `EscapeError` / `InvalidHostError` texts. */
function unescape(s: string, mode: Mode): Unescaped {
  let n = 0;
  let hasPlus = false;
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      n++;
      if (i + 2 >= s.length || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) {
        return { ok: false, error: `invalid URL escape ${goQuote(s.slice(i, i + 3))}` };
      }
      if (mode === Mode.Host && unhex(s.charCodeAt(i + 1)) < 8 && s.slice(i, i + 3) !== '%25') {
        return { ok: false, error: `invalid URL escape ${goQuote(s.slice(i, i + 3))}` };
      }
      if (mode === Mode.Zone) {
        const v = (unhex(s.charCodeAt(i + 1)) << 4) | unhex(s.charCodeAt(i + 2));
        if (s.slice(i, i + 3) !== '%25' && v !== 0x20 && shouldEscape(v, Mode.Host)) {
          return { ok: false, error: `invalid URL escape ${goQuote(s.slice(i, i + 3))}` };
        }
      }
      i += 3;
    } else if (c === 0x2b) {
      hasPlus = mode === Mode.QueryComponent;
      i++;
    } else {
      if ((mode === Mode.Host || mode === Mode.Zone) && c < 0x80 && shouldEscape(c, mode)) {
        return { ok: false, error: `invalid character ${goQuote(s[i])} in host name` };
      }
      i++;
    }
  }
  if (n === 0 && !hasPlus) return { ok: true, value: s };

  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      bytes.push((unhex(s.charCodeAt(i + 1)) << 4) | unhex(s.charCodeAt(i + 2)));
      i += 2;
    } else if (c === 0x2b) {
      bytes.push(mode === Mode.QueryComponent ? 0x20 : 0x2b);
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      const cp = s.codePointAt(i)!;
      if (cp > 0xffff) i++;
      for (const b of utf8Encoder.encode(String.fromCodePoint(cp))) bytes.push(b);
    }
  }
  return { ok: true, value: utf8Decoder.decode(new Uint8Array(bytes)) };
}

/** Go's `url.QueryUnescape`. */
export function goQueryUnescape(s: string): Unescaped {
  return unescape(s, Mode.QueryComponent);
}

/** Go's `url.QueryEscape`. */
export function goQueryEscape(s: string): string {
  return escape(s, Mode.QueryComponent);
}

/** Go's `url.PathEscape`. */
export function goPathEscape(s: string): string {
  return escape(s, Mode.PathSegment);
}

function containsCtlByte(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Go's `getScheme`. */
function getScheme(raw: string): { scheme: string; rest: string } | { error: string } {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) continue;
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) return { scheme: '', rest: raw };
      continue;
    }
    if (c === 0x3a) {
      if (i === 0) return { error: 'missing protocol scheme' };
      return { scheme: raw.slice(0, i), rest: raw.slice(i + 1) };
    }
    return { scheme: '', rest: raw };
  }
  return { scheme: '', rest: raw };
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  if (port[0] !== ':') return false;
  for (let i = 1; i < port.length; i++) {
    const c = port.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function validUserinfo(s: string): boolean {
  for (const ch of s) {
    if (/^[A-Za-z0-9]$/.test(ch)) continue;
    if ("-._:~!$&'()*+,;=%@".includes(ch)) continue;
    return false;
  }
  return true;
}

/** `netip.parseIPv4Fields` on `s`: undefined when valid, else the reason. */
function ipv4Error(s: string): string | undefined {
  let val = 0;
  let pos = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && val === 0) return 'IPv4 field has octet with leading zero';
      val = val * 10 + (c - 0x30);
      digits++;
      if (val > 255) return 'IPv4 field has value >255';
    } else if (c === 0x2e) {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.') return 'IPv4 field must have at least one digit';
      if (pos === 3) return 'IPv4 address too long';
      pos++;
      val = 0;
      digits = 0;
    } else {
      return 'unexpected character';
    }
  }
  return pos < 3 ? 'IPv4 address too short' : undefined;
}

/** `netip.parseIPv6` on `s`: undefined when valid, else the reason. */
function ipv6Error(input: string): string | undefined {
  let s = input;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (pct === s.length - 1) return 'zone must be a non-empty string';
    s = s.slice(0, pct);
  }
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return undefined;
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const c = s.charCodeAt(off);
      if (!isHex(c)) break;
      acc = acc * 16 + unhex(c);
      if (off > 3) return 'each group must have 4 or less digits';
      if (acc > 0xffff) return 'IPv6 field has value >=2^16';
    }
    if (off === 0) return 'each colon-separated field must have at least one digit';
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && i !== 12) return 'embedded IPv4 address must replace the final 2 fields of the address';
      if (i + 4 > 16) return 'too many hex fields to fit an embedded IPv4 at the end of the address';
      const err = ipv4Error(s);
      if (err !== undefined) return err;
      s = '';
      i += 4;
      break;
    }
    i += 2;
    s = s.slice(off);
    if (s === '') break;
    if (s[0] !== ':') return 'unexpected character, want colon';
    if (s.length === 1) return 'colon must be followed by more characters';
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return 'multiple :: in address';
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return 'trailing garbage after address';
  if (i < 16) return ellipsis < 0 ? 'address string too short' : undefined;
  return ellipsis >= 0 ? 'the :: must expand to at least one field of zeros' : undefined;
}

/** What `netip.ParseAddr(s)` gives for an address in brackets: its family, or the error text. */
function parseBracketAddr(s: string): 'v4' | 'v6' | { error: string } {
  const fail = (msg: string) => ({ error: `ParseAddr(${goQuote(s)}): ${msg}` });
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '.') {
      const err = ipv4Error(s);
      return err === undefined ? 'v4' : fail(err);
    }
    if (s[i] === ':') {
      const err = ipv6Error(s);
      return err === undefined ? 'v6' : fail(err);
    }
    if (s[i] === '%') return fail('missing IPv6 address');
  }
  return fail('unable to parse IP');
}

type HostResult = { ok: true; host: string } | { ok: false; error: string };

/** Go 1.26's `parseHost(scheme, host)`. */
function parseHost(scheme: string, host: string): HostResult {
  const open = host.lastIndexOf('[');
  if (open > 0) return { ok: false, error: 'invalid IP-literal' };
  if (open === 0) {
    const close = host.lastIndexOf(']');
    if (close < 0) return { ok: false, error: "missing ']' in host" };
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) return { ok: false, error: `invalid port ${goQuote(colonPort)} after host` };
    const port = unescape(colonPort, Mode.Host);
    if (!port.ok) return port;
    const hostname = host.slice(1, close);
    let unescaped: string;
    const zone = hostname.indexOf('%25');
    if (zone >= 0) {
      const a = unescape(hostname.slice(0, zone), Mode.Host);
      if (!a.ok) return a;
      const b = unescape(hostname.slice(zone), Mode.Zone);
      if (!b.ok) return b;
      unescaped = a.value + b.value;
    } else {
      const a = unescape(hostname, Mode.Host);
      if (!a.ok) return a;
      unescaped = a.value;
    }
    // Only an IPv6 address may stand in brackets (IPv4-mapped ones included).
    const family = parseBracketAddr(unescaped);
    if (family === 'v4') return { ok: false, error: 'invalid IP-literal' };
    if (family !== 'v6') return { ok: false, error: `invalid host: ${family.error}` };
    return { ok: true, host: `[${unescaped}]${port.value}` };
  }
  let i = host.indexOf(':');
  if (i !== -1) {
    const last = host.lastIndexOf(':');
    // Go 1.26 keeps the first colon as the port separator for http(s) (strict colons) and the
    // last one for every other scheme.
    if (last !== i && scheme !== 'http' && scheme !== 'https') i = last;
    const colonPort = host.slice(i);
    if (!validOptionalPort(colonPort)) return { ok: false, error: `invalid port ${goQuote(colonPort)} after host` };
  }
  const h = unescape(host, Mode.Host);
  return h.ok ? { ok: true, host: h.value } : h;
}

type AuthorityResult = { ok: true; user: GoUserinfo | undefined; host: string } | { ok: false; error: string };

function parseAuthority(scheme: string, authority: string): AuthorityResult {
  const at = authority.lastIndexOf('@');
  const h = parseHost(scheme, at < 0 ? authority : authority.slice(at + 1));
  if (!h.ok) return h;
  if (at < 0) return { ok: true, user: undefined, host: h.host };
  const userinfo = authority.slice(0, at);
  if (!validUserinfo(userinfo)) return { ok: false, error: 'net/url: invalid userinfo' };
  const colon = userinfo.indexOf(':');
  if (colon < 0) {
    const u = unescape(userinfo, Mode.UserPassword);
    if (!u.ok) return u;
    return { ok: true, user: { username: u.value, password: '', passwordSet: false }, host: h.host };
  }
  const u = unescape(userinfo.slice(0, colon), Mode.UserPassword);
  if (!u.ok) return u;
  const p = unescape(userinfo.slice(colon + 1), Mode.UserPassword);
  if (!p.ok) return p;
  return { ok: true, user: { username: u.value, password: p.value, passwordSet: true }, host: h.host };
}

type MutableUrl = {
  -readonly [K in keyof GoUrl]: GoUrl[K];
};

function emptyUrl(): MutableUrl {
  return {
    scheme: '',
    opaque: '',
    user: undefined,
    host: '',
    path: '',
    rawPath: '',
    omitHost: false,
    forceQuery: false,
    rawQuery: '',
    fragment: '',
    rawFragment: '',
  };
}

/** Go's internal `parse(rawURL, viaRequest=false)`: the URL without its fragment. */
function parseNoFragment(raw: string): { ok: true; url: MutableUrl } | { ok: false; error: string } {
  if (containsCtlByte(raw)) return { ok: false, error: 'net/url: invalid control character in URL' };
  const url = emptyUrl();
  if (raw === '*') {
    url.path = '*';
    return { ok: true, url };
  }
  const sch = getScheme(raw);
  if ('error' in sch) return { ok: false, error: sch.error };
  url.scheme = sch.scheme.toLowerCase();
  let rest = sch.rest;

  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) {
    url.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      url.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }

  if (!rest.startsWith('/')) {
    if (url.scheme !== '') {
      // Rootless paths per RFC 3986 are opaque.
      url.opaque = rest;
      return { ok: true, url };
    }
    const slash = rest.indexOf('/');
    const segment = slash >= 0 ? rest.slice(0, slash) : rest;
    if (segment.includes(':')) return { ok: false, error: 'first path segment in URL cannot contain colon' };
  }

  if ((url.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const a = parseAuthority(url.scheme, authority);
    if (!a.ok) return a;
    url.user = a.user;
    url.host = a.host;
  } else if (url.scheme !== '' && rest.startsWith('/')) {
    url.omitHost = true;
  }

  const p = unescape(rest, Mode.Path);
  if (!p.ok) return p;
  url.path = p.value;
  url.rawPath = escape(p.value, Mode.Path) === rest ? '' : rest;
  return { ok: true, url };
}

/** Go's `url.Parse`. Errors carry Go's `*url.Error` text: `parse "<url>": <reason>`. */
export function parseGoUrl(raw: string): GoUrlResult {
  const hash = raw.indexOf('#');
  const u = hash >= 0 ? raw.slice(0, hash) : raw;
  const frag = hash >= 0 ? raw.slice(hash + 1) : '';
  const parsed = parseNoFragment(u);
  if (!parsed.ok) return { ok: false, error: `parse ${goQuote(u)}: ${parsed.error}` };
  const url = parsed.url;
  if (frag !== '') {
    const f = unescape(frag, Mode.Fragment);
    if (!f.ok) return { ok: false, error: `parse ${goQuote(raw)}: ${f.error}` };
    url.fragment = f.value;
    url.rawFragment = escape(f.value, Mode.Fragment) === frag ? '' : frag;
  }
  return { ok: true, url };
}

/** Go's `validEncoded`. */
function validEncoded(s: string, mode: Mode): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if ("!$&'()*+,;=:@[]%".includes(ch)) continue;
    if (shouldEscape(s.charCodeAt(i), mode)) return false;
  }
  return true;
}

/** Go's `URL.EscapedPath`. */
export function goEscapedPath(u: GoUrl): string {
  if (u.rawPath !== '' && validEncoded(u.rawPath, Mode.Path)) {
    const p = unescape(u.rawPath, Mode.Path);
    if (p.ok && p.value === u.path) return u.rawPath;
  }
  if (u.path === '*') return '*';
  return escape(u.path, Mode.Path);
}

/** Go's `URL.EscapedFragment`. */
function escapedFragment(u: GoUrl): string {
  if (u.rawFragment !== '' && validEncoded(u.rawFragment, Mode.Fragment)) {
    const f = unescape(u.rawFragment, Mode.Fragment);
    if (f.ok && f.value === u.fragment) return u.rawFragment;
  }
  return escape(u.fragment, Mode.Fragment);
}

/** Go's `Userinfo.String`: `username[:password]`, escaped. */
export function goUserinfoString(u: GoUserinfo): string {
  let s = escape(u.username, Mode.UserPassword);
  if (u.passwordSet) s += ':' + escape(u.password, Mode.UserPassword);
  return s;
}

/** Go's `URL.String`. */
export function goUrlString(u: GoUrl): string {
  let buf = '';
  if (u.scheme !== '') buf += u.scheme + ':';
  if (u.opaque !== '') {
    buf += u.opaque;
  } else {
    const noAuthority = u.omitHost && u.host === '' && u.user === undefined;
    if (u.scheme !== '' || u.host !== '' || u.user !== undefined) {
      if (!noAuthority) {
        if (u.host !== '' || u.path !== '' || u.user !== undefined) buf += '//';
        if (u.user !== undefined) buf += goUserinfoString(u.user) + '@';
        if (u.host !== '') buf += escape(u.host, Mode.Host);
      }
    }
    let path = goEscapedPath(u);
    if (noAuthority && path.startsWith('//')) {
      // Keep a re-parse from reading the path as an authority.
      buf += '%2F';
      path = path.slice(1);
    }
    if (path !== '' && path[0] !== '/' && u.host !== '') buf += '/';
    if (buf === '') {
      const slash = path.indexOf('/');
      const segment = slash >= 0 ? path.slice(0, slash) : path;
      if (segment.includes(':')) buf += './';
    }
    buf += path;
  }
  if (u.forceQuery || u.rawQuery !== '') buf += '?' + u.rawQuery;
  if (u.fragment !== '') buf += '#' + escapedFragment(u);
  return buf;
}

/** Go's `url.ParseQuery`: every well-formed pair, and the first error met, if any. */
export function goParseQuery(query: string): { values: GoUrlValues; error: string | undefined } {
  const values: GoUrlValues = new Map();
  let error: string | undefined;
  if (query.split('&').length > 10000) {
    return { values, error: 'number of URL query parameters exceeded limit' };
  }
  let rest = query;
  while (rest !== '') {
    const amp = rest.indexOf('&');
    let key = amp >= 0 ? rest.slice(0, amp) : rest;
    rest = amp >= 0 ? rest.slice(amp + 1) : '';
    if (key.includes(';')) {
      error = 'invalid semicolon separator in query';
      continue;
    }
    if (key === '') continue;
    const eq = key.indexOf('=');
    let value = eq >= 0 ? key.slice(eq + 1) : '';
    key = eq >= 0 ? key.slice(0, eq) : key;
    const k = unescape(key, Mode.QueryComponent);
    if (!k.ok) {
      error ??= k.error;
      continue;
    }
    const v = unescape(value, Mode.QueryComponent);
    if (!v.ok) {
      error ??= v.error;
      continue;
    }
    value = v.value;
    const list = values.get(k.value);
    if (list) list.push(value);
    else values.set(k.value, [value]);
  }
  return { values, error };
}

/** Go's `URL.Query`: the parsed query, malformed pairs silently dropped. */
export function goUrlQuery(u: GoUrl): GoUrlValues {
  return goParseQuery(u.rawQuery).values;
}

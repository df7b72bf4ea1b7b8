/**
 * `WWW-Authenticate` challenges (RFC 7235), as registries send them:
 * `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"`.
 */

/** One authentication challenge: the scheme (lowercased) and its parameters (names lowercased). */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Parses a `WWW-Authenticate` header value into its challenges. Several challenges may share
 * one header (comma-separated, as `Headers.get` joins repeated headers). Malformed trailing
 * input is ignored rather than rejected: a partial challenge is still useful.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skipWs = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && TOKEN_CHAR.test(header[i])) i++;
    return header.slice(start, i);
  };
  const readQuoted = (): string => {
    // header[i] === '"'
    i++;
    let s = '';
    while (i < n && header[i] !== '"') {
      if (header[i] === '\\' && i + 1 < n) i++;
      s += header[i];
      i++;
    }
    i++; // closing quote
    return s;
  };
  // Is there `token =` at the current position (a parameter rather than a new scheme)?
  const atParam = (): boolean => {
    const save = i;
    skipWs();
    const name = readToken();
    skipWs();
    const result = name !== '' && header[i] === '=' && header[i + 1] !== '=';
    i = save;
    return result;
  };

  while (i < n) {
    while (i < n && (header[i] === ',' || header[i] === ' ' || header[i] === '\t')) i++;
    const scheme = readToken();
    if (scheme === '') break;
    const params: Record<string, string> = {};
    skipWs();
    while (i < n && atParam()) {
      skipWs();
      const name = readToken().toLowerCase();
      skipWs();
      i++; // '='
      skipWs();
      params[name] = header[i] === '"' ? readQuoted() : readToken();
      skipWs();
      if (header[i] !== ',') break;
      const save = i;
      i++;
      if (!atParam()) {
        i = save;
        break;
      }
    }
    // token68 form (`Basic dXNlcg==`) or junk: skip to the next comma.
    while (i < n && header[i] !== ',') i++;
    out.push({ scheme: scheme.toLowerCase(), params });
  }
  return out;
}

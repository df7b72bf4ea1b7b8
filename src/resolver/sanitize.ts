/**
 * Keeping registry-controlled text and credentials out of what reaches a terminal.
 *
 * A registry's error bodies, challenge parameters and redirect targets are chosen by the
 * registry: they may echo the `Authorization` header we sent, carry ANSI escape sequences that
 * rewrite the terminal, or newlines that forge log lines. Everything a registry wrote passes
 * through {@link cleanRemoteText} before it is put in an error message, and every message the
 * resolver throws passes through a {@link SecretRedactor} that knows the secrets in use.
 */

/** Longest piece of registry text kept in a message. */
export const REMOTE_TEXT_LIMIT = 300;

/** `Basic …`/`Bearer …` credentials, as an echoed header shows them. */
const AUTH_SCHEME_VALUE = /\b(basic|bearer)\s+[A-Za-z0-9._~+/=-]{4,}/gi;
/** `scheme://user:password@` or `scheme://token@` at the start of a URL's authority. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]*@/gi;
/**
 * Terminal control: CSI/OSC escape sequences, then any remaining C0/C1 control character, DEL,
 * and the Unicode bidirectional overrides that make text read differently from what it is.
 */
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u009b[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;

/** Replaces credentials in `text`: URL user-info and `Basic`/`Bearer` values. */
export function redactCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1[redacted]@').replace(AUTH_SCHEME_VALUE, '$1 [redacted]');
}

/**
 * Text written by a registry, made safe to print: escape sequences and control characters
 * removed (newlines and tabs become spaces), credentials redacted, at most `limit` characters.
 */
export function cleanRemoteText(text: string, limit = REMOTE_TEXT_LIMIT): string {
  let s = text.slice(0, limit * 4).replace(ESCAPE_SEQUENCE, '').replace(CONTROL, ' ').replace(/ {2,}/g, ' ').trim();
  s = redactCredentials(s);
  if (s.length > limit) s = `${s.slice(0, limit)}…`;
  return s;
}

/** A URL for a message: no user-info, no query (signed URLs carry tokens there), cleaned. */
export function displayUrl(url: string | URL): string {
  try {
    const u = new URL(url);
    const shown = `${u.protocol}//${u.username || u.password ? '[redacted]@' : ''}${u.host}${u.pathname}${u.search ? '?…' : ''}`;
    return cleanRemoteText(shown, 200);
  } catch {
    return cleanRemoteText(String(url), 200);
  }
}

/**
 * Remembers the secrets a resolver has used (passwords, tokens, the `Authorization` values built
 * from them) and removes them from messages, in whatever form a registry echoes them.
 */
export class SecretRedactor {
  readonly #secrets = new Set<string>();

  /** Adds a secret; values shorter than 4 characters are not worth matching (nor safe to). */
  add(secret: string | undefined): void {
    if (secret === undefined || secret.length < 4) return;
    this.#secrets.add(secret);
    // Echoed JSON escapes some characters; URL-encoded forms appear in token requests.
    const json = JSON.stringify(secret).slice(1, -1);
    if (json !== secret) this.#secrets.add(json);
    const uri = encodeURIComponent(secret);
    if (uri !== secret) this.#secrets.add(uri);
  }

  /** `text` with every known secret replaced by `[redacted]` (longest first) and credentials redacted. */
  redact(text: string): string {
    let s = text;
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) s = s.split(secret).join('[redacted]');
    return redactCredentials(s);
  }
}

/// <reference types="node" />
/**
 * Registry credentials the way the docker CLI finds them: `config.json` in `$DOCKER_CONFIG`
 * (default `~/.docker`), its `auths` entries, and credential helpers (`credHelpers` per
 * registry, else `credsStore`) run as `docker-credential-<name> get`.
 *
 * Secrets read here never reach error messages: errors name the registry and the helper only.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ImageResolveError } from '../errors.js';
import { ImageErrorCode } from '../image/codes.js';

/** Credentials for one registry. Empty object: none found (anonymous access). */
export interface RegistryCredentials {
  readonly username?: string;
  readonly password?: string;
  /** An OAuth2 refresh token (docker's `identitytoken`), exchanged at the token server. */
  readonly identityToken?: string;
  /** A bearer token sent to the registry as is (docker's `registrytoken`). */
  readonly registryToken?: string;
}

/** Looks up credentials for a registry host (`127.0.0.1:5000`, `registry-1.docker.io`). */
export type CredentialsProvider = (host: string) => Promise<RegistryCredentials>;

/** Options of {@link DockerCredentialStore}. */
export interface DockerCredentialStoreOptions {
  /** Directory holding `config.json`. Default: `$DOCKER_CONFIG`, else `~/.docker`. */
  readonly dockerConfigDir?: string;
  /** Environment for `DOCKER_CONFIG`, `HOME` and the helpers (their `PATH`). Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Kill a credential helper that has not answered after this long. Default 30 s. */
  readonly helperTimeoutMs?: number;
}

/** The parts of docker's `config.json` used here. */
interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** The key docker stores Docker Hub credentials under. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const HELPER_NOT_FOUND = 'credentials not found in native keychain';
const TOKEN_USERNAME = '<token>';

/** The `config.json` key for a registry host: Docker Hub's hosts map to {@link DOCKER_HUB_AUTH_KEY}. */
export function credentialKey(host: string): string {
  return DOCKER_HUB_HOSTS.has(host) ? DOCKER_HUB_AUTH_KEY : host;
}

/** docker's `ConvertToHostname`: `https://host:5000/v1/` → `host:5000`. */
export function convertToHostname(key: string): string {
  let s = key;
  if (s.startsWith('http://')) s = s.slice(7);
  else if (s.startsWith('https://')) s = s.slice(8);
  const slash = s.indexOf('/');
  return slash >= 0 ? s.slice(0, slash) : s;
}

function credentialsError(message: string, host: string, cause?: unknown): ImageResolveError {
  return new ImageResolveError(ImageErrorCode.Credentials, message, host, cause === undefined ? undefined : { cause });
}

/**
 * Reads docker's credential configuration once, and answers lookups from it. Lookups run
 * credential helpers on demand and remember their answers.
 */
export class DockerCredentialStore {
  readonly #dir: string;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #helperTimeoutMs: number;
  #config: Promise<DockerConfigFile> | undefined;
  readonly #cache = new Map<string, Promise<RegistryCredentials>>();

  constructor(options: DockerCredentialStoreOptions = {}) {
    this.#env = options.env ?? process.env;
    this.#dir = options.dockerConfigDir ?? this.#env.DOCKER_CONFIG ?? join(this.#env.HOME ?? homedir(), '.docker');
    this.#helperTimeoutMs = options.helperTimeoutMs ?? 30_000;
  }

  /** The directory whose `config.json` is read. */
  get configDir(): string {
    return this.#dir;
  }

  /** Credentials for a registry host; `{}` when none are configured. */
  get(host: string): Promise<RegistryCredentials> {
    let p = this.#cache.get(host);
    if (p === undefined) {
      p = this.#lookup(host);
      this.#cache.set(host, p);
      p.catch(() => this.#cache.delete(host));
    }
    return p;
  }

  async #lookup(host: string): Promise<RegistryCredentials> {
    const config = await this.#loadConfig(host);
    const key = credentialKey(host);
    const helper = config.credHelpers?.[key] ?? config.credHelpers?.[host] ?? config.credsStore;
    if (helper) return this.#runHelper(helper, key, host);
    return fromAuthEntry(config, key, host);
  }

  #loadConfig(host: string): Promise<DockerConfigFile> {
    this.#config ??= (async () => {
      const file = join(this.#dir, 'config.json');
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
        throw e;
      }
      try {
        const parsed = JSON.parse(text) as unknown;
        return typeof parsed === 'object' && parsed !== null ? (parsed) : {};
      } catch {
        // V8's message quotes the text around the error, which may be a secret: not kept.
        throw credentialsError(`cannot read docker config ${file}: invalid JSON`, host);
      }
    })();
    return this.#config;
  }

  async #runHelper(name: string, serverAddress: string, host: string): Promise<RegistryCredentials> {
    const program = `docker-credential-${name}`;
    // Loaded here, not at start-up: most runs of the CLI never start a credential helper.
    const { spawn } = await import('node:child_process');
    return new Promise((resolve, reject) => {
      const child = spawn(program, ['get'], { env: { ...this.#env }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let settled = false;
      const fail = (message: string, cause?: unknown): void => {
        if (settled) return;
        settled = true;
        reject(credentialsError(`error getting credentials for ${host} from ${program}: ${message}`, host, cause));
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(`no answer within ${this.#helperTimeoutMs}ms`);
      }, this.#helperTimeoutMs);
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(e.code === 'ENOENT' ? 'executable file not found in $PATH' : (e.code ?? e.message), e);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (settled) return;
        const out = stdout.trim();
        if (code !== 0) {
          if (out.includes(HELPER_NOT_FOUND) || stderr.includes(HELPER_NOT_FOUND)) {
            settled = true;
            resolve({});
            return;
          }
          // Helpers print their error on stdout; keep one short line of it, never JSON.
          const line = (out || stderr.trim()).split('\n')[0].slice(0, 200);
          fail(`exit status ${code}${line && !line.startsWith('{') ? `: ${line}` : ''}`);
          return;
        }
        let answer: { Username?: unknown; Secret?: unknown };
        try {
          answer = JSON.parse(out) as { Username?: unknown; Secret?: unknown };
        } catch {
          // No cause attached: the parse error would quote the answer, secret included.
          fail('answer is not valid JSON');
          return;
        }
        settled = true;
        const username = typeof answer.Username === 'string' ? answer.Username : '';
        const secret = typeof answer.Secret === 'string' ? answer.Secret : '';
        if (secret === '') resolve({});
        else if (username === TOKEN_USERNAME) resolve({ identityToken: secret });
        else resolve({ username, password: secret });
      });
      child.stdin.on('error', () => {
        // The helper may exit without reading stdin; its exit status tells what happened.
      });
      child.stdin.end(serverAddress);
    });
  }
}

function fromAuthEntry(config: DockerConfigFile, key: string, host: string): RegistryCredentials {
  const auths = config.auths ?? {};
  let entry = Object.prototype.hasOwnProperty.call(auths, key) ? auths[key] : undefined;
  if (entry === undefined) {
    // Legacy keys such as "https://host:5000/v1/" or "http://host".
    for (const [k, v] of Object.entries(auths)) {
      if (convertToHostname(k) === key) {
        entry = v;
        break;
      }
    }
  }
  if (entry === undefined || typeof entry !== 'object' || entry === null) return {};
  const creds: { username?: string; password?: string; identityToken?: string; registryToken?: string } = {};
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    let decoded: string;
    try {
      decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    } catch {
      decoded = '';
    }
    const colon = decoded.indexOf(':');
    if (colon < 0) throw credentialsError(`invalid auth configuration for ${host} in docker config: "auth" is not base64 of user:password`, host);
    creds.username = decoded.slice(0, colon);
    creds.password = decoded.slice(colon + 1);
  } else {
    if (typeof entry.username === 'string' && entry.username !== '') creds.username = entry.username;
    if (typeof entry.password === 'string' && entry.password !== '') creds.password = entry.password;
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') creds.identityToken = entry.identitytoken;
  if (typeof entry.registrytoken === 'string' && entry.registrytoken !== '') creds.registryToken = entry.registrytoken;
  return creds;
}

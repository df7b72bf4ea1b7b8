/**
 * Test harness: a real OCI registry (Debian's `docker-registry`, distribution 2.8) on
 * 127.0.0.1, on a free port, with its own temporary storage and config, plus helpers to push
 * images, manifests and indexes through the registry's HTTP API.
 *
 * Variants:
 * - anonymous (no auth),
 * - `htpasswd`: basic auth; the bcrypt entries are computed here (no apache2-utils needed),
 * - `token`: bearer tokens from a small token server started in-process, which signs ES256 JWTs
 *   with a key whose self-signed certificate is the registry's `rootcertbundle`.
 *
 * Everything listens on loopback only. A missing `docker-registry` binary is an error, never
 * a skip: CI installs it (`.ci/run`), developers run `apt-get install -y docker-registry`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { accessSync, constants as fsConstants } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

// ---- Media types -------------------------------------------------------------------------------
export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string; 'os.version'?: string; 'os.features'?: string[] };
  annotations?: Record<string, string>;
}

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

// ---- Locating the registry binary --------------------------------------------------------------
/** Path of `docker-registry` (or `$DOCKER_REGISTRY_BIN`); throws a clear error when missing. */
export function findRegistryBinary(): string {
  const explicit = process.env.DOCKER_REGISTRY_BIN;
  const candidates = explicit
    ? [explicit]
    : [...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'docker-registry')), '/usr/bin/docker-registry'];
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      return c;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'docker-registry was not found (looked for ' +
      candidates.join(', ') +
      "). The resolver tests need a real registry: install Debian's docker-registry package " +
      '(apt-get install -y docker-registry), as .ci/run does, or set DOCKER_REGISTRY_BIN.',
  );
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// ---- bcrypt (for htpasswd), dependency-free ---------------------------------------------------
// Blowfish's initial state is the fractional part of pi in hex: computed once with BigInt
// (Machin's formula) instead of pasting 4 KiB of constants.
let blowfishInit: Uint32Array | undefined;
function blowfishInitialState(): Uint32Array {
  if (blowfishInit) return blowfishInit;
  const words = 18 + 4 * 256;
  const digits = words * 8;
  const scale = 1n << BigInt(4 * (digits + 16));
  const arctanInv = (x: bigint): bigint => {
    const x2 = x * x;
    let term = scale / x;
    let sum = term;
    for (let k = 1n, negative = true; term !== 0n; k++, negative = !negative) {
      term /= x2;
      const t = term / (2n * k + 1n);
      sum = negative ? sum - t : sum + t;
    }
    return sum;
  };
  const pi = 16n * arctanInv(5n) - 4n * arctanInv(239n);
  const hex = (pi - 3n * scale).toString(16).padStart(digits + 16, '0');
  const out = new Uint32Array(words);
  for (let i = 0; i < words; i++) out[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  blowfishInit = out;
  return out;
}

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array; // 4 boxes of 256 words, flattened

  constructor() {
    const init = blowfishInitialState();
    this.p = init.slice(0, 18);
    this.s = init.slice(18);
  }

  private f(x: number): number {
    const s = this.s;
    return ((((s[x >>> 24] + s[256 + ((x >>> 16) & 0xff)]) >>> 0) ^ s[512 + ((x >>> 8) & 0xff)]) + s[768 + (x & 0xff)]) >>> 0;
  }

  encipher(lr: Uint32Array, off: number): void {
    let l = lr[off];
    let r = lr[off + 1];
    for (let i = 0; i < 16; i++) {
      l = (l ^ this.p[i]) >>> 0;
      r = (r ^ this.f(l)) >>> 0;
      [l, r] = [r, l];
    }
    [l, r] = [r, l];
    r = (r ^ this.p[16]) >>> 0;
    l = (l ^ this.p[17]) >>> 0;
    lr[off] = l;
    lr[off + 1] = r;
  }

  /** Blowfish key schedule, with bcrypt's optional salt mixed into the data stream. */
  expand(key: Uint8Array, salt?: Uint8Array): void {
    let kpos = 0;
    const word = (data: Uint8Array, pos: { v: number }): number => {
      let w = 0;
      for (let i = 0; i < 4; i++) {
        w = ((w << 8) | data[pos.v]) >>> 0;
        pos.v = (pos.v + 1) % data.length;
      }
      return w;
    };
    const kp = { v: kpos };
    for (let i = 0; i < 18; i++) this.p[i] = (this.p[i] ^ word(key, kp)) >>> 0;
    kpos = kp.v;
    const sp = { v: 0 };
    const lr = new Uint32Array(2);
    const step = (target: Uint32Array, index: number): void => {
      if (salt) {
        lr[0] = (lr[0] ^ word(salt, sp)) >>> 0;
        lr[1] = (lr[1] ^ word(salt, sp)) >>> 0;
      }
      this.encipher(lr, 0);
      target[index] = lr[0]!;
      target[index + 1] = lr[1]!;
    };
    for (let i = 0; i < 18; i += 2) step(this.p, i);
    for (let i = 0; i < 1024; i += 2) step(this.s, i);
  }
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function bcryptBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i];
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    out += BCRYPT_ALPHABET[b0 >> 2];
    out += BCRYPT_ALPHABET[((b0 & 3) << 4) | ((b1 ?? 0) >> 4)];
    if (b1 === undefined) break;
    out += BCRYPT_ALPHABET[((b1 & 15) << 2) | ((b2 ?? 0) >> 6)];
    if (b2 === undefined) break;
    out += BCRYPT_ALPHABET[b2 & 63];
  }
  return out;
}

function bcryptBase64Decode(s: string, length: number): Uint8Array {
  const vals = [...s].map((c) => BCRYPT_ALPHABET.indexOf(c));
  const out = new Uint8Array(length);
  let o = 0;
  for (let i = 0; o < length; i += 4) {
    const [c0, c1, c2, c3] = [vals[i], vals[i + 1], vals[i + 2] ?? 0, vals[i + 3] ?? 0];
    out[o++] = (c0 << 2) | (c1 >> 4);
    if (o < length) out[o++] = ((c1 & 15) << 4) | (c2 >> 2);
    if (o < length) out[o++] = ((c2 & 3) << 6) | c3;
  }
  return out;
}

/**
 * bcrypt (`$2y$`), as htpasswd -B writes it. `salt` is 16 bytes, or a 22-character bcrypt
 * base64 string; random when omitted. Cost 4 keeps the registry's checks fast in tests.
 */
export function bcrypt(password: string, cost = 4, salt?: Uint8Array | string, prefix = '2y'): string {
  const saltBytes = typeof salt === 'string' ? bcryptBase64Decode(salt, 16) : (salt ?? randomBytes(16));
  const pw = Buffer.from(password, 'utf8');
  const key = new Uint8Array(Math.min(pw.length + 1, 72));
  key.set(pw.subarray(0, key.length));
  const bf = new Blowfish();
  bf.expand(key, saltBytes);
  for (let i = 0; i < 2 ** cost; i++) {
    bf.expand(key);
    bf.expand(saltBytes);
  }
  const magic = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');
  const ctext = new Uint32Array(6);
  for (let i = 0; i < 6; i++) ctext[i] = magic.readUInt32BE(i * 4);
  for (let i = 0; i < 64; i++) for (let j = 0; j < 6; j += 2) bf.encipher(ctext, j);
  const out = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) out.writeUInt32BE(ctext[i], i * 4);
  return `$${prefix}$${String(cost).padStart(2, '0')}$${bcryptBase64(saltBytes).slice(0, 22)}${bcryptBase64(out.subarray(0, 23))}`;
}

// ---- A self-signed certificate and JWTs for the token server ----------------------------------
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}
function derOid(oid: string): Buffer {
  const arcs = oid.split('.').map(Number);
  const bytes = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const enc = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) enc.unshift((v & 0x7f) | 0x80);
    bytes.push(...enc);
  }
  return der(0x06, Buffer.from(bytes));
}
function derUtcTime(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return der(0x17, Buffer.from(s, 'ascii'));
}

const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const OID_COMMON_NAME = '2.5.4.3';

/** A self-signed X.509 certificate (PEM) for an EC P-256 key, valid for a day around now. */
export function selfSignedCertificate(privateKey: KeyObject, publicKey: KeyObject, commonName: string): string {
  const name = der(0x30, der(0x31, der(0x30, derOid(OID_COMMON_NAME), der(0x0c, Buffer.from(commonName, 'utf8')))));
  const alg = der(0x30, derOid(OID_ECDSA_SHA256));
  const now = Date.now();
  // Positive and minimally encoded (DER): first byte in 0x40..0x7f.
  const serial = randomBytes(8);
  serial[0] = (serial[0] & 0x3f) | 0x40;
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    alg,
    name,
    der(0x30, derUtcTime(new Date(now - 3600_000)), derUtcTime(new Date(now + 86400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = der(0x30, tbs, alg, der(0x03, Buffer.from([0]), signature));
  const b64 = cert.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** The key ID docker/libtrust derives from a public key, which distribution matches `kid` against. */
export function libtrustKeyId(publicKey: KeyObject): string {
  const hash = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest().subarray(0, 30);
  let bits = '';
  for (const b of hash) bits += b.toString(2).padStart(8, '0');
  let s = '';
  for (let i = 0; i + 5 <= bits.length; i += 5) s += BASE32[parseInt(bits.slice(i, i + 5), 2)];
  return s.match(/.{4}/g)!.join(':');
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export interface TokenAccess {
  type: string;
  name: string;
  actions: string[];
}

class TokenSigner {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly keyId: string;
  readonly certificate: string;

  constructor(readonly issuer: string, readonly service: string) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }));
    this.publicKey = publicKey;
    this.keyId = libtrustKeyId(publicKey);
    this.certificate = selfSignedCertificate(this.privateKey, publicKey, issuer);
  }

  token(subject: string, access: TokenAccess[], ttlSeconds = 300): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'ES256', kid: this.keyId };
    const claims = {
      iss: this.issuer,
      sub: subject,
      aud: this.service,
      exp: now + ttlSeconds,
      nbf: now - 60,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${base64url(signature)}`;
  }
}

/** One request the token server answered. Never holds passwords. */
export interface TokenRequestRecord {
  method: string;
  service: string | null;
  scopes: string[];
  /** The basic-auth user name, or `<refresh>` for the OAuth2 refresh-token flow, or null. */
  user: string | null;
  status: number;
}

export interface TokenServerOptions {
  /** Users allowed to pull and push: name → password. */
  users?: Record<string, string>;
  /** Refresh tokens (identity tokens) accepted by the OAuth2 POST flow: token → user. */
  refreshTokens?: Record<string, string>;
  /**
   * Give pull tokens to anonymous clients (like Docker Hub for public images): `true` for every
   * repository, or the list of public repositories. Default false.
   */
  anonymousPull?: boolean | string[];
}

export interface TokenServer {
  readonly url: string;
  readonly realm: string;
  readonly service: string;
  readonly requests: TokenRequestRecord[];
  /** Mints a token directly (for the harness's own pushes). */
  mint(access: TokenAccess[]): string;
  close(): Promise<void>;
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : 0);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

async function startTokenServer(signer: TokenSigner, options: TokenServerOptions): Promise<TokenServer> {
  const requests: TokenRequestRecord[] = [];
  const grant = (scopes: string[], user: string | null): TokenAccess[] => {
    const access: TokenAccess[] = [];
    for (const scope of scopes) {
      const [type, ...rest] = scope.split(':');
      const actions = (rest.pop() ?? '').split(',').filter(Boolean);
      const name = rest.join(':');
      const publicRepo = options.anonymousPull === true || (Array.isArray(options.anonymousPull) && options.anonymousPull.includes(name));
      const allowed = actions.filter((a) => (user !== null ? a === 'pull' || a === 'push' : a === 'pull' && publicRepo));
      if (type && allowed.length > 0) access.push({ type, name, actions: allowed });
    }
    return access;
  };
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: TokenRequestRecord = { method: req.method ?? '', service: null, scopes: [], user: null, status: 200 };
    requests.push(record);
    const reply = (status: number, body: unknown): void => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/token') return reply(404, { errors: [{ code: 'NOT_FOUND' }] });
    let params = url.searchParams;
    let user: string | null = null;
    if (req.method === 'POST') {
      params = new URLSearchParams(await readBody(req));
      const refresh = params.get('refresh_token');
      if (params.get('grant_type') !== 'refresh_token' || !refresh || !options.refreshTokens?.[refresh]) {
        return reply(401, { error: 'invalid_grant' });
      }
      user = options.refreshTokens[refresh]!;
      record.user = '<refresh>';
    } else {
      const basic = parseBasic(req.headers.authorization);
      if (basic) {
        record.user = basic.user;
        if (options.users?.[basic.user] !== basic.password) return reply(401, { details: 'incorrect username or password' });
        user = basic.user;
      }
    }
    record.service = params.get('service');
    record.scopes = params.getAll('scope');
    if (record.service !== signer.service) return reply(400, { details: 'unknown service' });
    const token = signer.token(user ?? '', grant(record.scopes, user));
    const body: Record<string, unknown> = { token, expires_in: 300, issued_at: new Date().toISOString() };
    if (req.method === 'POST') body.access_token = token;
    reply(200, body);
  };
  const server = createServer((req, res) => {
    handler(req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    realm: `${url}/token`,
    service: signer.service,
    requests,
    mint: (access) => signer.token('harness', access),
    close: () => closeServer(server),
  };
}

// ---- The registry process ----------------------------------------------------------------------
export type RegistryAuth =
  | { kind: 'none' }
  | { kind: 'htpasswd'; users: Record<string, string> }
  | ({ kind: 'token' } & TokenServerOptions);

export interface StartRegistryOptions {
  auth?: RegistryAuth;
}

export interface PushImageOptions {
  /** The image config; `architecture`/`os` default to linux/amd64. */
  config?: Record<string, unknown>;
  /** `oci` (default) or `docker` media types. */
  format?: 'oci' | 'docker';
  /** Number of (tiny, fake) layers. Default 1. */
  layers?: number;
  /** Override the manifest's media type field and Content-Type (for negative tests). */
  manifestMediaType?: string;
  /** Override the config descriptor's media type (for negative tests). */
  configMediaType?: string;
}

export interface PushedImage {
  /** Digest of the manifest. */
  digest: string;
  /** Descriptor of the manifest (for building an index). */
  descriptor: Descriptor;
  configDigest: string;
  config: Record<string, unknown>;
  manifest: Uint8Array;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`: the domain part of references. */
  readonly host: string;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly storageDir: string;
  readonly tokenServer?: TokenServer;
  /** What the registry process printed (for failure diagnostics). */
  output(): string;
  /** Uploads a blob (monolithic upload) unless it already exists; returns its descriptor. */
  pushBlob(repo: string, data: Uint8Array | string, mediaType?: string): Promise<Descriptor>;
  /** PUTs a manifest or index under a tag or digest; returns the digest the registry reports. */
  pushManifest(repo: string, reference: string, body: Uint8Array | string, mediaType: string): Promise<string>;
  /** Pushes layers, config and manifest; tags it when `tag` is given. */
  pushImage(repo: string, tag: string | undefined, options?: PushImageOptions): Promise<PushedImage>;
  /** Pushes an index (OCI, or a Docker list with `format: 'docker'`) of already pushed manifests. */
  pushIndex(repo: string, tag: string, manifests: Descriptor[], options?: { format?: 'oci' | 'docker' }): Promise<{ digest: string; body: Uint8Array }>;
  /**
   * Pushes one image per platform (its config's `os`, `architecture` and `variant` set from the
   * platform, `config` as the runtime config) and tags an index of them, in that order.
   */
  pushPlatformIndex(
    repo: string,
    tag: string,
    entries: readonly { platform: NonNullable<Descriptor['platform']>; config: Record<string, unknown> }[],
    options?: { format?: 'oci' | 'docker' },
  ): Promise<{ digest: string; images: PushedImage[] }>;
  /** The digest the registry reports for a tag (HEAD with every manifest type accepted). */
  headDigest(repo: string, reference: string): Promise<string>;
  stop(): Promise<void>;
}

const ACCEPT_ALL = [MediaType.OciManifest, MediaType.OciIndex, MediaType.DockerManifest, MediaType.DockerList].join(', ');

function registryConfig(port: number, storageDir: string, auth: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storageDir)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    auth,
    '',
  ].join('\n');
}

async function waitForRegistry(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`docker-registry ${exited} before it was ready:\n${output()}`);
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on ${url} within 20s:\n${output()}`);
}

/**
 * Starts `docker-registry` on 127.0.0.1 with temporary storage. Stop it with `stop()` (in
 * `afterAll`); it is also killed if the test process exits.
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const binary = findRegistryBinary();
  const auth = options.auth ?? { kind: 'none' };
  const dir = await mkdtemp(join(tmpdir(), 'dfllb-registry-'));
  const storageDir = join(dir, 'storage');
  let tokenServer: TokenServer | undefined;
  let authYaml = '';
  let pushAuthorization: (repo: string) => string | undefined = () => undefined;

  try {
    if (auth.kind === 'htpasswd') {
      const lines = Object.entries(auth.users).map(([u, p]) => `${u}:${bcrypt(p)}`);
      await writeFile(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
      authYaml = ['auth:', '  htpasswd:', '    realm: test-realm', `    path: ${JSON.stringify(join(dir, 'htpasswd'))}`].join('\n');
      const [user, password] = Object.entries(auth.users)[0] ?? [];
      if (user !== undefined) {
        const basic = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
        pushAuthorization = () => basic;
      }
    } else if (auth.kind === 'token') {
      const signer = new TokenSigner('dockerfile-llb-test-issuer', 'dockerfile-llb-test-registry');
      tokenServer = await startTokenServer(signer, auth);
      await writeFile(join(dir, 'root.pem'), signer.certificate);
      authYaml = [
        'auth:',
        '  token:',
        `    realm: ${JSON.stringify(tokenServer.realm)}`,
        `    service: ${JSON.stringify(signer.service)}`,
        `    issuer: ${JSON.stringify(signer.issuer)}`,
        `    rootcertbundle: ${JSON.stringify(join(dir, 'root.pem'))}`,
      ].join('\n');
      const ts = tokenServer;
      pushAuthorization = (repo) => `Bearer ${ts.mint([{ type: 'repository', name: repo, actions: ['pull', 'push'] }])}`;
    }

    // A port can be taken between freePort() and the registry's bind: retry a few times.
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const configPath = join(dir, 'config.yml');
      await writeFile(configPath, registryConfig(port, storageDir, authYaml));
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('REGISTRY_') && !k.startsWith('OTEL_')) env[k] = v;
      const child = spawn(binary, ['serve', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const collect = (b: Buffer): void => {
        out += b.toString();
        if (out.length > 64_000) out = out.slice(-64_000);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      const killOnExit = (): void => {
        child.kill('SIGKILL');
      };
      process.once('exit', killOnExit);
      const url = `http://127.0.0.1:${port}`;
      try {
        await waitForRegistry(url, child, () => out);
      } catch (e) {
        child.kill('SIGKILL');
        process.removeListener('exit', killOnExit);
        if (attempt < 3 && /address already in use/.test(out)) continue;
        throw e;
      }
      return makeRegistry({ host: `127.0.0.1:${port}`, url, dir, storageDir, child, output: () => out, tokenServer, pushAuthorization, killOnExit });
    }
  } catch (e) {
    await tokenServer?.close();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

interface RegistryParts {
  host: string;
  url: string;
  dir: string;
  storageDir: string;
  child: ChildProcess;
  output: () => string;
  tokenServer: TokenServer | undefined;
  pushAuthorization: (repo: string) => string | undefined;
  killOnExit: () => void;
}

function makeRegistry(parts: RegistryParts): TestRegistry {
  const { url, child, pushAuthorization } = parts;

  const call = async (repo: string, method: string, path: string, init: { body?: Uint8Array | string; headers?: Record<string, string> } = {}): Promise<Response> => {
    const headers: Record<string, string> = { ...init.headers };
    const authorization = pushAuthorization(repo);
    if (authorization) headers.authorization = authorization;
    const target = path.startsWith('http') ? path : `${url}${path}`;
    return fetch(target, { method, headers, body: init.body as RequestInit["body"], signal: AbortSignal.timeout(15_000) });
  };
  const expectStatus = async (res: Response, ok: number[], what: string): Promise<void> => {
    if (!ok.includes(res.status)) {
      throw new Error(`registry ${what}: HTTP ${res.status} ${await res.text()}`);
    }
  };

  const registry: TestRegistry = {
    host: parts.host,
    url,
    storageDir: parts.storageDir,
    tokenServer: parts.tokenServer,
    output: parts.output,

    async pushBlob(repo, data, mediaType = 'application/octet-stream') {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      const digest = sha256(bytes);
      const head = await call(repo, 'HEAD', `/v2/${repo}/blobs/${digest}`);
      if (head.status !== 200) {
        const start = await call(repo, 'POST', `/v2/${repo}/blobs/uploads/`);
        await expectStatus(start, [202], `starting a blob upload to ${repo}`);
        const location = new URL(start.headers.get('location')!, url);
        location.searchParams.set('digest', digest);
        const put = await call(repo, 'PUT', location.toString(), {
          body: bytes,
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
        });
        await expectStatus(put, [201], `uploading blob ${digest} to ${repo}`);
      }
      return { mediaType, digest, size: bytes.length };
    },

    async pushManifest(repo, reference, body, mediaType) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      const res = await call(repo, 'PUT', `/v2/${repo}/manifests/${reference}`, { body: bytes, headers: { 'content-type': mediaType } });
      await expectStatus(res, [201], `putting manifest ${repo}:${reference}`);
      return res.headers.get('docker-content-digest') ?? sha256(bytes);
    },

    async pushImage(repo, tag, options = {}) {
      const docker = options.format === 'docker';
      const layerCount = options.layers ?? 1;
      const layers: Descriptor[] = [];
      const diffIds: string[] = [];
      for (let i = 0; i < layerCount; i++) {
        const content = Buffer.from(`layer ${i} of ${repo}:${tag ?? ''} ${JSON.stringify(options.config ?? {})}`);
        layers.push(await registry.pushBlob(repo, content, docker ? MediaType.DockerLayer : MediaType.OciLayer));
        diffIds.push(sha256(`diff ${content.toString()}`));
      }
      const config: Record<string, unknown> = {
        architecture: 'amd64',
        os: 'linux',
        ...options.config,
        rootfs: { type: 'layers', diff_ids: diffIds },
      };
      const configBytes = Buffer.from(JSON.stringify(config));
      const configDesc = await registry.pushBlob(repo, configBytes, options.configMediaType ?? (docker ? MediaType.DockerConfig : MediaType.OciConfig));
      const mediaType = options.manifestMediaType ?? (docker ? MediaType.DockerManifest : MediaType.OciManifest);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType,
          config: { mediaType: configDesc.mediaType, digest: configDesc.digest, size: configDesc.size },
          layers,
        }),
      );
      const digest = sha256(manifest);
      const reported = await registry.pushManifest(repo, tag ?? digest, manifest, mediaType);
      if (reported !== digest) throw new Error(`registry reported ${reported} for a manifest whose digest is ${digest}`);
      return { digest, descriptor: { mediaType, digest, size: manifest.length }, configDigest: configDesc.digest, config, manifest };
    },

    async pushIndex(repo, tag, manifests, options = {}) {
      const mediaType = options.format === 'docker' ? MediaType.DockerList : MediaType.OciIndex;
      const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests }));
      const digest = await registry.pushManifest(repo, tag, body, mediaType);
      return { digest, body };
    },

    async pushPlatformIndex(repo, tag, entries, options = {}) {
      const images: PushedImage[] = [];
      for (const { platform, config } of entries) {
        const { os, architecture, variant } = platform;
        images.push(
          await registry.pushImage(repo, undefined, { format: options.format, config: { os, architecture, ...(variant ? { variant } : {}), config } }),
        );
      }
      const index = await registry.pushIndex(
        repo,
        tag,
        images.map((img, i) => ({ ...img.descriptor, platform: entries[i].platform })),
        options,
      );
      return { digest: index.digest, images };
    },

    async headDigest(repo, reference) {
      const res = await call(repo, 'HEAD', `/v2/${repo}/manifests/${reference}`, { headers: { accept: ACCEPT_ALL } });
      await expectStatus(res, [200], `HEAD ${repo}:${reference}`);
      return res.headers.get('docker-content-digest')!;
    },

    async stop() {
      process.removeListener('exit', parts.killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await parts.tokenServer?.close();
      await rm(parts.dir, { recursive: true, force: true });
    },
  };
  return registry;
}

/** Docker's Basic header value for a user and password. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A local HTTP server for failure tests (hangs, 5xx…): `handler` answers every request. */
export async function startHttpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; host: string; close(): Promise<void> }> {
  const server = createServer(handler);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, close: () => closeServer(server) };
}

// ---- Docker client configuration for credential tests ----------------------------------------
let configDirCount = 0;

/** Writes `config` as `config.json` in a new folder under `parent`; returns that folder. */
export async function writeDockerConfig(parent: string, config: unknown): Promise<string> {
  const dir = join(parent, `docker-config-${configDirCount++}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

/**
 * Writes a docker credential helper `docker-credential-<name>` (a Node script) into a new folder
 * under `parent`, to put first on `PATH`. It appends `<verb> <server address>` to `log` for each
 * call and answers from `answers` (server address → `{Username, Secret}`), or says "credentials
 * not found in native keychain" with exit status 1, as the real helpers do.
 */
export async function writeCredentialHelper(
  parent: string,
  name: string,
  answers: Record<string, { Username: string; Secret: string }>,
): Promise<{ bin: string; log: string }> {
  const bin = join(parent, `helper-${name}`);
  await mkdir(bin, { recursive: true });
  const log = join(bin, 'calls.log');
  const script = `#!/usr/bin/env node
const fs = require('fs');
const answers = ${JSON.stringify(answers)};
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  fs.appendFileSync(${JSON.stringify(log)}, process.argv[2] + ' ' + input + '\\n');
  const a = answers[input.trim()];
  if (!a) { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); }
  process.stdout.write(JSON.stringify({ ServerURL: input.trim(), ...a }));
});
`;
  const file = join(bin, `docker-credential-${name}`);
  await writeFile(file, script);
  await chmod(file, 0o755);
  return { bin, log };
}

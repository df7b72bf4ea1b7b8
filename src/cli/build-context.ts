/**
 * `--build-context NAME=VALUE` as `docker buildx build` reads it (Node only): the name is
 * normalized like an image name, and the value is a local directory, `docker-image://REF`, a git
 * or `http(s)://` URL, or `oci-layout://DIR[:TAG][@DIGEST]`. A directory becomes the local
 * source `local://NAME` and an OCI layout the store `NAME`, which buildctl must be given:
 * {@link buildctlArgs} says how.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDockerignore } from '../frontend/dockerignore.js';
import { tryParseGitRef } from '../frontend/gitref.js';
import type { NamedContextValue } from '../frontend/named-context.js';
import type { Graph, Vertex } from '../graph/types.js';
import { sourceType } from '../graph/traverse.js';
import { familiarName, familiarString, parseReference } from '../image/reference.js';
import { UsageError } from './args.js';
import { InputError } from './io.js';
import { OciLayoutDirectories, ociLayoutDigest } from './oci-layout.js';

/** The named contexts of the flags, and the directories buildctl has to send for them. */
export interface BuildContexts {
  readonly namedContexts: Readonly<Record<string, string | NamedContextValue>>;
  /** `local://NAME` → directory. */
  readonly locals: ReadonlyMap<string, string>;
  /** OCI layout store id → directory. */
  readonly ociStores: ReadonlyMap<string, string>;
  readonly ociLayouts: OciLayoutDirectories | undefined;
}

/** buildx's `IsRemoteURL`: an http(s) URL, or anything BuildKit reads as a git reference. */
function isRemoteUrl(v: string): boolean {
  return v.startsWith('http://') || v.startsWith('https://') || tryParseGitRef(v).ref !== undefined;
}

/** Parses the `--build-context` values; `cwd` resolves relative directories. */
export function parseBuildContexts(list: readonly string[], cwd: string): BuildContexts {
  const namedContexts: Record<string, string | NamedContextValue> = {};
  const locals = new Map<string, string>();
  const ociStores = new Map<string, string>();
  for (const entry of list) {
    const eq = entry.indexOf('=');
    if (eq < 0) throw new UsageError(`invalid context value: ${entry}, expected key=value`);
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    let name: string;
    try {
      name = familiarString(parseReference(key));
    } catch (e) {
      throw new UsageError(`invalid context name ${key}: ${(e as Error).message}`);
    }
    if (name.endsWith(':latest')) name = name.slice(0, -':latest'.length);
    if (isRemoteUrl(value) || value.startsWith('docker-image://') || value.startsWith('target:')) {
      namedContexts[name] = value;
      continue;
    }
    if (value.startsWith('oci-layout://')) {
      let path = value.slice('oci-layout://'.length);
      let digest = '';
      const at = path.indexOf('@');
      if (at >= 0) [path, digest] = [path.slice(0, at), path.slice(at + 1)];
      let tag = 'latest';
      const colon = path.indexOf(':');
      if (colon >= 0) [path, tag] = [path.slice(0, colon), path.slice(colon + 1)];
      const dir = resolve(cwd, path);
      if (digest === '') digest = ociLayoutDigest(dir, tag);
      // The store is named after the context (buildx draws a random id; buildctl takes any).
      const store = familiarName(name);
      ociStores.set(store, dir);
      namedContexts[name] = `oci-layout://${store}:${tag}@${digest}`;
      continue;
    }
    const dir = resolve(cwd, value);
    if (!existsSync(dir)) throw new InputError(`failed to get build context ${name}: ${value}: no such directory`);
    if (!statSync(dir).isDirectory()) throw new InputError(`failed to get build context path ${value}: not a directory`);
    const localName = name === 'context' || name === 'dockerfile' ? `_${name}` : name;
    locals.set(localName, dir);
    // The frontend applies the directory's own .dockerignore.
    const ignore = resolve(dir, '.dockerignore');
    const excludePatterns = existsSync(ignore) && statSync(ignore).isFile() ? parseDockerignore(readFileSync(ignore, 'utf8')) : undefined;
    namedContexts[name] = { kind: 'local', name: localName, ...(excludePatterns ? { excludePatterns } : {}) };
  }
  return { namedContexts, locals, ociStores, ociLayouts: ociStores.size ? new OciLayoutDirectories(ociStores) : undefined };
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `buildctl build` arguments the compiled graphs need: `--local NAME=DIR` for each local
 * source they read (`context` is the build context directory), `--oci-layout STORE=DIR` for
 * each OCI layout store.
 */
export function buildctlArgs(graphs: readonly Graph[], contextDir: string, contexts: BuildContexts): string[] {
  const locals = new Set<string>();
  const stores = new Set<string>();
  const seen = new Set<Vertex>();
  const stack: Vertex[] = graphs.flatMap((g) => (g.root ? [g.root.vertex] : []));
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    if (v.kind === 'source') {
      const t = sourceType(v);
      if (t === 'local') locals.add(v.identifier.slice('local://'.length));
      if (t === 'oci-layout' && v.attrs['oci.store']) stores.add(v.attrs['oci.store']);
    }
    for (const i of v.inputs) stack.push(i.vertex);
  }
  const args: string[] = [];
  for (const name of [...locals].sort()) {
    const dir = name === 'context' ? contextDir : contexts.locals.get(name);
    if (dir !== undefined) args.push('--local', shellQuote(`${name}=${dir}`));
  }
  for (const store of [...stores].sort()) {
    const dir = contexts.ociStores.get(store);
    if (dir !== undefined) args.push('--oci-layout', shellQuote(`${store}=${dir}`));
  }
  return args;
}

/**
 * OCI layout directories for `--build-context NAME=oci-layout://DIR[:TAG][@DIGEST]` (Node only):
 * the digest a tag names, as buildx finds it before the build, and the image config the frontend
 * reads from the store during it, for the platform a stage needs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileError, type DockerfileLlbError } from '../errors.js';
import type { OciLayoutResolver } from '../frontend/named-context.js';
import { formatPlatformAll, platformMatcher } from '../image/platform.js';
import type { ImageConfig, ResolvedImage, ResolveOptions } from '../image/types.js';
import { configPlatform, parseManifest, rankIndexEntries } from '../resolver/manifest.js';

const MAX_DEPTH = 4;

function layoutError(message: string): DockerfileLlbError {
  return new DockerfileError('E_NAMED_CONTEXT', message);
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw layoutError(`${what}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message} (${path})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw layoutError(`${what}: not JSON (${path})`);
  }
}

function blobPath(dir: string, digest: string): string {
  const m = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(digest);
  if (!m) throw layoutError(`invalid digest ${digest} in the OCI layout ${dir}`);
  return join(dir, 'blobs', m[1], m[2]);
}

function readBlob(dir: string, digest: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(blobPath(dir, digest)));
  } catch {
    throw layoutError(`the OCI layout ${dir} has no blob ${digest}`);
  }
}

interface IndexEntry {
  readonly digest: string;
  readonly annotations?: Record<string, string>;
}

/**
 * The manifest digest `tag` names in the layout's index.json (the `org.opencontainers.image.ref.name`
 * annotation), else its only manifest: buildx's lookup for `oci-layout://DIR[:TAG]` without a digest.
 */
export function ociLayoutDigest(dir: string, tag: string): string {
  const index = readJson(join(dir, 'index.json'), `oci-layout://${dir}`) as { manifests?: IndexEntry[] };
  const manifests = Array.isArray(index.manifests) ? index.manifests : [];
  const named = manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (named) return named.digest;
  if (manifests.length === 1) return manifests[0].digest;
  throw layoutError(`oci-layout reference "oci-layout://${dir}:${tag}" could not be resolved: failed to resolve digest`);
}

/** Reads images from OCI layout directories, by store id (buildctl `--oci-layout ID=DIR`). */
export class OciLayoutDirectories implements OciLayoutResolver {
  readonly #stores: ReadonlyMap<string, string>;

  constructor(stores: ReadonlyMap<string, string>) {
    this.#stores = stores;
  }

  resolve(storeId: string, ref: string, options: ResolveOptions): Promise<ResolvedImage> {
    return Promise.resolve().then(() => this.#resolve(storeId, ref, options));
  }

  #resolve(storeId: string, ref: string, options: ResolveOptions): ResolvedImage {
    const dir = this.#stores.get(storeId);
    if (dir === undefined) throw layoutError(`no OCI layout store ${storeId}`);
    const at = ref.lastIndexOf('@');
    if (at < 0) throw layoutError(`oci-layout reference ${JSON.stringify(ref)} has no digest`);
    const digest = ref.slice(at + 1);
    const matcher = platformMatcher(options.platform);
    let current = digest;
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      const m = parseManifest(readBlob(dir, current), undefined);
      if (m.kind === 'manifest') {
        const config = JSON.parse(new TextDecoder().decode(readBlob(dir, m.config.digest))) as ImageConfig;
        if (depth === 0 || matcher.match(configPlatform(config))) return { ref, digest, config };
        break;
      }
      const best = rankIndexEntries(m.manifests, matcher)[0];
      if (best === undefined) break;
      current = best.digest;
    }
    throw layoutError(`${ref}: no match for platform ${formatPlatformAll(options.platform)} in the OCI layout ${dir}`);
  }
}

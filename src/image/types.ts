/**
 * Image metadata as the frontend consumes it: the OCI platform and image config types, and the
 * {@link ImageResolver} interface through which base images are looked up.
 */

/** An OCI platform (`linux/amd64`, `linux/arm/v7`, `windows/amd64` with an OS version…). */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly osVersion?: string;
  readonly osFeatures?: readonly string[];
}

/** The `config` object of an OCI image config (Docker's container config subset). */
export interface ImageRuntimeConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  Healthcheck?: HealthConfig;
  OnBuild?: string[] | null;
  Shell?: string[];
  [key: string]: unknown;
}

/** Docker's healthcheck config, durations in nanoseconds. */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** One entry of an image's history. */
export interface ImageHistory {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** An OCI image config document (`application/vnd.oci.image.config.v1+json`). */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ImageRuntimeConfig;
  rootfs?: { type: string; diff_ids: string[] };
  history?: ImageHistory[];
  [key: string]: unknown;
}

/** What resolving an image reference for a platform yields. */
export interface ResolvedImage {
  /** The normalized reference that was resolved, e.g. `docker.io/library/alpine:3.20`. */
  readonly ref: string;
  /** The digest the reference pins to (`sha256:…`): the manifest or index the tag points to. */
  readonly digest: string;
  /** The image config for the requested platform. */
  readonly config: ImageConfig;
}

/** Options for one resolution. */
export interface ResolveOptions {
  /** The platform whose config is wanted. */
  readonly platform: Platform;
}

/**
 * Looks up base images. The frontend calls it once per distinct (ref, platform) it needs.
 * Implementations: an offline metadata map (`images.json`), or a registry client (Node only).
 */
export interface ImageResolver {
  /**
   * Resolves a normalized reference (`docker.io/library/alpine:3.20`, possibly with `@sha256:…`).
   * Rejects with an {@link ImageResolveError} when the image is unknown or cannot be fetched.
   */
  resolve(ref: string, options: ResolveOptions): Promise<ResolvedImage>;
}

/** One entry of the offline image metadata file. */
export interface ImageMetadataEntry {
  /** The digest `FROM` pins: the manifest or index the reference points to. */
  digest: string;
  /** The image config, for the platform the image was locked for. */
  config: ImageConfig;
  /**
   * Extension written by `lock` only when one reference was resolved for several platforms whose
   * configs differ (e.g. `FROM --platform=$BUILDPLATFORM golang` next to `FROM golang` in a
   * cross build): formatted platform (`linux/arm64`) → config. `config` is then the first one.
   */
  platforms?: Record<string, ImageConfig>;
}

/** The offline image metadata file format (`images.json`): normalized ref → digest and config. */
export type ImageMetadataFile = Record<string, ImageMetadataEntry>;

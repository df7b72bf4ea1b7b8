/**
 * The image config a Dockerfile produces, modelled on the Go type BuildKit fills in
 * (`DockerOCIImage`): only the fields Go knows survive a round trip, and {@link imageConfigJson}
 * renders it with Go's `encoding/json` rules (omitempty, `null` for an absent diff_ids list).
 */
import type { HealthConfig, ImageConfig, ImageHistory, ImageRuntimeConfig, Platform } from '../image/types.js';

/** The runtime config part of the image, as BuildKit's frontend mutates it. */
export interface RuntimeConfig {
  User: string;
  ExposedPorts: Record<string, object> | undefined;
  Env: string[];
  Entrypoint: string[] | undefined;
  Cmd: string[] | undefined;
  Volumes: Record<string, object> | undefined;
  WorkingDir: string;
  Labels: Record<string, string> | undefined;
  StopSignal: string;
  ArgsEscaped: boolean;
  Healthcheck: HealthConfig | undefined;
  OnBuild: string[] | undefined;
  Shell: string[] | undefined;
}

/** A mutable working copy of an image config. Use {@link cloneImage} before sharing. */
export interface ImageModel {
  created?: string;
  author: string;
  architecture: string;
  os: string;
  osVersion: string;
  osFeatures: string[] | undefined;
  variant: string;
  config: RuntimeConfig;
  rootfs: { type: string; diffIds: string[] | undefined };
  history: ImageHistory[];
}

function copyArray<T>(a: readonly T[] | null | undefined): T[] | undefined {
  return a ? [...a] : undefined;
}

/** Parses an OCI config document the way Go unmarshals it into `DockerOCIImage`. */
export function imageFromConfig(cfg: ImageConfig): ImageModel {
  const c: ImageRuntimeConfig = cfg.config ?? {};
  return {
    created: typeof cfg.created === 'string' ? cfg.created : undefined,
    author: typeof cfg.author === 'string' ? cfg.author : '',
    architecture: cfg.architecture ?? '',
    os: cfg.os ?? '',
    osVersion: cfg['os.version'] ?? '',
    osFeatures: copyArray(cfg['os.features']),
    variant: cfg.variant ?? '',
    config: {
      User: c.User ?? '',
      ExposedPorts: c.ExposedPorts ? { ...c.ExposedPorts } : undefined,
      Env: [...(c.Env ?? [])],
      Entrypoint: copyArray(c.Entrypoint),
      Cmd: copyArray(c.Cmd),
      Volumes: c.Volumes ? { ...c.Volumes } : undefined,
      WorkingDir: c.WorkingDir ?? '',
      Labels: c.Labels ? { ...c.Labels } : undefined,
      StopSignal: c.StopSignal ?? '',
      ArgsEscaped: c.ArgsEscaped === true,
      Healthcheck: c.Healthcheck ? { ...c.Healthcheck, Test: copyArray(c.Healthcheck.Test) } : undefined,
      OnBuild: copyArray(c.OnBuild),
      Shell: copyArray(c.Shell),
    },
    rootfs: { type: cfg.rootfs?.type ?? '', diffIds: copyArray(cfg.rootfs?.diff_ids) },
    history: (cfg.history ?? []).map((h) => ({ ...h })),
  };
}

/** The config of `FROM scratch` for a platform (BuildKit's `emptyImage`). */
export function emptyImage(platform: Platform): ImageModel {
  return {
    author: '',
    architecture: platform.architecture,
    os: platform.os,
    osVersion: platform.osVersion ?? '',
    osFeatures: copyArray(platform.osFeatures),
    variant: platform.variant ?? '',
    config: {
      User: '',
      ExposedPorts: undefined,
      Env: [],
      Entrypoint: undefined,
      Cmd: undefined,
      Volumes: undefined,
      WorkingDir: '/',
      Labels: undefined,
      StopSignal: '',
      ArgsEscaped: false,
      Healthcheck: undefined,
      OnBuild: undefined,
      Shell: undefined,
    },
    rootfs: { type: 'layers', diffIds: undefined },
    history: [],
  };
}

/** A deep copy. */
export function cloneImage(img: ImageModel): ImageModel {
  const c = img.config;
  return {
    ...img,
    osFeatures: copyArray(img.osFeatures),
    config: {
      ...c,
      ExposedPorts: c.ExposedPorts ? { ...c.ExposedPorts } : undefined,
      Env: [...c.Env],
      Entrypoint: copyArray(c.Entrypoint),
      Cmd: copyArray(c.Cmd),
      Volumes: c.Volumes ? { ...c.Volumes } : undefined,
      Labels: c.Labels ? { ...c.Labels } : undefined,
      Healthcheck: c.Healthcheck ? { ...c.Healthcheck, Test: copyArray(c.Healthcheck.Test) } : undefined,
      OnBuild: copyArray(c.OnBuild),
      Shell: copyArray(c.Shell),
    },
    rootfs: { type: img.rootfs.type, diffIds: copyArray(img.rootfs.diffIds) },
    history: img.history.map((h) => ({ ...h })),
  };
}

/** The image's platform. */
export function imagePlatform(img: ImageModel): Platform {
  return {
    os: img.os,
    architecture: img.architecture,
    ...(img.variant ? { variant: img.variant } : {}),
    ...(img.osVersion ? { osVersion: img.osVersion } : {}),
    ...(img.osFeatures ? { osFeatures: img.osFeatures } : {}),
  };
}

/** Appends a history entry the way BuildKit's `commitToHistory` does. */
export function commitToHistory(img: ImageModel, message: string, withLayer: boolean, fromState: boolean, created?: string): void {
  // Field by field in the JSON's order (no spreads of optional fields: one entry per step).
  const entry: ImageHistory = {};
  if (created) entry.created = created;
  entry.created_by = fromState ? `${message} # buildkit` : message;
  entry.comment = 'buildkit.dockerfile.v0';
  if (!withLayer) entry.empty_layer = true;
  img.history.push(entry);
}

function nonEmptyMap<T>(m: Record<string, T> | undefined): Record<string, T> | undefined {
  return m && Object.keys(m).length ? m : undefined;
}

function nonEmptyArray<T>(a: T[] | undefined): T[] | undefined {
  return a && a.length ? a : undefined;
}

function healthJson(h: HealthConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (h.Test?.length) out.Test = h.Test;
  if (h.Interval) out.Interval = h.Interval;
  if (h.Timeout) out.Timeout = h.Timeout;
  if (h.StartPeriod) out.StartPeriod = h.StartPeriod;
  if (h.StartInterval) out.StartInterval = h.StartInterval;
  if (h.Retries) out.Retries = h.Retries;
  return out;
}

/**
 * The image config as BuildKit serializes it: Go field order, empty fields omitted, `diff_ids`
 * `null` when absent. Returns a JSON-compatible object.
 */
export function imageConfigJson(img: ImageModel): ImageConfig {
  const c = img.config;
  const config: Record<string, unknown> = {};
  const set = (k: string, v: unknown) => {
    if (v !== undefined && v !== '' && v !== false) config[k] = v;
  };
  set('User', c.User);
  set('ExposedPorts', nonEmptyMap(c.ExposedPorts));
  set('Env', nonEmptyArray(c.Env));
  set('Entrypoint', nonEmptyArray(c.Entrypoint));
  set('Cmd', nonEmptyArray(c.Cmd));
  set('Volumes', nonEmptyMap(c.Volumes));
  set('WorkingDir', c.WorkingDir);
  set('Labels', nonEmptyMap(c.Labels));
  set('StopSignal', c.StopSignal);
  set('ArgsEscaped', c.ArgsEscaped);
  set('Healthcheck', c.Healthcheck ? healthJson(c.Healthcheck) : undefined);
  set('OnBuild', nonEmptyArray(c.OnBuild));
  set('Shell', nonEmptyArray(c.Shell));
  const out: Record<string, unknown> = {};
  if (img.created) out.created = img.created;
  if (img.author) out.author = img.author;
  out.architecture = img.architecture;
  out.os = img.os;
  if (img.osVersion) out['os.version'] = img.osVersion;
  if (img.osFeatures?.length) out['os.features'] = img.osFeatures;
  if (img.variant) out.variant = img.variant;
  out.config = config;
  out.rootfs = { type: img.rootfs.type, diff_ids: img.rootfs.diffIds ?? null };
  if (img.history.length) out.history = img.history;
  return out as ImageConfig;
}

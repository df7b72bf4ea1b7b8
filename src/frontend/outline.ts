/**
 * What a Dockerfile takes and offers, without building it: its targets (BuildKit's
 * `frontend.targets` subrequest, `docker build --call=targets`) and, for one target, the build
 * arguments, secrets and SSH sockets it uses (`frontend.outline`, `docker build --call=outline`).
 *
 * The objects are BuildKit's (`subrequests/targets.Target`, `subrequests/outline.Outline`);
 * {@link outlineJson} and {@link targetsJson} print them, with the Dockerfile as `sources`,
 * exactly as `--call=outline,format=json` and `--call=targets,format=json` do, and the text is
 * what BuildKit's `PrintTargets` and `PrintOutline` print.
 */
import { DockerfileLlbError, type SourceLocation } from '../errors.js';
import { StaticImageResolver } from '../image/static-resolver.js';
import type { ImageMetadataFile, ImageResolver, Platform } from '../image/types.js';
import { parseInstructions } from '../instructions/index.js';
import { parse } from '../parser/index.js';
import { convert } from './convert.js';
import type { DispatchState } from './dispatch-state.js';
import { compareGoStrings } from '../util/gounicode.js';
import type { ArgInfo, MountInfo } from './outline-capture.js';
import { DEFAULT_PLATFORM } from './platform.js';
import { type BuildRequestOptions, parseBuildRequest } from './request.js';
import type { NamedContexts, OciLayoutResolver } from './named-context.js';
import { base64 } from '../util/base64.js';

/** A source location as BuildKit's outline JSON has it (`pb.Location`; columns are always 0). */
export interface OutlineLocation {
  readonly ranges: readonly { readonly start: { readonly line: number }; readonly end: { readonly line: number } }[];
}

/** A stage that can be built with `--target` (BuildKit's `targets.Target`). */
export interface Target {
  /** The stage name, lower-cased; absent for an unnamed stage. */
  readonly name?: string;
  /** True for the last stage, built when no target is given. */
  readonly default?: boolean;
  /** The `# name description` comment above the FROM. */
  readonly description?: string;
  /** The FROM reference as written, before ARG expansion. */
  readonly base?: string;
  /** The FROM `--platform` as written. */
  readonly platform?: string;
  readonly location?: OutlineLocation;
}

/** A build argument a target uses (BuildKit's `outline.Arg`). */
export interface OutlineArg {
  readonly name: string;
  /** The `# NAME description` comment above the ARG. */
  readonly description?: string;
  /** The value the build would use: the default, expanded, or the `--build-arg` value. */
  readonly value?: string;
  readonly location?: OutlineLocation;
}

/** A secret or SSH socket a target's RUN mounts ask for (BuildKit's `outline.Secret`, `outline.SSH`). */
export interface OutlineMount {
  readonly name: string;
  readonly required?: boolean;
  readonly location?: OutlineLocation;
}

/** What one target takes (BuildKit's `outline.Outline`; {@link outlineJson} adds `sources`). */
export interface Outline {
  /** The target stage's name; absent for an unnamed last stage. */
  readonly name?: string;
  readonly description?: string;
  readonly args?: readonly OutlineArg[];
  readonly secrets?: readonly OutlineMount[];
  readonly ssh?: readonly OutlineMount[];
}

/**
 * Options of {@link outline}: those of `compile` that change what the outline says, and the
 * request options, which BuildKit checks for the outline request too (a bad one fails it).
 */
export interface OutlineOptions extends Omit<BuildRequestOptions, 'platforms'> {
  /** The stage to outline (default: the last one). */
  readonly target?: string;
  /** `--build-arg` values; they show as the values of the ARGs they set. */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /**
   * Target platform(s) of the request (`linux/arm64`, `linux/amd64,linux/arm64`). They are
   * checked, but, as in BuildKit, the outline request converts for the implicit default
   * platform whatever they say (its converter is given no target platform).
   */
  readonly platform?: string | Platform;
  /** Where base image metadata comes from (ARG defaults may read the base image's ENV). */
  readonly resolver?: ImageResolver;
  /** Offline image metadata (the `images.json` format), used when no `resolver` is given. */
  readonly images?: ImageMetadataFile;
  /** Named build contexts, as for `compile`: a stage they replace contributes nothing of its own. */
  readonly namedContexts?: NamedContexts;
  /** Reads the images of `oci-layout://` named contexts. */
  readonly ociLayouts?: OciLayoutResolver;
  /** The Dockerfile's name in errors; default `Dockerfile`. */
  readonly filename?: string;
}

const textDecoder = new TextDecoder();

function toText(dockerfile: string | Uint8Array): string {
  return typeof dockerfile === 'string' ? dockerfile : textDecoder.decode(dockerfile);
}

/** An instruction's location as BuildKit reports it (`parser.Node.Location`): one range per line. */
function toLocation(loc: SourceLocation | undefined): OutlineLocation | undefined {
  if (!loc) return undefined;
  const ranges = [];
  for (let line = loc.start.line; line <= Math.max(loc.start.line, loc.end.line); line++) ranges.push({ start: { line }, end: { line } });
  return { ranges };
}

/**
 * The stages of a Dockerfile, as `docker build --call=targets` lists them. Only parses: no base
 * image is resolved.
 *
 * @throws `DockerfileError` when the Dockerfile does not parse.
 */
export function listTargets(dockerfile: string | Uint8Array, options: { filename?: string } = {}): Target[] {
  const file = options.filename ?? 'Dockerfile';
  const { stages } = parseInstructions(parse(toText(dockerfile), { file }).ast, { file });
  return stages.map((s, i) => {
    const t: { -readonly [K in keyof Target]: Target[K] } = {};
    if (s.name) t.name = s.name;
    if (i === stages.length - 1) t.default = true;
    if (s.comment) t.description = s.comment;
    if (s.baseName) t.base = s.baseName;
    if (s.platform) t.platform = s.platform;
    t.location = toLocation(s.location);
    return t;
  });
}

/**
 * The build arguments, secrets and SSH sockets that building `options.target` uses, as
 * `docker build --call=outline` reports them. Like BuildKit, this runs the whole conversion, so
 * base images are resolved (ARG defaults can read their ENV).
 *
 * @throws `DockerfileError` for errors in the Dockerfile, as `compile` does.
 */
export async function outline(dockerfile: string | Uint8Array, options: OutlineOptions = {}): Promise<Outline> {
  const text = toText(dockerfile);
  const resolver = options.resolver ?? (options.images ? StaticImageResolver.of(options.images) : undefined);
  if (!resolver) throw new DockerfileLlbError('E_NO_RESOLVER', 'outline needs image metadata: pass `resolver` or `images`');
  const request = parseBuildRequest({ ...options, platforms: options.platform === undefined ? undefined : [options.platform] }, options.buildArgs);
  const result = await convert(text, {
    target: options.target,
    buildArgs: options.buildArgs,
    buildPlatforms: [DEFAULT_PLATFORM],
    request,
    namedContexts: options.namedContexts,
    ociLayouts: options.ociLayouts,
    resolver,
    localUniqueId: 'localuniqueid',
    filename: options.filename ?? 'Dockerfile',
    outline: true,
  });
  return stageOutline(result.targetState);
}

/** BuildKit's `dispatchState.Outline`: what the stage and the stages it needs use. */
function stageOutline(ds: DispatchState): Outline {
  // Stages referenced only by COPY --from or a mount of an image have no capture.
  const args = collect(ds, new Set(), (d, visited) => {
    const cap = d.outline;
    if (!cap) return [];
    cap.markAllUsed(cap.usedArgs);
    const out: ArgInfo[] = [];
    for (const k of cap.usedArgs) {
      const a = cap.allArgs.get(k);
      if (a && !visited.has(k)) {
        out.push(a);
        visited.add(k);
      }
    }
    return out;
  });
  const mounts = (pick: (d: DispatchState) => ReadonlyMap<string, MountInfo> | undefined) =>
    collect(ds, new Set(), (d, visited) => {
      const out: (MountInfo & { name: string })[] = [];
      for (const [name, m] of pick(d) ?? []) {
        if (!visited.has(name)) {
          out.push({ name, ...m });
          visited.add(name);
        }
      }
      return out;
    });
  // BuildKit sorts by line only, so entries of one line come in Go map order; like the oracle,
  // take them by name (one of the orders BuildKit gives).
  const byLine = <T extends { location: SourceLocation }>(xs: T[], name: (x: T) => string) =>
    xs.sort((a, b) => a.location.start.line - b.location.start.line || compareGoStrings(name(a), name(b)));
  const o: { -readonly [K in keyof Outline]: Outline[K] } = {};
  if (ds.stage.name) o.name = ds.stage.name;
  if (ds.stage.comment) o.description = ds.stage.comment;
  const argList = byLine(args, (a) => a.key).map((a) => {
    const x: { -readonly [K in keyof OutlineArg]: OutlineArg[K] } = { name: a.key };
    if (a.comment) x.description = a.comment;
    if (a.value) x.value = a.value;
    x.location = toLocation(a.location);
    return x;
  });
  const mountList = (xs: (MountInfo & { name: string })[]) =>
    byLine(xs, (m) => m.name).map((m) => ({ name: m.name, ...(m.required ? { required: true } : {}), location: toLocation(m.location) }));
  const secrets = mountList(mounts((d) => d.outline?.secrets));
  const ssh = mountList(mounts((d) => d.outline?.ssh));
  if (argList.length) o.args = argList;
  if (secrets.length) o.secrets = secrets;
  if (ssh.length) o.ssh = ssh;
  return o;
}

/** Visits a stage, then its base, then its dependencies, sharing `visited` (BuildKit's order). */
function collect<T>(ds: DispatchState, visited: Set<string>, own: (d: DispatchState, visited: Set<string>) => T[], seen = new Set<DispatchState>()): T[] {
  // BuildKit recurses without a guard; a stage reached twice adds nothing new the second time.
  if (seen.has(ds)) return [];
  seen.add(ds);
  const out = own(ds, visited);
  if (ds.base) out.push(...collect(ds.base, visited, own, seen));
  for (const d of ds.deps.keys()) out.push(...collect(d, visited, own, seen));
  return out;
}

// ----- JSON ---------------------------------------------------------------------------------------

function toBytes(dockerfile: string | Uint8Array): Uint8Array {
  return typeof dockerfile === 'string' ? new TextEncoder().encode(dockerfile) : dockerfile;
}

/**
 * Go's `json.MarshalIndent(v, "", "  ")` of a value whose objects already have Go's field order
 * and omit empty fields: JSON.stringify's layout is the same; only Go's string escaping differs.
 */
function goIndentJson(v: unknown): string {
  const text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' ? toWellFormed(x) : x), 2);
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go writes a lone surrogate (which only a JS string can hold) as U+FFFD. */
function toWellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}


/** A location in Go's field order: `{"ranges": [{"start": {"line"}, "end": {"line"}}]}`. */
function locationJson(l: OutlineLocation | undefined) {
  if (!l) return undefined;
  const pos = (p: { readonly line: number }) => (p.line ? { line: p.line } : {});
  return { ranges: l.ranges.map((r) => ({ start: pos(r.start), end: pos(r.end) })) };
}

/**
 * What `docker build --call=outline,format=json` prints for `o` (BuildKit's `outline.Outline`
 * through Go's JSON encoder, two-space indent, final newline), `sources` being the Dockerfile.
 */
export function outlineJson(o: Outline | readonly Outline[], dockerfile: string | Uint8Array): string {
  const value = isOutlineList(o) ? o.map((x) => outlineValue(x, dockerfile)) : outlineValue(o, dockerfile);
  return `${goIndentJson(value)}\n`;
}

function isOutlineList(o: Outline | readonly Outline[]): o is readonly Outline[] {
  return Array.isArray(o);
}

function outlineValue(o: Outline, dockerfile: string | Uint8Array) {
  const mount = (m: OutlineMount) => ({ name: m.name, ...(m.required ? { required: true } : {}), ...(m.location ? { location: locationJson(m.location) } : {}) });
  const v = {
    ...(o.name ? { name: o.name } : {}),
    ...(o.description ? { description: o.description } : {}),
    ...(o.args?.length
      ? {
          args: o.args.map((a) => ({
            name: a.name,
            ...(a.description ? { description: a.description } : {}),
            ...(a.value ? { value: a.value } : {}),
            ...(a.location ? { location: locationJson(a.location) } : {}),
          })),
        }
      : {}),
    ...(o.secrets?.length ? { secrets: o.secrets.map(mount) } : {}),
    ...(o.ssh?.length ? { ssh: o.ssh.map(mount) } : {}),
    sources: [base64(toBytes(dockerfile))],
  };
  return v;
}

/**
 * What `docker build --call=targets,format=json` prints (BuildKit's `targets.List`):
 * `{"targets": [...], "sources": [<the Dockerfile, base64>]}`.
 */
export function targetsJson(targets: readonly Target[], dockerfile: string | Uint8Array): string {
  const v = {
    // Not omitempty in Go: a Dockerfile without stages lists `null`.
    targets: targets.length
      ? targets.map((t) => ({
          ...(t.name ? { name: t.name } : {}),
          ...(t.default ? { default: true } : {}),
          ...(t.description ? { description: t.description } : {}),
          ...(t.base ? { base: t.base } : {}),
          ...(t.platform ? { platform: t.platform } : {}),
          ...(t.location ? { location: locationJson(t.location) } : {}),
        }))
      : null,
    sources: [base64(toBytes(dockerfile))],
  };
  return `${goIndentJson(v)}\n`;
}

// ----- text ---------------------------------------------------------------------------------------

/**
 * Go's `text/tabwriter` with minwidth 0, tabwidth 0, padchar ' ' and no flags, for rows whose
 * cells all end in a tab except the last: each column is as wide as its widest cell plus
 * `padding`.
 */
function tabwrite(rows: readonly (readonly string[])[], padding: number): string {
  const width = (s: string) => [...s].length;
  const widths: number[] = [];
  for (const r of rows) r.slice(0, -1).forEach((c, j) => (widths[j] = Math.max(widths[j] ?? 0, width(c) + padding)));
  return rows.map((r) => r.map((c, j) => (j < r.length - 1 ? c + ' '.repeat(widths[j] - width(c)) : c)).join('') + '\n').join('');
}

/** The targets as `docker build --call=targets` prints them (BuildKit's `PrintTargets`). */
export function formatTargets(targets: readonly Target[]): string {
  const rows = [['TARGET', 'DESCRIPTION']];
  for (const t of targets) {
    let name = t.name ?? '';
    if (name === '' && t.default) name = '(default)';
    else if (t.default) name = `${name} (default)`;
    rows.push([name, t.description ?? '']);
  }
  return tabwrite(rows, 1);
}

/** An outline as `docker build --call=outline` prints it (BuildKit's `PrintOutline`). */
export function formatOutline(o: Outline): string {
  let out = '';
  if (o.name || o.description) {
    const rows = [['TARGET:', o.name || '(default)']];
    if (o.description) rows.push(['DESCRIPTION:', o.description]);
    out += `${tabwrite(rows, 1)}\n`;
  }
  if (o.args?.length) {
    out += `${tabwrite([['BUILD ARG', 'VALUE', 'DESCRIPTION'], ...o.args.map((a) => [a.name, a.value ?? '', a.description ?? ''])], 3)}\n`;
  }
  if (o.secrets?.length) out += `${tabwrite([['SECRET', 'REQUIRED'], ...o.secrets.map((s) => [s.name, s.required ? 'true' : ''])], 3)}\n`;
  if (o.ssh?.length) out += `${tabwrite([['SSH', 'REQUIRED'], ...o.ssh.map((s) => [s.name, s.required ? 'true' : ''])], 3)}\n`;
  return out;
}

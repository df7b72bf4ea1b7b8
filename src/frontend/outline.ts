/**
 * What a Dockerfile takes and offers, without building it: its targets (BuildKit's
 * `frontend.targets` subrequest, `docker build --call=targets`) and, for one target, the build
 * arguments, secrets and SSH sockets it uses (`frontend.outline`, `docker build --call=outline`).
 *
 * The JSON shapes are BuildKit's (`subrequests/targets.Target`, `subrequests/outline.Outline`)
 * without `sources`; the text is what BuildKit's `PrintTargets` and `PrintOutline` print.
 */
import { DockerfileLlbError, type SourceLocation } from '../errors.js';
import { parsePlatform } from '../image/platform.js';
import { StaticImageResolver } from '../image/static-resolver.js';
import type { ImageMetadataFile, ImageResolver, Platform } from '../image/types.js';
import { parseInstructions } from '../instructions/index.js';
import { parse } from '../parser/index.js';
import { convert } from './convert.js';
import type { DispatchState } from './dispatch-state.js';
import type { ArgInfo, MountInfo } from './outline-capture.js';
import { DEFAULT_PLATFORM } from './platform.js';

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

/** What one target takes (BuildKit's `outline.Outline`, without `sources`). */
export interface Outline {
  /** The target stage's name; absent for an unnamed last stage. */
  readonly name?: string;
  readonly description?: string;
  readonly args?: readonly OutlineArg[];
  readonly secrets?: readonly OutlineMount[];
  readonly ssh?: readonly OutlineMount[];
}

/** Options of {@link outline}: those of `compile` that change what the outline says. */
export interface OutlineOptions {
  /** The stage to outline (default: the last one). */
  readonly target?: string;
  /** `--build-arg` values; they show as the values of the ARGs they set. */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Target platform (`linux/arm64`); default linux/amd64. */
  readonly platform?: string | Platform;
  /** Where base image metadata comes from (ARG defaults may read the base image's ENV). */
  readonly resolver?: ImageResolver;
  /** Offline image metadata (the `images.json` format), used when no `resolver` is given. */
  readonly images?: ImageMetadataFile;
  /** The Dockerfile's name in errors; default `Dockerfile`. */
  readonly filename?: string;
}

const textDecoder = new TextDecoder();

function toText(dockerfile: string | Uint8Array): string {
  return typeof dockerfile === 'string' ? dockerfile : textDecoder.decode(dockerfile);
}

function toLocation(loc: SourceLocation | undefined): OutlineLocation | undefined {
  if (!loc) return undefined;
  return { ranges: [{ start: { line: loc.start.line }, end: { line: loc.end.line } }] };
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
  const resolver = options.resolver ?? (options.images ? new StaticImageResolver(options.images) : undefined);
  if (!resolver) throw new DockerfileLlbError('E_NO_RESOLVER', 'outline needs image metadata: pass `resolver` or `images`');
  const platform: Platform | undefined = typeof options.platform === 'string' ? parsePlatform(options.platform) : options.platform;
  const result = await convert(text, {
    target: options.target,
    buildArgs: options.buildArgs,
    targetPlatform: platform,
    buildPlatforms: [DEFAULT_PLATFORM],
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
  const byLine = <T extends { location: SourceLocation }>(xs: T[]) => xs.sort((a, b) => a.location.start.line - b.location.start.line);
  const o: { -readonly [K in keyof Outline]: Outline[K] } = {};
  if (ds.stage.name) o.name = ds.stage.name;
  if (ds.stage.comment) o.description = ds.stage.comment;
  const argList = byLine(args).map((a) => {
    const x: { -readonly [K in keyof OutlineArg]: OutlineArg[K] } = { name: a.key };
    if (a.comment) x.description = a.comment;
    if (a.value) x.value = a.value;
    x.location = toLocation(a.location);
    return x;
  });
  const mountList = (xs: (MountInfo & { name: string })[]) =>
    byLine(xs).map((m) => ({ name: m.name, ...(m.required ? { required: true } : {}), location: toLocation(m.location) }));
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

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compile, type CompileOptions, compilePlatforms, type CompileResult, type MultiPlatformResult } from '../../compile.js';
import type { BuildRequestOptions } from '../../frontend/request.js';
import { parseDockerignore } from '../../frontend/dockerignore.js';
import type { ImageMetadataOptions } from '../../image/metadata.js';
import type { ImageResolver } from '../../image/types.js';
import { loadStaticResolver } from '../../resolver/metadata-file.js';
import { stabilizeWarnings } from '../../frontend/checks/linter.js';
import type { CheckWarning } from '../../frontend/checks/linter.js';
import { buildWarningsText, warningsJson } from '../../frontend/checks/report.js';
import { type FlagSpec, type ParsedArgs, UsageError } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { type BuildContexts, buildctlArgs, parseBuildContexts } from '../build-context.js';
import { parseLimitFlags, registrySettings, safetyFlags } from '../safety.js';
import { commitFiles, discardFiles, InputError, makeDirectory, outputPath, readInput, refuseTerminal, stageFile, type StagedFile, writeStdout, writeText } from '../io.js';

/** `--images-unverified-pins`: the opt-out of verifying pinned keys (see {@link imageMetadataOptions}). */
export const imagesUnverifiedPinsFlag: FlagSpec = {
  name: 'images-unverified-pins',
  type: 'boolean',
  description:
    'Take the digest --images records for a pinned key (name@sha256:A) even when it is another; only for metadata made by a test resolver, like BuildKit\'s golden corpus',
};

/** Flags shared by every command that compiles a Dockerfile. */
export const buildFlags: readonly FlagSpec[] = [
  { name: 'file', short: 'f', type: 'string', metavar: 'DOCKERFILE', description: 'The Dockerfile (default PATH/Dockerfile; - reads stdin)' },
  { name: 'target', type: 'string', metavar: 'STAGE', description: 'Build this stage (default: the last one)' },
  { name: 'build-arg', type: 'list', metavar: 'K=V', description: 'Set a build argument; a bare K takes its value from the environment' },
  { name: 'platform', type: 'string', metavar: 'PLATFORM', description: 'Target platform, e.g. linux/arm64 (default linux/amd64); compile takes several: linux/amd64,linux/arm64' },
  { name: 'images', type: 'string', metavar: 'FILE', description: 'Offline image metadata (images.json, see `lock`); no network is used' },
  imagesUnverifiedPinsFlag,
  { name: 'local-unique-id', type: 'string', metavar: 'ID', description: 'local.unique of the build context source (default localuniqueid)' },
  { name: 'insecure-registry', type: 'list', metavar: 'HOST', description: 'Use plain HTTP for this registry' },
  ...safetyFlags,
];

/**
 * The options `docker build` sends the frontend besides build args and target, with docker's
 * flag names. Their values are checked as BuildKit's frontend checks them.
 */
export const requestFlags: readonly FlagSpec[] = [
  { name: 'label', type: 'list', metavar: 'K=V', description: 'Add a label to the image config (over the Dockerfile\'s LABEL)' },
  { name: 'add-host', type: 'list', metavar: 'NAME=IP', description: 'Add a host to /etc/hosts of every RUN (NAME:IP works too)' },
  { name: 'hostname', type: 'string', metavar: 'NAME', description: 'Hostname of every RUN' },
  { name: 'network', type: 'string', metavar: 'MODE', description: 'Network of every RUN without --network: default, none or host' },
  { name: 'shm-size', type: 'string', metavar: 'BYTES', description: 'A /dev/shm of BYTES bytes on every RUN' },
  { name: 'ulimit', type: 'list', metavar: 'NAME=SOFT[:HARD]', description: 'A resource limit on every RUN, e.g. nofile=1024:2048' },
  { name: 'cgroup-parent', type: 'string', metavar: 'PATH', description: 'Cgroup parent of every RUN' },
  { name: 'no-cache-filter', type: 'list', metavar: 'STAGE', description: 'Run this stage\'s steps without the build cache' },
  { name: 'no-cache', type: 'boolean', description: 'Run every step without the build cache' },
  {
    name: 'build-context',
    type: 'list',
    metavar: 'NAME=VALUE',
    description: 'A named context: a directory, docker-image://REF, a git or https URL, oci-layout://DIR[:TAG][@DIGEST]',
  },
];

/** What the build flags and PATH name: the Dockerfile, the context, build args, image metadata. */
export interface BuildInput {
  /** The Dockerfile's bytes. */
  readonly bytes: Uint8Array;
  /** The build context directory (absolute). */
  readonly contextDir: string;
  /** The Dockerfile's absolute path, or `-` for stdin. */
  readonly dockerfilePath: string;
  readonly buildArgs: Record<string, string>;
  readonly target: string | undefined;
  readonly platform: string | undefined;
  /** The request options of {@link requestFlags} (empty when the command has none). */
  readonly request: Omit<BuildRequestOptions, 'platforms'>;
  /** `--build-context` values (none when the command has no such flag). */
  readonly contexts: BuildContexts;
  /** Where base image metadata comes from: `--images`, or the registries. */
  resolver(): Promise<ImageResolver>;
}

/**
 * Parses `--build-arg` values: `K=V`, or a bare `K` that takes its value from the environment
 * and is skipped when unset (as docker does).
 */
export function parseBuildArgs(list: readonly string[], env: CommandContext['env'], flag = '--build-arg'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq === 0 || kv === '') throw new UsageError(`invalid ${flag} ${JSON.stringify(kv)}: the name is empty`);
    if (eq > 0) out[kv.slice(0, eq)] = kv.slice(eq + 1);
    else if (env[kv] !== undefined) out[kv] = env[kv]!;
  }
  return out;
}

/**
 * How the images.json files the flags name are read: `--images-unverified-pins` takes pinned
 * keys' digests as recorded (see {@link ImageMetadataOptions.pins}). `hasImages`: whether any
 * such file was named; the flag alone is a usage error.
 */
export function imageMetadataOptions(args: ParsedArgs, hasImages: boolean): ImageMetadataOptions {
  if (args.flags['images-unverified-pins'] !== true) return {};
  if (!hasImages) throw new UsageError('--images-unverified-pins needs --images FILE');
  return { pins: 'as-recorded' };
}

/** The image resolver the flags ask for: the `--images` file (offline), else the registries. */
export async function resolverFromArgs(ctx: CommandContext, args: ParsedArgs): Promise<ImageResolver> {
  const images = args.flags.images as string | undefined;
  const options = imageMetadataOptions(args, Boolean(images));
  if (images) return loadStaticResolver(resolve(ctx.cwd, images), options);
  // The registry client (and node:crypto, which it loads) only when it is used.
  const { RegistryResolver } = await import('../../resolver/registry-resolver.js');
  return new RegistryResolver({
    insecureRegistries: (args.flags['insecure-registry'] as string[] | undefined) ?? [],
    env: ctx.env,
    ...registrySettings(args, ctx.env),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
}

/**
 * Reads the Dockerfile the flags name (default `PATH/Dockerfile`, `-` for stdin) and collects
 * the build flags. Sets `ctx.source` so errors can show the offending line.
 */
export async function readBuildInput(ctx: CommandContext, args: ParsedArgs): Promise<BuildInput> {
  if (args.positionals.length > 1) throw new UsageError(`accepts at most one PATH (the build context), got ${args.positionals.length}: ${args.positionals.join(' ')}`);
  const buildArgs = parseBuildArgs((args.flags['build-arg'] as string[] | undefined) ?? [], ctx.env);

  const contextArg = args.positionals[0];
  const contextDir = resolve(ctx.cwd, contextArg ?? '.');
  if (contextArg !== undefined && !existsSync(contextDir)) throw new InputError(`${contextArg}: no such directory (PATH is the build context)`);
  if (contextArg !== undefined && !statSync(contextDir).isDirectory()) {
    throw new InputError(`${contextArg}: not a directory (PATH is the build context; name a Dockerfile with -f)`);
  }
  const fileFlag = args.flags.file as string | undefined;
  const dockerfilePath = fileFlag === undefined ? join(contextDir, 'Dockerfile') : fileFlag === '-' ? '-' : resolve(ctx.cwd, fileFlag);
  // Name the file as the user would: the flag as given, or PATH/Dockerfile.
  const shown = fileFlag ?? (contextArg === undefined ? 'Dockerfile' : join(contextArg, 'Dockerfile'));
  const bytes = await readInput(dockerfilePath, shown);
  ctx.sizeHint?.(bytes.length);
  // The text only for a message that quotes a line: compile() decodes the bytes itself, and
  // decoding a large file twice costs its time and as much memory again.
  let text: string | undefined;
  ctx.source = {
    file: 'Dockerfile',
    shown: fileFlag === '-' ? 'Dockerfile' : shown,
    get text() {
      return (text ??= new TextDecoder().decode(bytes));
    },
  };

  return {
    bytes,
    contextDir,
    dockerfilePath,
    buildArgs,
    target: args.flags.target as string | undefined,
    platform: args.flags.platform as string | undefined,
    request: parseRequestFlags(args),
    contexts: parseBuildContexts((args.flags['build-context'] as string[] | undefined) ?? [], ctx.cwd),
    resolver: () => resolverFromArgs(ctx, args),
  };
}

/** `--label K=V`: a bare K is a label with an empty value, as with docker build. */
function parseLabels(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq === 0 || kv === '') throw new UsageError(`invalid --label ${JSON.stringify(kv)}: the name is empty`);
    if (eq < 0) out[kv] = '';
    else out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

/**
 * `--add-host` as docker build takes it: `NAME=IP` or `NAME:IP`, the address possibly in
 * brackets (`[fd00::1]`), turned into the frontend's `name=ip` entries. Anything else goes to
 * the frontend as is, which refuses it with BuildKit's message.
 */
function parseAddHosts(list: readonly string[]): string[] {
  return list.map((h) => {
    let eq = h.indexOf('=');
    if (eq < 0) eq = h.indexOf(':');
    if (eq < 0) return h;
    let ip = h.slice(eq + 1);
    if (ip === 'host-gateway') throw new UsageError(`--add-host ${h}: host-gateway is the builder's own gateway address, which only the daemon knows; give the IP address`);
    if (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    return `${h.slice(0, eq)}=${ip}`;
  });
}

const list = (args: ParsedArgs, name: string): string[] | undefined => args.flags[name] as string[] | undefined;
const str = (args: ParsedArgs, name: string): string | undefined => args.flags[name] as string | undefined;

/** The request options the flags of {@link requestFlags} set (none are validated here but the syntax). */
export function parseRequestFlags(args: ParsedArgs): Omit<BuildRequestOptions, 'platforms'> {
  const out: { -readonly [K in keyof BuildRequestOptions]: BuildRequestOptions[K] } = {};
  const labels = list(args, 'label');
  if (labels) out.labels = parseLabels(labels);
  const hosts = list(args, 'add-host');
  if (hosts) out.extraHosts = parseAddHosts(hosts);
  if (str(args, 'hostname') !== undefined) out.hostname = str(args, 'hostname');
  if (str(args, 'network') !== undefined) out.network = str(args, 'network');
  if (str(args, 'shm-size') !== undefined) out.shmSize = str(args, 'shm-size');
  if (list(args, 'ulimit')) out.ulimits = list(args, 'ulimit');
  if (str(args, 'cgroup-parent') !== undefined) out.cgroupParent = str(args, 'cgroup-parent');
  if (args.flags['no-cache'] === true) out.noCache = true;
  else if (list(args, 'no-cache-filter')) out.noCache = list(args, 'no-cache-filter');
  return out;
}

/**
 * For commands that work on one platform: `--platform a,b` gets a usage error that says what to
 * run instead.
 */
export function requireOnePlatform(platform: string | undefined, command: string): void {
  if (platform === undefined || !platform.includes(',')) return;
  const list = platform.split(',');
  throw new UsageError(
    `--platform ${platform}: ${command} works on one platform; run it once per platform (--platform ${list[0]}, then --platform ${list[1]}), ` +
      `or compile every platform at once: dockerfile-llb compile --platform ${platform} -o DIR`,
  );
}

/**
 * Compiles the Dockerfile the flags name, with `resolver` when given (else the one the flags ask
 * for). Sets `ctx.source` so errors can show the line.
 */
export async function compileFromArgs(
  ctx: CommandContext,
  args: ParsedArgs,
  resolver?: ImageResolver,
  onWarning?: (w: CheckWarning) => void,
): Promise<CompileResult> {
  const { input, options } = await compileOptionsFromArgs(ctx, args, resolver, onWarning);
  return compile(input.bytes, options);
}

/** Like {@link compileFromArgs}, for every platform of `--platform a,b`. */
export async function compilePlatformsFromArgs(
  ctx: CommandContext,
  args: ParsedArgs,
  resolver?: ImageResolver,
  onWarning?: (w: CheckWarning) => void,
): Promise<MultiPlatformResult> {
  const { input, options } = await compileOptionsFromArgs(ctx, args, resolver, onWarning);
  return compilePlatforms(input.bytes, options);
}

async function compileOptionsFromArgs(
  ctx: CommandContext,
  args: ParsedArgs,
  resolver?: ImageResolver,
  onWarning?: (w: CheckWarning) => void,
): Promise<{ input: BuildInput; options: CompileOptions }> {
  const input = await readBuildInput(ctx, args);
  const options: CompileOptions = {
    ...input.request,
    onWarning,
    target: input.target,
    buildArgs: input.buildArgs,
    platform: input.platform,
    resolver: resolver ?? (await input.resolver()),
    localUniqueId: (args.flags['local-unique-id'] as string | undefined) ?? 'localuniqueid',
    filename: 'Dockerfile',
    excludePatterns: readDockerignore(input.contextDir, input.dockerfilePath),
    ...(Object.keys(input.contexts.namedContexts).length ? { namedContexts: input.contexts.namedContexts } : {}),
    ...(input.contexts.ociLayouts ? { ociLayouts: input.contexts.ociLayouts } : {}),
    limits: parseLimitFlags(list(args, 'limit') ?? []),
  };
  return { input, options };
}

/**
 * The context's ignore patterns, found as BuildKit's frontend finds them: `<Dockerfile>.dockerignore`
 * next to the Dockerfile when it exists, else `.dockerignore` at the root of the context.
 */
export function readDockerignore(contextDir: string, dockerfilePath: string): string[] | undefined {
  const candidates = dockerfilePath === '-' ? [] : [`${dockerfilePath}.dockerignore`];
  candidates.push(join(contextDir, '.dockerignore'));
  for (const c of candidates) {
    if (existsSync(c) && statSync(c).isFile()) return parseDockerignore(readFileSync(c, 'utf8'));
  }
  return undefined;
}

export const compileCommand: Command = {
  name: 'compile',
  summary: 'Compile a Dockerfile into an LLB Definition for `buildctl build`',
  usage: 'dockerfile-llb compile [PATH] [-f DOCKERFILE] [--target T] [--build-arg K=V]... [--platform P[,P...]] [--images FILE] [-o OUT.pb|DIR]',
  flags: [
    ...buildFlags,
    ...requestFlags,
    { name: 'output', short: 'o', type: 'string', metavar: 'FILE', description: 'Write the Definition to FILE (default stdout, when it is not a terminal); a directory for several platforms' },
    { name: 'image-config', type: 'string', metavar: 'FILE', description: 'Also write the image config JSON to FILE; a directory for several platforms' },
    {
      name: 'print-locals',
      type: 'boolean',
      description: 'Print the buildctl arguments the LLB needs (--local NAME=DIR, --oci-layout STORE=DIR): on stdout with -o, else on stderr',
    },
    { name: 'warnings-json', type: 'string', metavar: 'FILE', description: 'Write the build checks that fired to FILE as JSON (also when the build fails)' },
  ],
  details: [
    'PATH is the build context (default .). Pipe the output into BuildKit:',
    '  dockerfile-llb -f Dockerfile . | buildctl build --local context=. --output type=image,name=example',
    'Several platforms (--platform linux/amd64,linux/arm64) compile once per platform, and -o DIR',
    'writes DIR/linux-amd64.pb, DIR/linux-arm64.pb (os-arch[-variant].pb); --image-config DIR the same .json.',
    '-o DIR/ (a trailing slash, or an existing directory) writes that way for one platform too.',
    'A --build-context directory is read by the LLB as local://NAME; --print-locals prints what',
    'buildctl then needs:',
    '  dockerfile-llb . --build-context assets=../assets -o app.pb --print-locals',
    '  --local assets=/home/me/assets --local context=/home/me/app',
    '',
    'The build checks that fire are summed up on stderr, as docker build does (DEBUG=1 shows each',
    'with its description and lines; for several platforms, the first one\'s, as BuildKit reports);',
    '`dockerfile-llb check` runs them all.',
  ].join('\n'),
  async run(ctx, args) {
    const warnings: CheckWarning[] = [];
    const warningsPath = args.flags['warnings-json'] as string | undefined;
    try {
      return await compileAndWrite(ctx, args, (w) => warnings.push(w));
    } finally {
      // Also when the build fails, as buildx does: the checks found before the error still count.
      if (ctx.source) {
        const found = stabilizeWarnings(warnings);
        if (warningsPath) writeText(ctx, warningsJson(found), resolve(ctx.cwd, warningsPath));
        if (found.length > 0) {
          const source = { filename: ctx.source.file, data: ctx.source.text };
          ctx.stderr.write(buildWarningsText(found, source, Boolean(ctx.env.DEBUG), 'set DEBUG=1 to expand'));
        }
      }
    }
  },
};

/** compile's work: one Definition (stdout or -o FILE), or one per platform (-o DIR). */
async function compileAndWrite(ctx: CommandContext, args: ParsedArgs, onWarning: (w: CheckWarning) => void): Promise<number> {
  const configArg = args.flags['image-config'] as string | undefined;
  const out = args.flags.output as string | undefined;
  const platforms = (args.flags.platform as string | undefined)?.split(',') ?? [];
  // -o DIR/ (or an existing directory) asks for per-platform files whatever their number.
  const outIsDir = out !== undefined && out !== '-' && (out.endsWith('/') || (existsSync(resolve(ctx.cwd, out)) && statSync(resolve(ctx.cwd, out)).isDirectory()));
  // All or nothing: every file is staged beside its target first; the Definitions are put in
  // place, then the image configs.
  const staged: StagedFile[] = [];
  // The buildctl arguments walk the whole graph: only for --print-locals.
  const printLocals = args.flags['print-locals'] === true;
  let locals: string[] = [];
  try {
    if (platforms.length > 1 || outIsDir) {
      if (out === undefined || out === '-') {
        throw new UsageError(`--platform ${platforms.join(',')} makes one Definition per platform: write them to a directory with -o DIR`);
      }
      const { input, options } = await compileOptionsFromArgs(ctx, args, undefined, onWarning);
      const multi = await compilePlatforms(input.bytes, options);
      if (printLocals) locals = buildctlArgs(multi.results.map((r) => r.graph), input.contextDir, input.contexts);
      staged.push(...stagePerPlatform(ctx, multi, out, '.pb', (r) => r.bytes));
      if (configArg) staged.push(...stagePerPlatform(ctx, multi, configArg, '.json', (r) => `${JSON.stringify(r.imageConfig, null, 2)}\n`));
    } else {
      const { input, options } = await compileOptionsFromArgs(ctx, args, undefined, onWarning);
      const result = await compile(input.bytes, options);
      if (printLocals) locals = buildctlArgs([result.graph], input.contextDir, input.contexts);
      const outPath = outputPath(ctx, out);
      if (outPath === undefined) refuseTerminal(ctx, 'the LLB Definition');
      if (outPath) staged.push(stageFile(outPath, result.bytes, out));
      const configPath = outputPath(ctx, configArg);
      if (configPath) staged.push(stageFile(configPath, `${JSON.stringify(result.imageConfig, null, 2)}\n`, configArg));
      if (outPath === undefined) writeStdout(ctx, result.bytes);
    }
  } catch (e) {
    discardFiles(staged);
    throw e;
  }
  commitFiles(staged);
  if (printLocals) {
    const line = `${locals.join(' ')}\n`;
    if (out !== undefined && out !== '-') ctx.stdout.write(line);
    else ctx.stderr.write(line);
  }
  return 0;
}

/** Stages one file per platform into `dir` (created when missing): `<os>-<arch>[-<variant>]<ext>`. */
function stagePerPlatform(ctx: CommandContext, multi: MultiPlatformResult, dirArg: string, ext: string, content: (r: CompileResult) => Uint8Array | string): StagedFile[] {
  const dir = resolve(ctx.cwd, dirArg);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError(`${dir}: not a directory (several platforms write one file each into a directory)`);
  makeDirectory(dir, dirArg);
  const staged: StagedFile[] = [];
  try {
    for (const r of multi.results) staged.push(stageFile(join(dir, `${r.fileName}${ext}`), content(r), join(dirArg, `${r.fileName}${ext}`)));
  } catch (e) {
    discardFiles(staged);
    throw e;
  }
  return staged;
}

export const configCommand: Command = {
  name: 'config',
  summary: 'Print the image config JSON a Dockerfile produces',
  usage: 'dockerfile-llb config [PATH] [-f DOCKERFILE] [--target T] [--build-arg K=V]... [--platform P] [--images FILE]',
  flags: [...buildFlags, ...requestFlags, { name: 'output', short: 'o', type: 'string', metavar: 'FILE', description: 'Write to FILE instead of stdout' }],
  async run(ctx, args) {
    requireOnePlatform(args.flags.platform as string | undefined, 'config');
    const result = await compileFromArgs(ctx, args);
    writeText(ctx, `${JSON.stringify(result.imageConfig, null, 2)}\n`, args.flags.output as string | undefined);
    return 0;
  },
};

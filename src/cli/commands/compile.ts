import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compile, type CompileResult } from '../../compile.js';
import { parseDockerignore } from '../../frontend/dockerignore.js';
import type { ImageResolver } from '../../image/types.js';
import { loadStaticResolver, RegistryResolver } from '../../resolver/index.js';
import { type FlagSpec, type ParsedArgs, UsageError } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { commitFiles, discardFiles, InputError, outputPath, readInput, refuseTerminal, stageFile, type StagedFile, writeStdout, writeText } from '../io.js';

/** Flags shared by every command that compiles a Dockerfile. */
export const buildFlags: readonly FlagSpec[] = [
  { name: 'file', short: 'f', type: 'string', metavar: 'DOCKERFILE', description: 'The Dockerfile (default PATH/Dockerfile; - reads stdin)' },
  { name: 'target', type: 'string', metavar: 'STAGE', description: 'Build this stage (default: the last one)' },
  { name: 'build-arg', type: 'list', metavar: 'K=V', description: 'Set a build argument; a bare K takes its value from the environment' },
  { name: 'platform', type: 'string', metavar: 'PLATFORM', description: 'Target platform, e.g. linux/arm64 (default linux/amd64)' },
  { name: 'images', type: 'string', metavar: 'FILE', description: 'Offline image metadata (images.json, see `lock`); no network is used' },
  { name: 'local-unique-id', type: 'string', metavar: 'ID', description: 'local.unique of the build context source (default localuniqueid)' },
  { name: 'insecure-registry', type: 'list', metavar: 'HOST', description: 'Use plain HTTP for this registry' },
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

/** The image resolver the flags ask for: the `--images` file (offline), else the registries. */
export async function resolverFromArgs(ctx: CommandContext, args: ParsedArgs): Promise<ImageResolver> {
  const images = args.flags.images as string | undefined;
  if (images) return loadStaticResolver(resolve(ctx.cwd, images));
  return new RegistryResolver({ insecureRegistries: (args.flags['insecure-registry'] as string[] | undefined) ?? [], env: ctx.env });
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
  ctx.source = { file: 'Dockerfile', text: new TextDecoder().decode(bytes) };

  return {
    bytes,
    contextDir,
    dockerfilePath,
    buildArgs,
    target: args.flags.target as string | undefined,
    platform: args.flags.platform as string | undefined,
    resolver: () => resolverFromArgs(ctx, args),
  };
}

/**
 * Compiles the Dockerfile the flags name, with `resolver` when given (else the one the flags ask
 * for). Sets `ctx.source` so errors can show the line.
 */
export async function compileFromArgs(ctx: CommandContext, args: ParsedArgs, resolver?: ImageResolver): Promise<CompileResult> {
  const input = await readBuildInput(ctx, args);
  return compile(input.bytes, {
    target: input.target,
    buildArgs: input.buildArgs,
    platform: input.platform,
    resolver: resolver ?? (await input.resolver()),
    localUniqueId: (args.flags['local-unique-id'] as string | undefined) ?? 'localuniqueid',
    filename: 'Dockerfile',
    excludePatterns: readDockerignore(input.contextDir, input.dockerfilePath),
  });
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
  usage: 'dockerfile-llb compile [PATH] [-f DOCKERFILE] [--target T] [--build-arg K=V]... [--platform P] [--images FILE] [-o OUT.pb]',
  flags: [
    ...buildFlags,
    { name: 'output', short: 'o', type: 'string', metavar: 'FILE', description: 'Write the Definition to FILE (default stdout, when it is not a terminal)' },
    { name: 'image-config', type: 'string', metavar: 'FILE', description: 'Also write the image config JSON to FILE' },
  ],
  details: 'PATH is the build context (default .). Pipe the output into BuildKit:\n  dockerfile-llb -f Dockerfile . | buildctl build --local context=. --output type=image,name=example',
  async run(ctx, args) {
    const result = await compileFromArgs(ctx, args);
    // All or nothing: the image config is put in place only once the Definition is written.
    const configArg = args.flags['image-config'] as string | undefined;
    const configPath = outputPath(ctx, configArg);
    const out = args.flags.output as string | undefined;
    const outPath = outputPath(ctx, out);
    if (outPath === undefined) refuseTerminal(ctx, 'the LLB Definition');
    const staged: StagedFile[] = [];
    try {
      if (configPath) staged.push(stageFile(configPath, `${JSON.stringify(result.imageConfig, null, 2)}\n`, configArg));
      if (outPath) staged.unshift(stageFile(outPath, result.bytes, out));
      else writeStdout(ctx, result.bytes);
    } catch (e) {
      discardFiles(staged);
      throw e;
    }
    commitFiles(staged);
    return 0;
  },
};

export const configCommand: Command = {
  name: 'config',
  summary: 'Print the image config JSON a Dockerfile produces',
  usage: 'dockerfile-llb config [PATH] [-f DOCKERFILE] [--target T] [--build-arg K=V]... [--platform P] [--images FILE]',
  flags: [...buildFlags, { name: 'output', short: 'o', type: 'string', metavar: 'FILE', description: 'Write to FILE instead of stdout' }],
  async run(ctx, args) {
    const result = await compileFromArgs(ctx, args);
    writeText(ctx, `${JSON.stringify(result.imageConfig, null, 2)}\n`, args.flags.output as string | undefined);
    return 0;
  },
};

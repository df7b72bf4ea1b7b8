/**
 * `dockerfile-llb diff OLD NEW`: which steps of NEW keep their digest, which change and why.
 * OLD and NEW are each a Dockerfile (compiled with the shared flags and its own `--old-*` /
 * `--new-*` flags) or a serialized Definition (`.pb`).
 */
import { dirname, resolve } from 'node:path';
import { diff, diffToJson, diffToTable } from '../../analysis/index.js';
import { compile, type CompileOptions } from '../../compile.js';
import type { Definition } from '../../llb/definition.js';
import type { ImageMetadataOptions } from '../../image/metadata.js';
import { loadStaticResolver } from '../../resolver/metadata-file.js';
import { type FlagSpec, type ParsedArgs, UsageError } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { readDefinitionFrom } from '../definition-input.js';
import { InputError, readInput, writeText } from '../io.js';
import { parseLimitFlags, registrySettings, safetyFlags } from '../safety.js';
import { imageMetadataOptions, imagesUnverifiedPinsFlag, parseBuildArgs, readDockerignore, requireOnePlatform } from './compile.js';

/** How to build one side: the Dockerfile and its build flags. */
export interface BuildSpec {
  /** The Dockerfile path as given (`-` for stdin). */
  readonly file: string;
  /** The build context directory; default the Dockerfile's directory. */
  readonly context?: string;
  readonly images?: string;
  /** How `images` is read (`--images-unverified-pins`). */
  readonly imagesOptions?: ImageMetadataOptions;
  /** `K=V` (or a bare `K`, taken from the environment); later entries win. */
  readonly buildArgs: readonly string[];
  readonly target?: string;
  readonly platform?: string;
  readonly localUniqueId?: string;
  readonly insecureRegistries: readonly string[];
  /** `--limit` values (see safety.ts). */
  readonly limits?: CompileOptions['limits'];
  /** Registry timeout and retries (see safety.ts). */
  readonly registry?: { readonly timeoutMs?: number; readonly retries?: number };
}

/** A side of a diff: a Definition read from a file, or a Dockerfile with its compile options. */
export type LoadedBuild =
  | { readonly kind: 'definition'; readonly definition: Definition }
  | { readonly kind: 'dockerfile'; readonly text: string; readonly options: CompileOptions; readonly shown: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads one side: a `.pb` file (or any binary file) is a Definition; anything else is a
 * Dockerfile, whose compile options come from `spec`. Sets `ctx.source` for Dockerfiles.
 */
export async function loadBuild(ctx: CommandContext, spec: BuildSpec): Promise<LoadedBuild> {
  const path = spec.file === '-' ? '-' : resolve(ctx.cwd, spec.file);
  let bytes: Uint8Array;
  try {
    bytes = await readInput(path);
  } catch (e) {
    // Name the file as the user did.
    if (e instanceof InputError && spec.file !== '-') throw new InputError(e.message.replace(path, spec.file));
    throw e;
  }
  if (/\.pb$/i.test(spec.file) || !isText(bytes)) {
    const hint = () => 'diff compiles a Dockerfile whose name does not end in .pb';
    return { kind: 'definition', definition: readDefinitionFrom(bytes, spec.file, hint) };
  }
  const text = new TextDecoder().decode(bytes);
  const shown = spec.file === '-' ? 'Dockerfile' : spec.file;
  ctx.source = { file: 'Dockerfile', shown, text };
  const contextDir = resolve(ctx.cwd, spec.context ?? (path === '-' ? '.' : dirname(path)));
  const resolver = spec.images
    ? await loadStaticResolver(resolve(ctx.cwd, spec.images), spec.imagesOptions)
    : new (await import('../../resolver/registry-resolver.js')).RegistryResolver({ insecureRegistries: [...spec.insecureRegistries], env: ctx.env, ...spec.registry, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  return {
    kind: 'dockerfile',
    text,
    shown,
    options: {
      target: spec.target,
      buildArgs: parseBuildArgs(spec.buildArgs, ctx.env),
      platform: spec.platform,
      resolver,
      localUniqueId: spec.localUniqueId ?? 'localuniqueid',
      filename: 'Dockerfile',
      excludePatterns: readDockerignore(contextDir, path),
      limits: spec.limits,
    },
  };
}

/** The Definition of a loaded side (compiling a Dockerfile). */
export async function definitionOfBuild(ctx: CommandContext, b: LoadedBuild): Promise<Definition> {
  if (b.kind === 'definition') return b.definition;
  ctx.source = { file: 'Dockerfile', shown: b.shown, text: b.text };
  return (await compile(b.text, b.options)).definition;
}

/** Flags `--NAME` (both sides), `--old-NAME` and `--new-NAME` for each per-side build flag. */
function sideFlags(): FlagSpec[] {
  const base: FlagSpec[] = [
    { name: 'images', type: 'string', metavar: 'FILE', description: 'Offline image metadata (images.json)' },
    { name: 'build-arg', type: 'list', metavar: 'K=V', description: 'A build argument' },
    { name: 'target', type: 'string', metavar: 'STAGE', description: 'The stage to build' },
    { name: 'platform', type: 'string', metavar: 'PLATFORM', description: 'Target platform' },
  ];
  return [
    ...base.map((f) => ({ ...f, description: `${f.description}, for both sides` })),
    ...(['old', 'new'] as const).flatMap((side) => base.map((f) => ({ ...f, name: `${side}-${f.name}`, description: `${f.description}, for ${side.toUpperCase()} only` }))),
    { name: 'images-unverified-pins', type: 'boolean', description: imagesUnverifiedPinsFlag.description },
    { name: 'local-unique-id', type: 'string', metavar: 'ID', description: 'local.unique of the build context source (default localuniqueid)' },
    { name: 'insecure-registry', type: 'list', metavar: 'HOST', description: 'Use plain HTTP for this registry' },
    ...safetyFlags,
  ];
}

function specOf(ctx: CommandContext, args: ParsedArgs, side: 'old' | 'new', file: string): BuildSpec {
  const f = args.flags;
  const pick = (name: string) => (f[`${side}-${name}`] ?? f[name]) as string | undefined;
  return {
    file,
    images: pick('images'),
    imagesOptions: imageMetadataOptions(args, ['images', 'old-images', 'new-images'].some((k) => f[k] !== undefined)),
    buildArgs: [...((f['build-arg'] as string[] | undefined) ?? []), ...((f[`${side}-build-arg`] as string[] | undefined) ?? [])],
    target: pick('target'),
    platform: pick('platform'),
    localUniqueId: f['local-unique-id'] as string | undefined,
    insecureRegistries: (f['insecure-registry'] as string[] | undefined) ?? [],
    limits: parseLimitFlags((f.limit as string[] | undefined) ?? []),
    registry: registrySettings(args, ctx.env),
  };
}

export const diffCommand: Command = {
  name: 'diff',
  summary: 'Compare two builds step by step: which ops keep their digest, which change and why',
  usage: 'dockerfile-llb diff OLD NEW [--json] [--images FILE] [--old-images FILE] [--new-build-arg K=V]... [-o OUT]',
  flags: [
    { name: 'json', type: 'boolean', description: 'Print the versioned JSON document (docs/analysis.md) instead of a table' },
    ...sideFlags(),
    { name: 'output', short: 'o', type: 'string', metavar: 'FILE', description: 'Write to FILE instead of stdout' },
  ],
  details: [
    'OLD and NEW are each a Dockerfile or a serialized LLB Definition (.pb, e.g. from `compile`).',
    'A Dockerfile is compiled with the flags for both sides plus its own --old-*/--new-* flags;',
    'its build context is its directory. Exit code 0 whatever the differences.',
  ].join('\n'),
  async run(ctx, args) {
    if (args.positionals.length !== 2) throw new UsageError(`diff needs OLD and NEW, got ${args.positionals.length} argument${args.positionals.length === 1 ? '' : 's'}`);
    if (args.positionals.every((p) => p === '-')) throw new UsageError('only one of OLD and NEW can be stdin');
    for (const k of ['platform', 'old-platform', 'new-platform']) requireOnePlatform(args.flags[k] as string | undefined, 'diff');
    const [oldPath, newPath] = args.positionals;
    const oldDef = await definitionOfBuild(ctx, await loadBuild(ctx, specOf(ctx, args, 'old', oldPath)));
    const newDef = await definitionOfBuild(ctx, await loadBuild(ctx, specOf(ctx, args, 'new', newPath)));
    const d = diff(oldDef, newDef);
    writeText(ctx, args.flags.json ? `${JSON.stringify(diffToJson(d), null, 2)}\n` : diffToTable(d), args.flags.output as string | undefined);
    return 0;
  },
};

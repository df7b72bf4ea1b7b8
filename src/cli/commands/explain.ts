/**
 * `dockerfile-llb explain`: the steps of a build, and what-if analysis without editing files
 * (another base image digest, other build args, target, platform or image metadata), the
 * `--link` report, and which steps run again after files of the build context change.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  analysisToJson,
  analysisToTable,
  analyze,
  diffToJson,
  diffToTable,
  type ImageChange,
  linkReport,
  linkReportToJson,
  linkReportToTable,
  contextExcludePatterns,
  predictRebuild,
  rebuildToJson,
  rebuildToTable,
  type WhatIfChange,
  whatIf,
} from '../../analysis/index.js';
import { compile } from '../../compile.js';
import { changesForPaths, compareContexts, readContextTree } from '../../node/context.js';
import { readImageMetadataFile } from '../../resolver/metadata-file.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { InputError, writeText } from '../io.js';
import { parseLimitFlags, registrySettings } from '../safety.js';
import { buildFlags, imageMetadataOptions, parseBuildArgs, requireOnePlatform } from './compile.js';
import { loadBuild } from './diff.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** `REF` or `REF=DIGEST`. */
function parseImageChange(v: string): ImageChange {
  const eq = v.indexOf('=');
  const ref = eq >= 0 ? v.slice(0, eq) : v;
  if (!ref) throw new UsageError(`invalid --base-changed ${JSON.stringify(v)}: the image reference is empty`);
  if (eq < 0) return { ref };
  const digest = v.slice(eq + 1);
  if (!DIGEST.test(digest)) throw new UsageError(`invalid --base-changed ${JSON.stringify(v)}: the digest must be sha256: and 64 hex digits`);
  return { ref, digest };
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'List the steps of a build, which keep their digest when something changes, or which run again after context files change',
  usage:
    'dockerfile-llb explain [PATH] -f DOCKERFILE [--changed FILE]... [--since OLD_CONTEXT] [--base-changed REF[=DIGEST]]... [--build-arg-changed K=V]... [--link-report] [--json]',
  flags: [
    ...buildFlags,
    { name: 'base-changed', type: 'list', metavar: 'REF[=DIGEST]', description: 'What if this base image had another digest (default: a made-up one)' },
    { name: 'build-arg-changed', type: 'list', metavar: 'K=V', description: 'What if this build argument had this value' },
    { name: 'target-changed', type: 'string', metavar: 'STAGE', description: 'What if this stage were built instead' },
    { name: 'platform-changed', type: 'string', metavar: 'PLATFORM', description: 'What if the build were for this platform' },
    { name: 'images-changed', type: 'string', metavar: 'FILE', description: 'What if the image metadata were this file' },
    { name: 'changed', type: 'list', metavar: 'FILE', description: 'This file (or directory) of the build context changed (added, modified or deleted): which steps run again' },
    { name: 'since', type: 'string', metavar: 'DIR', description: 'The build context as it was at the last build: which steps run again on this one' },
    { name: 'link-report', type: 'boolean', description: 'For every COPY/ADD: linked or not, and what a base image change does with and without --link' },
    { name: 'json', type: 'boolean', description: 'Print the versioned JSON document (docs/analysis.md) instead of a table' },
    { name: 'output', short: 'o', type: 'string', metavar: 'FILE', description: 'Write to FILE instead of stdout' },
  ],
  details: [
    'Without a *-changed flag, prints the steps (ops) of the build. With them, compiles the build',
    'again with the changes and prints, for every op, whether its digest stays the same and why not.',
    'With --changed or --since, predicts which steps BuildKit runs again (rebuilds, cached or maybe)',
    'when files of the context PATH changed, from the checksums BuildKit keys them by.',
    'With --link-report, --base-changed names the images to move (default: each stage\'s base image).',
    'See docs/analysis.md for what digests do and do not predict about the daemon\'s cache.',
  ].join('\n'),
  async run(ctx, args) {
    if (args.positionals.length > 1) throw new UsageError('accepts at most one PATH (the build context)');
    const f = args.flags;
    requireOnePlatform(f.platform as string | undefined, 'explain');
    requireOnePlatform(f['platform-changed'] as string | undefined, 'explain');
    const context = args.positionals[0] ?? '.';
    const file = (f.file as string | undefined) ?? join(context, 'Dockerfile');
    const build = await loadBuild(ctx, {
      file,
      context,
      images: f.images as string | undefined,
      imagesOptions: imageMetadataOptions(args, f.images !== undefined || f['images-changed'] !== undefined),
      buildArgs: (f['build-arg'] as string[] | undefined) ?? [],
      target: f.target as string | undefined,
      platform: f.platform as string | undefined,
      localUniqueId: f['local-unique-id'] as string | undefined,
      insecureRegistries: (f['insecure-registry'] as string[] | undefined) ?? [],
      limits: parseLimitFlags((f.limit as string[] | undefined) ?? []),
      registry: registrySettings(args, ctx.env),
    });
    const images = ((f['base-changed'] as string[] | undefined) ?? []).map(parseImageChange);
    const change: { -readonly [K in keyof WhatIfChange]: WhatIfChange[K] } = {};
    if (images.length) change.image = images;
    if (f['build-arg-changed']) change.buildArgs = parseBuildArgs(f['build-arg-changed'] as string[], ctx.env, '--build-arg-changed');
    if (f['target-changed'] !== undefined) change.target = f['target-changed'] as string;
    if (f['platform-changed'] !== undefined) change.platform = f['platform-changed'] as string;
    if (f['images-changed'] !== undefined) change.images = await readImageMetadataFile(resolve(ctx.cwd, f['images-changed'] as string), imageMetadataOptions(args, true));
    const json = f.json === true;
    const out = f.output as string | undefined;

    const changedPaths = (f.changed as string[] | undefined) ?? [];
    const since = f.since as string | undefined;
    if (changedPaths.length || since !== undefined) {
      if (Object.keys(change).length || f['link-report']) throw new UsageError('--changed and --since do not combine with the other *-changed flags or --link-report');
      const contextDir = resolve(ctx.cwd, context);
      for (const [what, dir] of [['the build context', contextDir], ['--since', since === undefined ? undefined : resolve(ctx.cwd, since)]] as const) {
        if (dir !== undefined && !(existsSync(dir) && statSync(dir).isDirectory())) throw new InputError(`${what}: ${dir} is not a directory`);
      }
      const built = analyze(build.kind === 'definition' ? build.definition : await compile(build.text, build.options));
      // The patterns the build sends the context with (from .dockerignore), to skip what it never sends.
      const excludes = contextExcludePatterns(built);
      const tree = readContextTree(contextDir, excludes);
      const changes = [];
      if (since !== undefined) changes.push(...compareContexts(resolve(ctx.cwd, since), contextDir, excludes));
      try {
        changes.push(...changesForPaths(contextDir, changedPaths, tree));
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const result = predictRebuild(built, changes, { tree });
      writeText(ctx, json ? `${JSON.stringify(rebuildToJson(result), null, 2)}\n` : rebuildToTable(result), out);
      return 0;
    }

    if (build.kind === 'definition') {
      if (Object.keys(change).length || f['link-report']) throw new UsageError(`${file} is a Definition: what-if analysis and --link-report need a Dockerfile`);
      const a = analyze(build.definition);
      writeText(ctx, json ? `${JSON.stringify(analysisToJson(a), null, 2)}\n` : analysisToTable(a), out);
      return 0;
    }
    if (f['link-report']) {
      if (Object.keys(change).some((k) => k !== 'image')) throw new UsageError('--link-report takes only --base-changed among the *-changed flags');
      const report = await linkReport(build.text, build.options, images.length ? { images } : {});
      writeText(ctx, json ? `${JSON.stringify(linkReportToJson(report), null, 2)}\n` : linkReportToTable(report), out);
      return 0;
    }
    if (Object.keys(change).length === 0) {
      const a = analyze(await compile(build.text, build.options));
      writeText(ctx, json ? `${JSON.stringify(analysisToJson(a), null, 2)}\n` : analysisToTable(a), out);
      return 0;
    }
    const result = await whatIf(build.text, build.options, change);
    for (const c of result.unusedImages) ctx.stderr.write(`dockerfile-llb: warning: --base-changed ${c.ref}: the build uses no such image, so it changes nothing\n`);
    writeText(ctx, json ? `${JSON.stringify({ ...diffToJson(result), change: changeJson(change) }, null, 2)}\n` : diffToTable(result), out);
    return 0;
  },
};

/** The `change` member of the JSON document: what the what-if build changed. */
function changeJson(c: WhatIfChange): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.image) out.images = (c.image as readonly ImageChange[]).map((i) => ({ ref: i.ref, digest: i.digest ?? null }));
  if (c.buildArgs) out.buildArgs = c.buildArgs;
  if (c.target !== undefined) out.target = c.target;
  if (c.platform !== undefined) out.platform = c.platform;
  if (c.images) out.imageMetadata = true;
  return out;
}

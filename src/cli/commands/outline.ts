import { formatOutline, formatTargets, listTargets, type Outline, outline, outlineJson, type Target, targetsJson } from '../../frontend/outline.js';
import { parseBuildRequest } from '../../frontend/request.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { writeText } from '../io.js';
import { buildFlags, readBuildInput, requestFlags } from './compile.js';

export const outlineCommand: Command = {
  name: 'outline',
  summary: 'List the targets, and the build args, secrets and SSH a target uses',
  usage: 'dockerfile-llb outline [PATH] [-f DOCKERFILE] [--target T] [--build-arg K=V]... [--images FILE] [--targets | --all] [--format json|text]',
  flags: [
    ...buildFlags.filter((f) => f.name !== 'local-unique-id'),
    ...requestFlags,
    { name: 'targets', type: 'boolean', description: 'Only list the targets (like docker build --call=targets); resolves no image' },
    { name: 'all', type: 'boolean', description: 'Outline every target, not just --target' },
    { name: 'format', type: 'string', metavar: 'FORMAT', description: 'text (tables, the default) or json (exactly what docker build --call=outline,format=json prints)' },
    { name: 'output', short: 'o', type: 'string', metavar: 'FILE', description: 'Write to FILE instead of stdout' },
  ],
  details: [
    'Text output is what `docker build --call=targets` and `--call=outline` print: the targets,',
    'then for the target (default: the last stage) each build arg it uses with its value and the',
    '`# NAME description` comment above it, and the secrets and SSH sockets its RUN mounts ask for.',
    'Like BuildKit, the outline runs the conversion, so base images are resolved (use --images to',
    'stay offline); --targets only parses.',
    '',
    '--format json prints what `docker build --call=outline,format=json` (with --targets,',
    '`--call=targets,format=json`) prints, byte for byte; with --all, a JSON array of outlines.',
  ].join('\n'),
  async run(ctx, args) {
    const input = await readBuildInput(ctx, args);
    // BuildKit reads the request options before any request: a bad one fails --targets too.
    parseBuildRequest({ ...input.request, platforms: input.platform === undefined ? undefined : [input.platform] }, input.buildArgs);
    const format = (args.flags.format as string | undefined) ?? 'text';
    if (format !== 'json' && format !== 'text') throw new UsageError(`invalid --format ${JSON.stringify(format)}: expected json or text`);
    const json = format === 'json';
    const out = args.flags.output as string | undefined;
    if (args.flags.targets) {
      const targets = listTargets(input.bytes);
      writeText(ctx, json ? targetsJson(targets, input.bytes) : formatTargets(targets), out);
      return 0;
    }
    const resolver = await input.resolver();
    const outlineOf = (target: string | undefined) =>
      outline(input.bytes, {
        target,
        buildArgs: input.buildArgs,
        platform: input.platform,
        resolver,
        ...input.request,
        namedContexts: input.contexts.namedContexts,
        ociLayouts: input.contexts.ociLayouts,
      });
    if (args.flags.all) {
      const targets = listTargets(input.bytes);
      const outlines: Outline[] = [];
      for (const t of buildableTargets(targets)) outlines.push(await outlineOf(t.name));
      writeText(ctx, json ? outlineJson(outlines, input.bytes) : [formatTargets(targets), ...outlines.map(formatOutline)].join('\n'), out);
      return 0;
    }
    // The outline request is a conversion first (an empty Dockerfile fails as the build does,
    // where listing the targets, a parse, says "file with no instructions").
    const o = await outlineOf(input.target);
    writeText(ctx, json ? outlineJson(o, input.bytes) : `${formatTargets(listTargets(input.bytes))}\n${formatOutline(o)}`, out);
    return 0;
  },
};

/** The targets `--target` can name, and the default (which may be unnamed). */
function buildableTargets(targets: readonly Target[]): Target[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    if (t.name === undefined) return t.default === true;
    // A later stage with the same name is an error the conversion reports; outline the first.
    if (seen.has(t.name)) return false;
    seen.add(t.name);
    return true;
  });
}

import { check } from '../../check.js';
import { checkResultJson, checkResultText } from '../../frontend/checks/report.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { buildFlags, readBuildInput, readDockerignore } from './compile.js';

export const checkCommand: Command = {
  name: 'check',
  summary: 'Run the build checks (like docker build --check) and print what they find',
  usage: 'dockerfile-llb check [PATH] [-f DOCKERFILE] [--target T] [--build-arg K=V]... [--images FILE] [--format json|text]',
  flags: [
    ...buildFlags.filter((f) => f.name !== 'platform' && f.name !== 'local-unique-id'),
    { name: 'format', type: 'string', metavar: 'FORMAT', description: 'text (default), or json: BuildKit\'s result as `--call=check,format=json` prints it' },
  ],
  details: [
    'Prints what `docker buildx build --call=check` prints: each violated check with its rule,',
    'documentation link, message and the lines it is about, sorted by line. Every stage is',
    'checked (only those --target needs when it is given), for the default platform; base',
    'images are resolved (use --images to stay offline). `# check=skip=…`, `experimental=…`',
    'and `error=true` in the Dockerfile, or the BUILDKIT_DOCKERFILE_CHECK build arg, configure',
    'the checks. When the build itself would fail, its error follows on stderr.',
    '',
    'Exit status: 0 when nothing was found, 1 when there are warnings or the build would fail.',
  ].join('\n'),
  async run(ctx, args) {
    const format = (args.flags.format as string | undefined) ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`invalid --format ${JSON.stringify(format)}: expected json or text`);
    const input = await readBuildInput(ctx, args);
    const result = await check(input.bytes, {
      target: input.target,
      buildArgs: input.buildArgs,
      resolver: await input.resolver(),
      excludePatterns: readDockerignore(input.contextDir, input.dockerfilePath),
    });
    const text = checkResultText(result);
    ctx.stdout.write(format === 'json' ? checkResultJson(result) : text.report);
    // Like buildx, the error the build would fail with goes to stderr, in the report's style.
    if (text.error) ctx.stderr.write(text.error);
    return result.warnings.length > 0 || result.buildError ? 1 : 0;
  },
};

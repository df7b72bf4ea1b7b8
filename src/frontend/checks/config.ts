/** Where a conversion's check configuration comes from (BuildKit's `newRuleLinter`). */
import { DockerfileError, DockerfileErrorCode } from '../../errors.js';
import { parseCheckOptions, parseDirective } from '../../parser/index.js';
import { type CheckWarning, Linter } from './linter.js';

/** The build argument that replaces the `# check=` directive. */
export const CHECK_BUILD_ARG = 'BUILDKIT_DOCKERFILE_CHECK';

/**
 * The linter of a conversion: configured by the `BUILDKIT_DOCKERFILE_CHECK` build arg when it is
 * set (even empty), else by the `# check=` directive. Throws a {@link DockerfileError} with
 * BuildKit's message when the configuration does not parse. Without `warn`, no rule runs
 * (BuildKit's linter without a Warn function).
 */
export function newRuleLinter(text: string, buildArgs: Readonly<Record<string, string>>, warn: ((w: CheckWarning) => void) | undefined): Linter {
  if (Object.hasOwn(buildArgs, CHECK_BUILD_ARG)) {
    const cfg = parseCheckOptions(buildArgs[CHECK_BUILD_ARG]);
    if ('error' in cfg) throw new DockerfileError(DockerfileErrorCode.CheckBuildArg, `failed to parse build-arg:${CHECK_BUILD_ARG}: ${cfg.error}`);
    return Linter.create(cfg, warn);
  }
  const directive = parseDirective('check', text);
  const cfg = parseCheckOptions(directive?.value ?? '');
  if ('error' in cfg) throw new DockerfileError(DockerfileErrorCode.CheckDirective, `failed to parse check options: ${cfg.error}`);
  return Linter.create(cfg, warn);
}

/**
 * `check`: BuildKit's check request (`docker build --check`, `--call=check`): every build check
 * over the Dockerfile, without building it.
 */
import { DockerfileErrorCode, DockerfileLlbError } from './errors.js';
import { convert } from './frontend/convert.js';
import { buildKitRanges } from './frontend/checks/error-ranges.js';
import { type CheckWarning, stabilizeWarnings } from './frontend/checks/linter.js';
import type { CheckResult } from './frontend/checks/report.js';
import { InstructionError } from './instructions/errors.js';
import { parsePlatform } from './image/platform.js';
import { StaticImageResolver } from './image/static-resolver.js';
import type { ImageMetadataFile, ImageResolver, Platform } from './image/types.js';
import { DEFAULT_PLATFORM } from './frontend/platform.js';

/** Options of {@link check}. */
export interface CheckOptions {
  /** Check only the stages this target needs (default: every stage). */
  readonly target?: string;
  /** `--build-arg` values (`BUILDKIT_DOCKERFILE_CHECK` replaces the `# check=` directive). */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** The platform of the build machine; default linux/amd64. */
  readonly buildPlatform?: string | Platform;
  /** Where base image metadata comes from: the check resolves the base image of every stage it covers. */
  readonly resolver?: ImageResolver;
  /** Offline image metadata (the `images.json` format), used when no `resolver` is given. */
  readonly images?: ImageMetadataFile;
  /** The Dockerfile's name in the result; default `Dockerfile`. */
  readonly filename?: string;
  /** `.dockerignore` patterns of the build context (the CopyIgnoredFile check). */
  readonly excludePatterns?: readonly string[];
}

const textDecoder = new TextDecoder();

/**
 * Runs BuildKit's check request: the checks of every stage (or of the stages `target` needs),
 * for BuildKit's implicit target platform. A Dockerfile the build would reject is not an
 * exception: its error is the result's `buildError`, after the warnings found up to it.
 *
 * @param dockerfile - the Dockerfile, as text or bytes
 * @throws {@link DockerfileLlbError} only for bad options (no image metadata, a bad
 *   `BUILDKIT_DOCKERFILE_CHECK`); an internal error is rethrown as it is.
 */
export async function check(dockerfile: string | Uint8Array, options: CheckOptions = {}): Promise<CheckResult> {
  const bytes = typeof dockerfile === 'string' ? new TextEncoder().encode(dockerfile) : dockerfile;
  const text = typeof dockerfile === 'string' ? dockerfile : textDecoder.decode(dockerfile);
  const resolver = options.resolver ?? (options.images ? StaticImageResolver.of(options.images) : undefined);
  if (!resolver) throw new DockerfileLlbError('E_NO_RESOLVER', 'check needs image metadata: pass `resolver` or `images`');
  const filename = options.filename ?? 'Dockerfile';
  const buildPlatform = typeof options.buildPlatform === 'string' ? parsePlatform(options.buildPlatform) : (options.buildPlatform ?? DEFAULT_PLATFORM);
  const warnings: CheckWarning[] = [];
  const sources = [{ filename, data: bytes, language: 'Dockerfile' }];
  try {
    await convert(text, {
      target: options.target,
      buildArgs: options.buildArgs,
      buildPlatforms: [buildPlatform],
      resolver,
      localUniqueId: 'localuniqueid',
      filename,
      excludePatterns: options.excludePatterns,
      // Without a target, the check request converts every stage.
      allStages: !options.target,
      onWarning: (w) => warnings.push(w),
    });
  } catch (e) {
    if (!(e instanceof DockerfileLlbError)) throw e;
    // A bad BUILDKIT_DOCKERFILE_CHECK is a bad request, not a build error.
    if (e.code === DockerfileErrorCode.CheckBuildArg) throw e;
    return { warnings: stabilizeWarnings(warnings), sources, buildError: buildError(e) };
  }
  return { warnings: stabilizeWarnings(warnings), sources };
}

/** The error as BuildKit's check result has it: its full message and the lines it is at. */
function buildError(e: DockerfileLlbError): NonNullable<CheckResult['buildError']> {
  const message = e instanceof InstructionError ? e.buildkitMessage : e.message;
  return { message, location: { ranges: buildKitRanges(e) } };
}

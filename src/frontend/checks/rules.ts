/**
 * The build-check rules of BuildKit v0.32.2's Dockerfile frontend: their names, descriptions,
 * documentation URLs and messages, which are part of what BuildKit reports (wire facts).
 */
import { goQuote } from '../../util/goquote.js';

/** A build-check rule. `format` makes the detail message of one violation. */
export interface Rule<A extends readonly string[] = readonly string[]> {
  readonly name: string;
  readonly description: string;
  /** Documentation URL; `undefined` for the one rule without (InvalidBaseImagePlatform). */
  readonly url: string | undefined;
  /** Experimental rules run only when `# check=experimental=…` enables them. */
  readonly experimental: boolean;
  readonly format: (...args: A) => string;
}

const DOCS = 'https://docs.docker.com/go/dockerfile/rule/';

function rule<A extends readonly string[]>(name: string, slug: string | undefined, description: string, format: (...args: A) => string, experimental = false): Rule<A> {
  return { name, description, url: slug === undefined ? undefined : `${DOCS}${slug}/`, experimental, format };
}

/** Go's `%q`, for the messages that quote a value. */
const q = goQuote;

export const StageNameCasing = rule('StageNameCasing', 'stage-name-casing', 'Stage names should be lowercase', (stageName: string) => `Stage name '${stageName}' should be lowercase`);

export const FromAsCasing = rule(
  'FromAsCasing',
  'from-as-casing',
  "The 'as' keyword should match the case of the 'from' keyword",
  (from: string, as: string) => `'${as}' and '${from}' keywords' casing do not match`,
);

export const NoEmptyContinuation = rule('NoEmptyContinuation', 'no-empty-continuation', 'Empty continuation lines will become errors in a future release', () => 'Empty continuation line');

export const ConsistentInstructionCasing = rule(
  'ConsistentInstructionCasing',
  'consistent-instruction-casing',
  'All commands within the Dockerfile should use the same casing (either upper or lower)',
  (command: string, casing: string) => `Command '${command}' should match the case of the command majority (${casing})`,
);

export const DuplicateStageName = rule('DuplicateStageName', 'duplicate-stage-name', 'Stage names should be unique', (stageName: string) => `Duplicate stage name ${q(stageName)}, stage names should be unique`);

export const ReservedStageName = rule(
  'ReservedStageName',
  'reserved-stage-name',
  'Reserved words should not be used as stage names',
  (stageName: string) => `Stage name should not use the same name as reserved stage ${q(stageName)}`,
);

export const JSONArgsRecommended = rule(
  'JSONArgsRecommended',
  'json-args-recommended',
  'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals',
  (instruction: string) => `JSON arguments recommended for ${instruction} to prevent unintended behavior related to OS signals`,
);

export const MaintainerDeprecated = rule(
  'MaintainerDeprecated',
  'maintainer-deprecated',
  'The MAINTAINER instruction is deprecated, use a label instead to define an image author',
  () => 'Maintainer instruction is deprecated in favor of using label',
);

export const UndefinedArgInFrom = rule('UndefinedArgInFrom', 'undefined-arg-in-from', 'FROM command must use declared ARGs', (arg: string, suggestion: string) =>
  suggestion === '' ? `FROM argument '${arg}' is not declared` : `FROM argument '${arg}' is not declared (did you mean ${suggestion}?)`,
);

export const WorkdirRelativePath = rule(
  'WorkdirRelativePath',
  'workdir-relative-path',
  'Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes',
  (workdir: string) => `Relative workdir ${q(workdir)} can have unexpected results if the base image changes`,
);

export const UndefinedVar = rule('UndefinedVar', 'undefined-var', 'Variables should be defined before their use', (name: string, suggestion: string) =>
  suggestion === '' ? `Usage of undefined variable '$${name}'` : `Usage of undefined variable '$${name}' (did you mean $${suggestion}?)`,
);

export const MultipleInstructionsDisallowed = rule(
  'MultipleInstructionsDisallowed',
  'multiple-instructions-disallowed',
  'Multiple instructions of the same type should not be used in the same stage',
  (instruction: string) => `Multiple ${instruction} instructions should not be used in the same stage because only the last one will be used`,
);

export const LegacyKeyValueFormat = rule(
  'LegacyKeyValueFormat',
  'legacy-key-value-format',
  'Legacy key/value format with whitespace separator should not be used',
  (command: string) => `"${command} key=value" should be used instead of legacy "${command} key value" format`,
);

export const InvalidBaseImagePlatform = rule(
  'InvalidBaseImagePlatform',
  undefined,
  'Base image platform does not match expected target platform',
  (image: string, expected: string, actual: string) => `Base image ${image} was pulled with platform ${q(actual)}, expected ${q(expected)} for current build`,
);

export const RedundantTargetPlatform = rule(
  'RedundantTargetPlatform',
  'redundant-target-platform',
  'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
  (platformVar: string) => `Setting platform to predefined ${platformVar} in FROM is redundant as this is the default behavior`,
);

export const SecretsUsedInArgOrEnv = rule(
  'SecretsUsedInArgOrEnv',
  'secrets-used-in-arg-or-env',
  'Sensitive data should not be used in the ARG or ENV commands',
  (instruction: string, key: string) => `Do not use ARG or ENV instructions for sensitive data (${instruction} ${q(key)})`,
);

export const InvalidDefaultArgInFrom = rule(
  'InvalidDefaultArgInFrom',
  'invalid-default-arg-in-from',
  'Default value for global ARG results in an empty or invalid base image name',
  (baseName: string) => `Default value for ARG ${baseName} results in empty or invalid base image name`,
);

export const FromPlatformFlagConstDisallowed = rule(
  'FromPlatformFlagConstDisallowed',
  'from-platform-flag-const-disallowed',
  'FROM --platform flag should not use a constant value',
  (platform: string) => `FROM --platform flag should not use constant value ${q(platform)}`,
);

export const CopyIgnoredFile = rule('CopyIgnoredFile', 'copy-ignored-file', 'Attempting to Copy file that is excluded by .dockerignore', (command: string, file: string) =>
  `Attempting to ${command} file ${q(file)} that is excluded by .dockerignore`,
);

export const InvalidDefinitionDescription = rule(
  'InvalidDefinitionDescription',
  'invalid-definition-description',
  'Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.',
  (instruction: string, name: string) => `Comment for ${instruction} should follow the format: \`# ${name} <description>\``,
  true,
);

export const ExposeProtoCasing = rule('ExposeProtoCasing', 'expose-proto-casing', 'Protocol in EXPOSE instruction should be lowercase', (port: string) =>
  `Defined protocol '${port}' in EXPOSE instruction should be lowercase`,
);

export const ExposeInvalidFormat = rule(
  'ExposeInvalidFormat',
  'expose-invalid-format',
  'IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release',
  (port: string) => `EXPOSE instruction should not define an IP address or host-port mapping, found '${port}'`,
);

/** What every rule has besides its message. */
export type RuleInfo = Omit<Rule, 'format'>;

/** Every rule, in BuildKit's declaration order. */
export const RULES: readonly RuleInfo[] = [
  StageNameCasing,
  FromAsCasing,
  NoEmptyContinuation,
  ConsistentInstructionCasing,
  DuplicateStageName,
  ReservedStageName,
  JSONArgsRecommended,
  MaintainerDeprecated,
  UndefinedArgInFrom,
  WorkdirRelativePath,
  UndefinedVar,
  MultipleInstructionsDisallowed,
  LegacyKeyValueFormat,
  InvalidBaseImagePlatform,
  RedundantTargetPlatform,
  SecretsUsedInArgOrEnv,
  InvalidDefaultArgInFrom,
  FromPlatformFlagConstDisallowed,
  CopyIgnoredFile,
  InvalidDefinitionDescription,
  ExposeProtoCasing,
  ExposeInvalidFormat,
];

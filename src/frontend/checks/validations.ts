/**
 * The checks themselves: what each rule looks at, at the point of the conversion where BuildKit
 * runs it (parse-time checks on the instruction tree, stage checks, FROM checks, base-image and
 * per-instruction checks during dispatch).
 */
import { normalizePlatform, formatPlatformAll, parsePlatform } from '../../image/platform.js';
import { parseReference } from '../../image/reference.js';
import type { Platform } from '../../image/types.js';
import type { Command, Instruction, Stage } from '../../instructions/index.js';
import type { Node } from '../../parser/node.js';
import type { EnvGetter, ProcessWordResult } from '../../shell/index.js';
import { suggest } from '../../util/suggest.js';
import { removeDriveLetter, toSlash } from '../system-path.js';
import type { CheckSite, Linter } from './linter.js';
import * as R from './rules.js';

// ----- while the instruction tree is built (every stage) ----------------------------------------

/**
 * The checks BuildKit makes while turning one node into an instruction
 * (`ParseInstructionWithLinter`): MAINTAINER, stage name and `AS` casing before the instruction
 * is parsed, definition descriptions after. `parsed` is undefined when the node failed to parse.
 */
export function checkInstructionNode(lint: Linter, node: Node, parsed: Instruction | undefined): void {
  // Only MAINTAINER, FROM and ARG have checks of their own here.
  if (node.value !== 'maintainer' && node.value !== 'from' && node.value !== 'arg') return;
  const l = lint.withComments(node.prevComment);
  if (node.value === 'maintainer') l.run(R.MaintainerDeprecated, node);
  if (node.value === 'from') {
    const args = node.next.map((n) => n.value);
    if (args.length === 3 && args[2] !== args[2].toLowerCase()) l.run(R.StageNameCasing, node, args[2]);
    if (args.length >= 3 && !fromMatchesAsCasing(node.keyword, args[1])) l.run(R.FromAsCasing, node, node.keyword, args[1]);
  }
  if (parsed?.kind === 'stage' && parsed.name !== '') {
    checkDefinitionDescription(l, 'FROM', [parsed.name], node.prevComment, node);
  } else if (parsed?.kind === 'arg') {
    checkDefinitionDescription(
      l,
      'ARG',
      parsed.args.map((a) => a.key),
      node.prevComment,
      node,
    );
  }
}

function fromMatchesAsCasing(from: string, as: string): boolean {
  // An inconsistently cased FROM is ConsistentInstructionCasing's business.
  if (from === from.toLowerCase()) return as === as.toLowerCase();
  if (from === from.toUpperCase()) return as === as.toUpperCase();
  return true;
}

function checkDefinitionDescription(lint: Linter, instruction: string, keys: readonly string[], comments: readonly string[], at: CheckSite): void {
  if (comments.length === 0 || keys.length === 0) return;
  const first = comments[comments.length - 1].split(' ')[0];
  if (keys.includes(first)) return;
  lint.run(R.InvalidDefinitionDescription, at, instruction, keys.length > 1 ? '<arg_key>' : keys[0]);
}

/** Reserved and duplicate stage names (BuildKit's `validateStageNames`). */
export function checkStageNames(stages: readonly Stage[], lint: Linter): void {
  const seen = new Set<string>();
  for (const st of stages) {
    if (st.name === '') continue;
    const at = st.node;
    if (st.name === 'context' || st.name === 'scratch') lint.run(R.ReservedStageName, at, st.name);
    if (seen.has(st.name)) lint.run(R.DuplicateStageName, at, st.name);
    seen.add(st.name);
  }
}

/**
 * Instruction keywords should share one casing, the majority's (BuildKit's
 * `validateCommandCasing`); a keyword in mixed case is always reported.
 */
export function checkCommandCasing(stages: readonly Stage[], lint: Linter): void {
  // A Dockerfile has a handful of distinct keywords: case each once. Most lines repeat the
  // spelling of the line before (the parser shares one string per spelling), so that one is
  // tried before the map.
  const casings = new Map<string, { readonly lower: boolean; readonly upper: boolean }>();
  let lastName = '';
  let last = { lower: true, upper: true };
  const casing = (name: string) => {
    if (name === lastName) return last;
    let c = casings.get(name);
    if (!c) casings.set(name, (c = { lower: name === name.toLowerCase(), upper: name === name.toUpperCase() }));
    lastName = name;
    last = c;
    return c;
  };
  let lower = 0;
  let upper = 0;
  const count = (name: string) => {
    const c = casing(name);
    if (c.lower) lower++;
    else if (c.upper) upper++;
  };
  for (const st of stages) {
    count(st.origCmd);
    for (const c of st.commands) count(c.name);
  }
  const majorityLower = lower > upper;
  const check = (name: string, node: Node) => {
    const c = casing(name);
    if (majorityLower ? !c.lower : !c.upper) lint.run(R.ConsistentInstructionCasing, node, name, majorityLower ? 'lowercase' : 'uppercase');
  };
  for (const st of stages) {
    check(st.origCmd, st.node);
    for (const c of st.commands) check(c.name, c.node);
  }
}

/**
 * FROM references that are only valid thanks to a build argument: expanded with the global
 * ARGs' defaults alone, they must still parse (BuildKit's `validateBaseImagesWithDefaultArgs`).
 * `defaults` is undefined when the global ARGs cannot be evaluated without build args; like
 * BuildKit, the check is then skipped (the build fails later with the real error).
 */
export function checkBaseImagesWithDefaultArgs(stages: readonly Stage[], expand: (word: string) => ProcessWordResult | undefined, lint: Linter): void {
  for (const st of stages) {
    const r = expand(st.baseName);
    if (!r) return;
    try {
      parseReference(r.result);
    } catch {
      lint.run(R.InvalidDefaultArgInFrom, st.node, st.baseName);
    }
  }
}

// ----- FROM arguments (every stage) --------------------------------------------------------------

/**
 * Variables a FROM reads that no global ARG declares (BuildKit's `reportUnusedFromArgs`).
 * `declared` are the names of every global ARG and predefined platform ARG.
 */
export function checkUndeclaredFromArgs(declared: readonly string[], unmatched: ReadonlySet<string>, at: CheckSite, lint: Linter): void {
  // Every FROM comes here, and almost every one has nothing unmatched.
  if (unmatched.size === 0) return;
  for (const arg of [...unmatched].sort()) {
    if (declared.includes(arg)) continue;
    lint.run(R.UndefinedArgInFrom, at, arg, suggest(arg, declared, true) ?? '');
  }
}

/** `FROM --platform=$TARGETPLATFORM` says what is the default anyway. */
export function checkRedundantTargetPlatform(platformWord: string, match: ProcessWordResult, at: CheckSite, env: EnvGetter, lint: Linter): void {
  if (match.used.size !== 1 || match.unmatched.size !== 0 || !match.used.has('TARGETPLATFORM')) return;
  if (match.result === env.get('TARGETPLATFORM')) lint.run(R.RedundantTargetPlatform, at, platformWord);
}

/**
 * `FROM --platform=linux/arm64` with a constant, unless the stage name mentions the OS or the
 * architecture (a stage made for that platform on purpose).
 */
export function checkConstPlatform(stageName: string, match: ProcessWordResult, at: CheckSite, lint: Linter): void {
  if (match.used.size > 0 || match.unmatched.size > 0) return;
  let p: Platform;
  try {
    p = parsePlatform(match.result);
  } catch {
    return;
  }
  if (stageName.includes(p.os) || stageName.includes(p.architecture)) return;
  lint.run(R.FromPlatformFlagConstDisallowed, at, match.result);
}

// ----- base images (the stages the request needs) ----------------------------------------------

/** The image was pulled for another OS or architecture than the stage asked for. */
export function checkBaseImagePlatform(name: string, expected: Platform, actual: Platform, at: CheckSite, lint: Linter): void {
  if (expected.os === actual.os && expected.architecture === actual.architecture) return;
  lint.run(R.InvalidBaseImagePlatform, at, name, formatPlatformAll(normalizePlatform(expected)), formatPlatformAll(normalizePlatform(actual)));
}

// ----- per instruction (the stages the request needs) -------------------------------------------

const NON_ENV_ARGS = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);

/**
 * Variables an instruction reads that are neither set nor declared with ARG in the stage
 * (BuildKit's `reportUnmatchedVariables`), with a suggestion from the variables that are set.
 */
export function checkUndefinedVars(
  command: Pick<Command, 'node'>,
  declaredArgs: readonly { readonly key: string }[],
  env: EnvGetter,
  unmatched: ReadonlySet<string>,
  lint: Linter,
): void {
  if (unmatched.size === 0) return;
  const names = new Set(unmatched);
  for (const a of declaredArgs) names.delete(a.key);
  if (names.size === 0) return;
  const options = env.keys();
  const at = command.node;
  for (const name of [...names].sort()) {
    if (NON_ENV_ARGS.has(name)) continue;
    lint.run(R.UndefinedVar, at, name, suggest(name, options, true) ?? '');
  }
}

const SECRET = /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/iu;
const NOT_SECRET = /(?:_|^)(?:public|file|version)(?:_|$)/iu;

/** ARG and ENV names that look like they carry a secret (`API_TOKEN`, `DB_PASSWORD`). */
export function checkSecretKey(instruction: 'ARG' | 'ENV', key: string, at: CheckSite, lint: Linter): void {
  if (SECRET.test(key) && !NOT_SECRET.test(key)) lint.run(R.SecretsUsedInArgOrEnv, at, instruction, key);
}

/** The legacy `ENV key value` / `LABEL key value` form (no `=`). */
export function checkLegacyKeyValue(command: Pick<Command, 'name' | 'node'>, noDelim: boolean, lint: Linter): void {
  if (noDelim) lint.run(R.LegacyKeyValueFormat, command.node, command.name);
}

/** CMD and ENTRYPOINT in shell form, unless the image sets a SHELL. */
export function checkJsonArgs(command: Pick<Command, 'name' | 'node'>, prependShell: boolean, shell: readonly string[] | undefined, lint: Linter): void {
  if (prependShell && (shell === undefined || shell.length === 0)) lint.run(R.JSONArgsRecommended, command.node, command.name);
}

/**
 * A second CMD, ENTRYPOINT or HEALTHCHECK in a stage: reported at the previous one, which is the
 * one that has no effect. `previous` maps each instruction kind to where it was last seen.
 */
export function checkUsedOnce(command: Pick<Command, 'kind' | 'name' | 'node'>, previous: Map<string, CheckSite>, lint: Linter): void {
  const before = previous.get(command.kind);
  if (before) lint.run(R.MultipleInstructionsDisallowed, before, command.name);
  previous.set(command.kind, command.node);
}

/** The first WORKDIR of a stage chain is relative (so it depends on the base image's). */
export function checkRelativeWorkdir(command: Pick<Command, 'node'>, path: string, workdirSet: boolean, isAbs: boolean, lint: Linter): void {
  if (!workdirSet && !isAbs) lint.run(R.WorkdirRelativePath, command.node, path);
}

/** One EXPOSE port spec: an upper-case protocol, or an IP or host port. */
export function checkExposePort(rawPort: string, proto: string, ip: string, hostPort: string, at: CheckSite, lint: Linter): void {
  if (proto !== proto.toLowerCase()) lint.run(R.ExposeProtoCasing, at, rawPort);
  if (ip !== '' || hostPort !== '') lint.run(R.ExposeInvalidFormat, at, rawPort);
}

/** Whether `path` is absolute for the target OS (BuildKit's `system.IsAbs`). */
export function systemIsAbs(path: string, os: string): boolean {
  let p: string;
  try {
    p = removeDriveLetter(path, os || 'linux', false);
  } catch {
    return false;
  }
  return toSlash(p, os).startsWith('/');
}

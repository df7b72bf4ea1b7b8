/**
 * COPY and ADD (BuildKit's `dispatchCopy`): local, stage, image, HTTP, git and heredoc sources,
 * `--chown`, `--chmod`, `--parents`, `--exclude`, `--link`, `--checksum`, `--keep-git-dir` and
 * `--unpack`.
 */
import { DockerfileError } from '../errors.js';
import { type CopyInfo, copy, file, type FileActions, mkfile, parseChown } from '../graph/fileop.js';
import { git, http, State } from '../graph/state.js';
import type { LinkAnnotation, LinkedFileVertex } from '../graph/types.js';
import type { AddCommand, CopyCommand } from '../instructions/index.js';
import { join, base as pathBase } from '../util/posix-path.js';
import { goParseUint } from '../util/gostrconv.js';
import { goQuote } from '../util/goquote.js';
import { commitToHistory, type DispatchOptions } from './dispatch-options.js';
import type { DispatchState } from './dispatch-state.js';
import { stateEnv } from './env.js';
import { nodeLocation } from './location.js';
import { processCmdEnv, stepName, type StepNameOptions, uppercaseCmd } from './steps.js';
import { gitLlbSource, isGitSource, isHttpSource, tryParseGitRef } from './gitref.js';
import { progressGroupId } from './progress.js';
import { isAbsFor, normalizePath, removeDriveLetter, toSlash, wrapPathError } from './system-path.js';
import { parseSymbolicMode } from './chmod.js';
import { checkCopySource, type PatternMatcher } from './checks/ignore.js';

export interface CopyConfig {
  readonly command: CopyCommand | AddCommand;
  /** What non-URL sources are read from: the context, or a stage or image. */
  readonly source: State;
  readonly isAdd: boolean;
  /** The instruction is an ONBUILD trigger. */
  readonly isOnBuild: boolean;
  readonly opt: DispatchOptions;
  /** The context's `.dockerignore` when the sources come from the context (CopyIgnoredFile). */
  readonly ignore: PatternMatcher | undefined;
}

function fail(message: string): never {
  throw new DockerfileError('E_COPY', message);
}

/** `path` resolved against the state's working directory, keeping a trailing slash. */
function pathRelativeToWorkingDir(s: State, p: string, os: string): string {
  const q = wrapPathError('removing drive letter', () => removeDriveLetter(p, os, true));
  if (isAbsFor(q, os)) return normalizePath('/', q, os, true);
  return normalizePath(s.cwd, q === '.' || q === '' ? './' : q, os, true);
}

/** Parses `--chmod`: an octal mode up to 07777, or a symbolic one (`u+x,g-w`). */
function parseChmod(chmod: string): CopyInfo['mode'] {
  const nonOctal = `invalid chmod parameter: '${chmod}'. it should be octal string and between 0 and 07777`;
  const octal = goParseUint(chmod, 8, 32);
  if (octal.ok) {
    if (octal.value > 0o7777) fail(nonOctal);
    return octal.value;
  }
  const err = parseSymbolicMode(chmod);
  if (err === 'numeric') fail(nonOctal);
  if (err) fail(err);
  return { symbolic: chmod };
}

function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '*' || c === '?' || c === '[') return true;
    if (c === '\\') i++;
  }
  return false;
}

export function dispatchCopy(d: DispatchState, cfg: CopyConfig): void {
  const c = cfg.command;
  const os = d.platform?.os ?? 'linux';
  const dest = pathRelativeToWorkingDir(d.state, c.destPath, os);
  const chown = c.chown !== '' ? parseChown(c.chown) : undefined;
  const excludes = c.excludes.length > 0 ? c.excludes : undefined;
  const mode = c.chmod !== '' ? parseChmod(c.chmod) : undefined;
  const checksum = c.kind === 'add' ? c.checksum : '';
  if (checksum !== '') {
    if (c.sourcePaths.length !== 1) fail("checksum can't be specified for multiple sources");
    if (!isHttpSource(c.sourcePaths[0]) && !isGitSource(c.sourcePaths[0])) fail('checksum requires HTTP(S) or Git sources');
  }

  let commit = cfg.isAdd ? 'ADD' : 'COPY';
  const parents = c.kind === 'copy' && c.parents;
  if (parents) commit += ' --parents';
  if (c.chown !== '') commit += ` --chown=${c.chown}`;
  if (c.chmod !== '') commit += ` --chmod=${c.chmod}`;

  const platform = d.platform ?? cfg.opt.targetPlatform;
  const env = stateEnv(d.state);
  const name = uppercaseCmd(processCmdEnv(cfg.opt.shlex, c.code, env));
  // One step, one number: a linked copy's merge vertex is named from the same step below.
  const step = d.steps.next();
  const naming: StepNameOptions = { stageName: d.stageName, isOnBuild: cfg.isOnBuild, platform: d.prefixPlatform ? platform : undefined, env };
  const pgName = stepName(step, name, naming);

  // Absent options are undefined fields (copy() reads each with its default).
  const common: CopyInfo = {
    mode,
    chown,
    excludePatterns: excludes,
    // No created time from SOURCE_DATE_EPOCH: BuildKit v0.32.2 gives copied files their own
    // times (only WORKDIR's mkdir is stamped), as options/026 shows.
  };
  let actions: FileActions | undefined;
  const add = (source: State, src: string, info: CopyInfo) => {
    actions = actions ? actions.copy(source, src, dest, info) : copy(source, src, dest, info);
  };

  let keepGitDir = c.kind === 'add' ? c.keepGitDir : undefined;
  let gitChecksum = checksum;
  for (const src of c.sourcePaths) {
    commit += ` ${src}`;
    const g = tryParseGitRef(src);
    if (g.error !== undefined && g.isGit) fail(g.error);
    if (g.ref !== undefined && !g.ref.indistinguishableFromLocal) {
      if (!cfg.isAdd) fail("source can't be a git ref for COPY");
      const ref = g.ref;
      if (keepGitDir !== undefined && ref.keepGitDir !== undefined && keepGitDir !== ref.keepGitDir) fail('inconsistent keep-git-dir configuration');
      if (ref.keepGitDir !== undefined) keepGitDir = ref.keepGitDir;
      if (gitChecksum !== '' && ref.checksum !== '' && gitChecksum !== ref.checksum) {
        fail(`checksum mismatch ${goQuote(gitChecksum)} != ${goQuote(ref.checksum)}`);
      }
      if (ref.checksum !== '') gitChecksum = ref.checksum;
      const source = gitLlbSource(ref.remote, ref.ref, ref.subdir);
      const st = git(
        { identifier: source.identifier, fullUrl: source.fullUrl, ssh: source.isSsh },
        {
          customName: pgName,
          ...(keepGitDir ? { keepGitDir: true } : {}),
          ...(gitChecksum ? { checksum: gitChecksum } : {}),
          ...(ref.submodules === false ? { skipSubmodules: true } : {}),
          ...(ref.fetchByCommit ? { fetchByCommit: true } : {}),
        },
      );
      add(st, '/', { ...common, createDestPath: true });
    } else if (isHttpSource(src)) {
      if (!cfg.isAdd) fail("source can't be a URL for COPY");
      const filename = httpFilename(src);
      const st = http(src, {
        filename,
        customName: pgName,
        description: { 'com.docker.dockerfile.v1.command': '' },
        ...(checksum ? { checksum: parseChecksum(checksum) } : {}),
      });
      const unpack = c.kind === 'add' && c.unpack === true;
      add(st, filename, { ...common, createDestPath: true, ...(unpack ? { attemptUnpack: true } : {}) });
    } else {
      checkCopySource(src, cfg.isAdd, cfg.ignore, c.node, cfg.opt.lint);
      let from = src;
      let include: string[] | undefined;
      let required: string[] | undefined;
      if (parents) {
        const pivot = from.indexOf('/./');
        let pattern: string;
        if (pivot < 0) {
          pattern = from;
          from = '/';
        } else {
          pattern = from.slice(pivot + 3);
          from = from.slice(0, pivot);
        }
        pattern = wrapPathError('removing drive letter', () => normalizePath('/', pattern, os, false));
        include = [pattern.replace(/^\//, '')];
        if (!containsWildcards(from) && !containsWildcards(pattern)) required = [wrapPathError('removing drive letter', () => normalizePath('/', join(from, pattern), os, false))];
      }
      from = wrapPathError('removing drive letter', () => normalizePath('/', from, os, false));
      const unpack = c.kind === 'add' ? (c.unpack ?? true) : false;
      // Written out (this is every COPY): no spread of the common options.
      add(cfg.source, from, {
        mode,
        chown,
        excludePatterns: excludes,
        followSymlinks: true,
        copyDirContentsOnly: true,
        includePatterns: include,
        requiredPaths: required,
        attemptUnpack: unpack || undefined,
        createDestPath: true,
        allowWildcard: true,
        allowEmptyWildcard: true,
      });
    }
  }

  for (const content of c.sourceContents) {
    commit += ` <<${content.path}`;
    const f = wrapPathError('removing drive letter', () => removeDriveLetter(content.path, os, false));
    const st = file(State.scratch(), mkfile(f, 0o644, content.data), { customName: '[internal] preparing inline document', platform: d.platform });
    add(st, toSlash(f, os), { ...common, createDestPath: true });
  }
  commit += ` ${c.destPath}`;
  if (!actions) fail('COPY has no sources');

  const locations = [nodeLocation(c.node)];
  if (c.link && c.chmod === '') {
    // Recorded as a linked copy; src/lower/link.ts turns it into a copy on scratch + a merge.
    const linkName = stepName(step, `LINK ${name}`, naming);
    const link: LinkAnnotation = {
      base: d.state.output ? 0 : -1,
      progressGroupId: progressGroupId(`${d.stageName}\0${d.stage.location.start.line}\0${pgName}\0${step?.number ?? 0}`),
      stepName: pgName,
      mergeMetadata: d.ignoreCache ? { description: { 'llb.customname': linkName }, ignoreCache: true } : { description: { 'llb.customname': linkName } },
      mergeLocations: locations,
    };
    const linked = file(d.state, actions, { customName: pgName, locations, ignoreCache: d.ignoreCache || undefined, separateBase: true, link });
    const annotated = linked.output!.vertex as LinkedFileVertex;
    const lower = cfg.opt.lowerLinkedCopy;
    d.state = d.state.withOutput(lower ? lower(annotated) : { vertex: annotated, index: 0 });
  } else {
    d.state = file(d.state, actions, { customName: pgName, locations, ignoreCache: d.ignoreCache || undefined });
  }
  commitToHistory(d, commit, true, true);
}

/** The file name an HTTP source is saved as: the last path element, or `__unnamed__`. */
function httpFilename(src: string): string {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(src);
  if (!m) return '__unnamed__';
  let p = m[1];
  try {
    p = decodeURIComponent(p);
  } catch {
    return '__unnamed__';
  }
  const b = pathBase(p);
  return b === '.' || b === '/' ? '__unnamed__' : b;
}

/** Validates an `--checksum` digest (`algo:hex`). */
function parseChecksum(checksum: string): string {
  const m = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(checksum);
  if (!m) fail('invalid checksum digest format');
  const lengths: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
  const want = lengths[m[1]];
  if (want === undefined) fail('unsupported digest algorithm');
  if (m[2].length !== want || !/^[a-f0-9]+$/.test(m[2])) fail('invalid checksum digest length');
  return checksum;
}

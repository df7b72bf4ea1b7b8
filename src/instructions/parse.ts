/**
 * Parse-tree nodes → typed instructions (BuildKit's `instructions.ParseInstruction` and
 * `instructions.Parse`), with BuildKit's argument checks, flag sets and messages.
 */
import { DockerfileError, type SourceLocation } from '../errors.js';
import { ErrorCode, type ErrorCodeValue } from '../parser/codes.js';
import { chompHeredocContent, mustParseHeredoc } from '../parser/heredoc.js';
import type { Node } from '../parser/node.js';
import { goParseDuration, goParseInt } from '../util/gostrconv.js';
import { goQuote } from '../util/goquote.js';
import { compareGoStrings, goTrimSpace } from '../util/gounicode.js';
import { withSuggestion } from '../util/suggest.js';
import { BFlags, type Flag } from './bflags.js';
import type { CommandBase, KeyValuePair, KeyValuePairOptional } from './commands/base.js';
import type { AddCommand, CopyCommand, SourceContent, SourcesAndDest } from './commands/copy.js';
import type { Command, Instruction } from './commands/index.js';
import type {
  CmdCommand,
  Device,
  EntrypointCommand,
  Mount,
  NetworkMode,
  RunCommand,
  SecurityMode,
  ShellInlineFile,
} from './commands/run.js';
import type { HealthCheckCommand, HealthConfig } from './commands/simple.js';
import type { Stage } from './commands/stage.js';
import { InstructionError, InstructionFailure } from './errors.js';
import { parseDevice, parseMount } from './runmount.js';
import { fit } from '../util/arrays.js';

/** Options of {@link parseInstruction} and {@link parseInstructions}. */
export interface InstructionOptions {
  /** File name for error locations; default `Dockerfile`. */
  file?: string;
  /**
   * Called by {@link parseInstructions} for each node in order, with its instruction, or with
   * `undefined` just before the node's error is thrown (the build checks run here).
   */
  observe?: (node: Node, parsed: Instruction | undefined) => void;
}

/** Every instruction keyword, upper-case (BuildKit's `command.Commands`). */
export const INSTRUCTION_NAMES: readonly string[] = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
];

interface Request {
  readonly node: Node;
  readonly command: string;
  readonly args: string[];
  readonly json: boolean;
  readonly flags: BFlags;
  readonly original: string;
  readonly comments: readonly string[];
  readonly base: CommandBase;
}

const bad = (msg: string, code: ErrorCodeValue = ErrorCode.Instruction): never => {
  throw new InstructionFailure(code, msg);
};
const errAtLeastOneArgument = (c: string) => bad(`${c} requires at least one argument`);
const errExactlyOneArgument = (c: string) => bad(`${c} requires exactly one argument`);
const errNoDestinationArgument = (c: string) =>
  bad(`${c} requires at least two arguments, but only one was provided. Destination could not be determined`);
const errBlankCommandNames = (c: string) => bad(`${c} names can not be blank`);
const errTooManyArguments = (c: string) => bad(`Bad input to ${c}, too many arguments`);

/**
 * Builds a command from the common fields and its own. Written out instead of an object spread:
 * V8 turns `{...base, …}` with this many properties into slow dictionary objects. The parsers
 * below write the common fields into their own literal instead (`name: req.base.name, …`): a
 * literal of one shape is made about ten times faster than this Object.assign, once per
 * instruction. This is left for the one command built field by field.
 */
function make<T extends object>(b: CommandBase, fields: T): CommandBase & T {
  const o = { name: b.name, code: b.code, original: b.original, node: b.node, location: b.location };
  return Object.assign(o, fields);
}

function nodeArgs(node: Node): string[] {
  const out: string[] = [];
  for (const a of node.next) {
    if (a.children.length === 0) out.push(a.value);
    else if (a.children.length === 1) {
      out.push(a.children[0].keyword);
      out.push(...nodeArgs(a.children[0]));
    }
  }
  return out;
}

function locationOf(node: Node, file: string): SourceLocation {
  return { kind: 'source', file, start: node.range.start, end: node.range.end };
}

function handleJSONArgs(args: string[], json: boolean): string[] {
  if (args.length === 0) return [];
  if (json) return args;
  return [args.join(' ')];
}

function getComment(comments: readonly string[], name: string): string {
  if (name === '') return '';
  for (const line of comments) if (line.startsWith(name + ' ')) return line.slice(name.length + 1);
  return '';
}

function parseKvps(args: string[], cmdName: string): KeyValuePair[] {
  if (args.length === 0) errAtLeastOneArgument(cmdName);
  if (args.length % 3 !== 0) errTooManyArguments(cmdName);
  const res: KeyValuePair[] = [];
  for (let j = 0; j < args.length; j += 3) {
    if (args[j].length === 0) errBlankCommandNames(cmdName);
    res.push({ key: args[j], value: args[j + 1], noDelim: args[j + 2] === '' });
  }
  return res;
}

function parseSourcesAndDest(req: Request, command: string): SourcesAndDest {
  const srcs = req.args.slice(0, -1);
  const dest = req.args[req.args.length - 1];
  if (mustParseHeredoc(dest)) bad(`${command} cannot accept a heredoc as a destination`);
  const lookup = req.node.heredocs.length > 0 ? new Map<string, Node['heredocs'][number]>() : undefined;
  for (const h of req.node.heredocs) lookup!.set(h.name, h);
  const sourcePaths: string[] = [];
  const sourceContents: SourceContent[] = [];
  for (const src of srcs) {
    const h = mustParseHeredoc(src);
    if (h) {
      let content = lookup?.get(h.name)?.content ?? '';
      if (h.chomp) content = chompHeredocContent(content);
      sourceContents.push({ data: content, path: h.name, expand: h.expand });
    } else {
      sourcePaths.push(src);
    }
  }
  return { destPath: dest, sourcePaths: fit(sourcePaths), sourceContents: fit(sourceContents) };
}

function parseShellDependent(req: Request): { cmdLine: string[]; files: ShellInlineFile[]; prependShell: boolean } {
  const files = req.node.heredocs.map((h) => ({ name: h.name, data: h.content, chomp: h.chomp }));
  return { cmdLine: handleJSONArgs(req.args, req.json), files, prependShell: !req.json };
}

/** A duration flag of HEALTHCHECK, in ns (BuildKit's `parseOptInterval`). */
function parseOptInterval(f: Flag): number {
  if (f.value === '') return 0;
  const d = goParseDuration(f.value);
  if (!d.ok) return bad(d.error);
  if (d.value === 0) return 0;
  if (d.value < 1_000_000) bad(`Interval ${goQuote(f.name)} cannot be less than 1ms`);
  return d.value;
}

const ONBUILD_PREFIX = /^[\t\n\f\r ]*onbuild[\t\n\f\r ]*/i;
const STAGE_NAME = /^[a-z][a-z0-9\-_.]*$/;

function parseRun(req: Request): RunCommand {
  // pre-hooks, in BuildKit's file order: device, mount, network, security
  const flDevice = req.flags.addStrings('device');
  const flMount = req.flags.addStrings('mount');
  const flNetwork = req.flags.addString('network', 'default');
  const flSecurity = req.flags.addString('security', 'sandbox');
  req.flags.parse();
  const shell = parseShellDependent(req);
  // post-hooks
  const devices: Device[] = flDevice.stringValues.map(parseDevice);
  const mounts: Mount[] = flMount.stringValues.map((v) => parseMount(v));
  if (!['default', 'none', 'host'].includes(flNetwork.value)) bad(`invalid network mode ${goQuote(flNetwork.value)}`);
  if (!['insecure', 'sandbox'].includes(flSecurity.value)) bad(`security ${goQuote(flSecurity.value)} is not valid`);
  return {
    name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
    kind: 'run',
    cmdLine: shell.cmdLine,
    files: shell.files,
    prependShell: shell.prependShell,
    flagsUsed: req.flags.usedNames(),
    mountSpecs: flMount.stringValues,
    mounts,
    network: flNetwork.value as NetworkMode,
    security: flSecurity.value as SecurityMode,
    devices,
  };
}

function parseHealthcheck(req: Request): HealthCheckCommand {
  if (req.args.length === 0) errAtLeastOneArgument('HEALTHCHECK');
  let typ = req.args[0].toUpperCase();
  const args = req.args.slice(1);
  const empty = { interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
  if (typ === 'NONE') {
    if (args.length !== 0) bad('HEALTHCHECK NONE takes no arguments');
    return {
      name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
      kind: 'healthcheck', health: { test: [typ], ...empty },
    };
  }
  const flInterval = req.flags.addString('interval', '');
  const flTimeout = req.flags.addString('timeout', '');
  const flStartPeriod = req.flags.addString('start-period', '');
  const flStartInterval = req.flags.addString('start-interval', '');
  const flRetries = req.flags.addString('retries', '');
  req.flags.parse();
  let test: string[] = [];
  if (typ === 'CMD') {
    const cmdSlice = handleJSONArgs(args, req.json);
    if (cmdSlice.length === 0) bad('Missing command after HEALTHCHECK CMD');
    if (!req.json) typ = 'CMD-SHELL';
    test = [typ, ...cmdSlice];
  } else {
    bad(`Unknown type ${goQuote(typ)} in HEALTHCHECK (try CMD)`);
  }
  const health: HealthConfig = {
    test,
    interval: parseOptInterval(flInterval),
    timeout: parseOptInterval(flTimeout),
    startPeriod: parseOptInterval(flStartPeriod),
    startInterval: parseOptInterval(flStartInterval),
    retries: 0,
  };
  if (flRetries.value !== '') {
    const r = goParseInt(flRetries.value, 10, 32);
    if (!r.ok) bad(r.error);
    else if (r.value < 0) bad(`--retries cannot be negative (${r.value})`);
    else return {
      name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
      kind: 'healthcheck', health: { ...health, retries: r.value },
    };
  }
  return {
    name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
    kind: 'healthcheck', health,
  };
}

function parseFrom(req: Request): Stage {
  const args = req.args;
  let stageName = '';
  if (args.length === 3 && args[1].toLowerCase() === 'as') {
    stageName = args[2].toLowerCase();
    if (!STAGE_NAME.test(stageName)) {
      bad(`invalid name for build stage: ${goQuote(args[2])}, name can't start with a number or contain symbols`);
    }
  } else if (args.length !== 1) {
    bad('FROM requires either one or three arguments');
  }
  const flPlatform = req.flags.addString('platform', '');
  req.flags.parse();
  return {
    kind: 'stage',
    name: stageName,
    nameAsWritten: args.length === 3 ? args[2] : '',
    origCmd: req.command,
    baseName: args[0],
    platform: flPlatform.value,
    comment: getComment(req.comments, stageName),
    sourceCode: req.base.code,
    commands: [],
    node: req.node,
    location: req.base.location,
  };
}

function parseArg(req: Request): Instruction {
  if (req.args.length < 1) errAtLeastOneArgument('ARG');
  req.flags.parse();
  const args: KeyValuePairOptional[] = req.args.map((arg) => {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg : arg.slice(0, eq);
    if (eq >= 0 && key.length === 0) errBlankCommandNames('ARG');
    const comment = getComment(req.comments, key);
    return eq < 0 ? { key, comment } : { key, value: arg.slice(eq + 1), comment };
  });
  return {
    name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
    kind: 'arg', args,
  };
}

function parseCopyLike(req: Request, add: boolean): AddCommand | CopyCommand {
  const command = add ? 'ADD' : 'COPY';
  if (req.args.length < 2) errNoDestinationArgument(command);
  const f = req.flags;
  if (add) {
    const flChown = f.addString('chown', '');
    const flChmod = f.addString('chmod', '');
    const flLink = f.addBool('link', false);
    const flKeepGitDir = f.addBool('keep-git-dir', false);
    const flChecksum = f.addString('checksum', '');
    const flUnpack = f.addBool('unpack', false);
    const flExcludes = f.addStrings('exclude');
    f.parse();
    const sd = parseSourcesAndDest(req, command);
    const cmd: Omit<AddCommand, keyof CommandBase> & { keepGitDir?: boolean; unpack?: boolean } = {
      kind: 'add',
      destPath: sd.destPath,
      sourcePaths: sd.sourcePaths,
      sourceContents: sd.sourceContents,
      chown: flChown.value,
      chmod: flChmod.value,
      link: flLink.isTrue(),
      excludes: flExcludes.stringValues,
      checksum: flChecksum.value,
    };
    if (flKeepGitDir.isUsed()) cmd.keepGitDir = flKeepGitDir.isTrue();
    if (flUnpack.isUsed()) cmd.unpack = flUnpack.isTrue();
    return make(req.base, cmd);
  }
  const flChown = f.addString('chown', '');
  const flFrom = f.addString('from', '');
  const flChmod = f.addString('chmod', '');
  const flLink = f.addBool('link', false);
  const flExcludes = f.addStrings('exclude');
  const flParents = f.addBool('parents', false);
  f.parse();
  const sd = parseSourcesAndDest(req, command);
  return {
    name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
    kind: 'copy',
    destPath: sd.destPath,
    sourcePaths: sd.sourcePaths,
    sourceContents: sd.sourceContents,
    from: flFrom.value,
    chown: flChown.value,
    chmod: flChmod.value,
    link: flLink.isTrue(),
    excludes: flExcludes.stringValues,
    parents: flParents.isTrue(),
  };
}

function dispatch(req: Request): Instruction {
  const { args, flags } = req;
  switch (req.node.value) {
    case 'env':
      flags.parse();
      return {
        name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
        kind: 'env', env: parseKvps(args, 'ENV'),
      };
    case 'maintainer':
      if (args.length !== 1) errExactlyOneArgument('MAINTAINER');
      flags.parse();
      return {
        name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
        kind: 'maintainer', maintainer: args[0],
      };
    case 'label':
      flags.parse();
      return {
        name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
        kind: 'label', labels: parseKvps(args, 'LABEL'),
      };
    case 'add':
      return parseCopyLike(req, true);
    case 'copy':
      return parseCopyLike(req, false);
    case 'from':
      return parseFrom(req);
    case 'onbuild': {
      if (args.length === 0) errAtLeastOneArgument('ONBUILD');
      flags.parse();
      const trigger = goTrimSpace(args[0]).toUpperCase();
      if (trigger === 'ONBUILD') bad('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (trigger === 'MAINTAINER' || trigger === 'FROM') bad(`${trigger} isn't allowed as an ONBUILD trigger`);
      let expression = req.original.replace(ONBUILD_PREFIX, '');
      for (const h of req.node.heredocs) expression += '\n' + h.content + h.name;
      return {
        name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
        kind: 'onbuild', expression,
      };
    }
    case 'workdir':
      if (args.length !== 1) errExactlyOneArgument('WORKDIR');
      flags.parse();
      return {
        name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
        kind: 'workdir', path: args[0],
      };
    case 'run':
      return parseRun(req);
    case 'cmd': {
      flags.parse();
      const s = parseShellDependent(req);
      return {
        name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
        kind: 'cmd', cmdLine: s.cmdLine, files: s.files, prependShell: s.prependShell,
      } satisfies CmdCommand;
    }
    case 'entrypoint': {
      flags.parse();
      const s = parseShellDependent(req);
      const cmdLine = s.cmdLine.length === 0 ? null : s.cmdLine;
      return {
        name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
        kind: 'entrypoint', cmdLine, files: s.files, prependShell: s.prependShell,
      } satisfies EntrypointCommand;
    }
    case 'healthcheck':
      return parseHealthcheck(req);
    case 'expose': {
      if (args.length === 0) errAtLeastOneArgument('EXPOSE');
      flags.parse();
      return {
        name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
        kind: 'expose', ports: [...args].sort(compareGoStrings),
      };
    }
    case 'user':
      if (args.length !== 1) errExactlyOneArgument('USER');
      flags.parse();
      return {
        name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
        kind: 'user', user: args[0],
      };
    case 'volume': {
      if (args.length === 0) errAtLeastOneArgument('VOLUME');
      flags.parse();
      const volumes = args.map((v) => {
        const t = goTrimSpace(v);
        if (t === '') bad('VOLUME specified can not be an empty string');
        return t;
      });
      return {
        name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
        kind: 'volume', volumes,
      };
    }
    case 'stopsignal':
      // BuildKit never parses STOPSIGNAL's flags
      if (args.length !== 1) errExactlyOneArgument('STOPSIGNAL');
      return {
        name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
        kind: 'stopsignal', signal: args[0],
      };
    case 'arg':
      return parseArg(req);
    case 'shell': {
      flags.parse();
      const shell = handleJSONArgs(args, req.json);
      if (shell.length === 0) errAtLeastOneArgument('SHELL');
      if (!req.json) bad('SHELL requires the arguments to be in JSON form');
      return {
        name: req.base.name, code: req.base.code, original: req.base.original, node: req.base.node, location: req.base.location,
        kind: 'shell', shell,
      };
    }
  }
  return bad(
    withSuggestion(`unknown instruction: ${req.node.keyword}`, req.node.keyword, INSTRUCTION_NAMES, false),
    ErrorCode.UnknownInstruction,
  );
}

/**
 * Converts one instruction node into a typed instruction (BuildKit's `ParseInstruction`): a
 * {@link Command}, or a {@link Stage} for FROM. Used for every node of the tree and for ONBUILD
 * triggers, which the converter parses when an image with triggers is used as a base.
 *
 * Throws {@link InstructionError} with BuildKit's message and the node's location.
 */
export function parseInstruction(node: Node, options?: InstructionOptions): Instruction {
  const location = locationOf(node, options?.file ?? 'Dockerfile');
  const req: Request = {
    node,
    command: node.keyword,
    args: nodeArgs(node),
    json: node.attributes.json === true,
    flags: new BFlags(node.flags),
    original: node.original,
    comments: node.prevComment,
    base: { name: node.keyword, code: goTrimSpace(node.original), original: node.original, node, location },
  };
  try {
    return dispatch(req);
  } catch (e) {
    if (e instanceof InstructionFailure) throw new InstructionError(e.code, e.message, location);
    throw e;
  }
}

/** Like {@link parseInstruction}, but FROM is an error (BuildKit's `ParseCommand`). */
export function parseCommand(node: Node, options?: InstructionOptions): Command {
  const i = parseInstruction(node, options);
  if (i.kind === 'stage') {
    throw new InstructionError(ErrorCode.Instruction, '*instructions.Stage is not a command type', i.location);
  }
  return i;
}

/** The stages of a Dockerfile and the ARGs declared before the first FROM. */
export interface ParsedInstructions {
  readonly stages: Stage[];
  /** ARG instructions before the first FROM (global build arguments). */
  readonly metaArgs: Extract<Command, { kind: 'arg' }>[];
}

/**
 * Converts the whole tree into stages (BuildKit's `instructions.Parse`). Errors of one
 * instruction are {@link InstructionError}s (BuildKit prefixes them with
 * `dockerfile parse error on line N:`); an instruction other than ARG before the first FROM is
 * a plain {@link DockerfileError} `no build stage in current context`.
 */
export function parseInstructions(ast: Node, options?: InstructionOptions): ParsedInstructions {
  const stages: Stage[] = [];
  const metaArgs: Extract<Command, { kind: 'arg' }>[] = [];
  const commands: Command[][] = [];
  const observe = options?.observe;
  for (const n of ast.children) {
    let ins: Instruction;
    try {
      ins = parseInstruction(n, options);
    } catch (e) {
      observe?.(n, undefined);
      throw e;
    }
    observe?.(n, ins);
    if (stages.length === 0 && ins.kind === 'arg') {
      metaArgs.push(ins);
      continue;
    }
    if (ins.kind === 'stage') {
      stages.push(ins);
      commands.push(ins.commands as Command[]);
      continue;
    }
    if (stages.length === 0) {
      throw new DockerfileError(ErrorCode.NoStage, 'no build stage in current context', locationOf(n, options?.file ?? 'Dockerfile'));
    }
    commands[commands.length - 1].push(ins);
  }
  return { stages, metaArgs };
}

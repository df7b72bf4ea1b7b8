/**
 * Dispatch of each instruction onto a stage: the LLB ops it adds and the image config changes
 * it makes, as BuildKit's `dispatch*` functions do.
 */
import { DockerfileError, type DockerfileErrorCode } from '../errors.js';
import { run, type MountSpec, type RunOptions, type SecretSpec, type SSHSpec } from '../graph/exec.js';
import { file, mkdir, mkfile, parseChown } from '../graph/fileop.js';
import { State } from '../graph/state.js';
import type { NetMode, SecurityMode } from '../graph/types.js';
import type { Command, KeyValuePairOptional, Mount, RunCommand } from '../instructions/index.js';
import { chompHeredocContent, mustParseHeredoc } from '../parser/index.js';
import { type EnvGetter, ShellLex } from '../shell/index.js';
import { goQuoteSlice } from '../util/goquote.js';
import { assertNever } from '../util/never.js';
import { base as pathBase, clean, isAbs, join } from '../util/posix-path.js';
import { dispatchCopy } from './copy.js';
import type { DispatchCommand, DispatchState } from './dispatch-state.js';
import { commitToHistory, type DispatchOptions } from './dispatch-options.js';
import { stateEnv } from './env.js';
import { nodeLocation } from './location.js';
import { processCmdEnv, stepName, uppercaseCmd } from './steps.js';
import { normalizeWorkdir, toSlash, wrapPathError } from './system-path.js';
import { parseSignal } from './signal.js';
import { parsePortSpecs } from './expose.js';
import {
  checkExposePort,
  checkJsonArgs,
  checkLegacyKeyValue,
  checkRelativeWorkdir,
  checkSecretKey,
  checkUndefinedVars,
  checkUsedOnce,
  systemIsAbs,
} from './checks/validations.js';

function fail(message: string, code: DockerfileErrorCode = 'E_CONVERT'): never {
  throw new DockerfileError(code, message);
}

/** The shell a shell-form command runs with. */
export function defaultShell(os: string): string[] {
  return os === 'windows' ? ['cmd', '/S', '/C'] : ['/bin/sh', '-c'];
}

function withShell(d: DispatchState, args: readonly string[]): string[] {
  const shell = d.image.config.Shell?.length ? [...d.image.config.Shell] : defaultShell(d.image.os);
  return [...shell, args.join(' ')];
}

export function dispatchCommand(d: DispatchState, cmd: DispatchCommand, opt: DispatchOptions): void {
  const c = cmd.command;
  const img = d.image;
  switch (c.kind) {
    case 'maintainer':
      img.author = c.maintainer;
      commitToHistory(d, `MAINTAINER ${c.maintainer}`, false, false);
      return;
    case 'env': {
      let msg = 'ENV';
      for (const e of c.env) {
        checkLegacyKeyValue(c, e.noDelim, opt.lint);
        checkSecretKey('ENV', e.key, c.node, opt.lint);
        msg += ` ${e.key}=${e.value}`;
        d.state = d.state.addEnv(e.key, e.value);
        addImageEnv(d, e.key, e.value);
      }
      commitToHistory(d, msg, false, false);
      return;
    }
    case 'run':
      dispatchRun(d, c, cmd, opt);
      return;
    case 'workdir':
      dispatchWorkdir(d, c.path, { opt, command: c, isOnBuild: cmd.isOnBuild });
      return;
    case 'add':
      dispatchCopy(d, { command: c, source: opt.buildContext, isAdd: true, isOnBuild: cmd.isOnBuild, opt, ignore: opt.ignore });
      for (const src of c.sourcePaths) {
        if (!src.startsWith('http://') && !src.startsWith('https://')) d.addCtxPath(join('/', src));
      }
      return;
    case 'copy': {
      const src = cmd.sources[0];
      let source = opt.buildContext;
      if (src) {
        if (!src.dispatched) {
          fail(`cannot copy from stage ${JSON.stringify(c.from)}, it needs to be defined before current stage ${JSON.stringify(d.stageName)}`);
        }
        source = src.state;
      }
      dispatchCopy(d, { command: c, source, isAdd: false, isOnBuild: cmd.isOnBuild, opt, ignore: src ? undefined : opt.ignore });
      for (const p of c.sourcePaths) {
        if (src) src.paths.add(join('/', p));
        else d.addCtxPath(join('/', p));
      }
      return;
    }
    case 'label': {
      let msg = 'LABEL';
      img.config.Labels ??= {};
      for (const l of c.labels) {
        checkLegacyKeyValue(c, l.noDelim, opt.lint);
        img.config.Labels[l.key] = l.value;
        msg += ` ${l.key}=${l.value}`;
      }
      commitToHistory(d, msg, false, false);
      return;
    }
    case 'onbuild':
      img.config.OnBuild = [...(img.config.OnBuild ?? []), c.expression];
      return;
    case 'cmd': {
      checkUsedOnce(c, d.usedOnce(), opt.lint);
      let args = [...c.cmdLine];
      checkJsonArgs(c, c.prependShell, img.config.Shell, opt.lint);
      if (c.prependShell) args = withShell(d, args);
      img.config.Cmd = args;
      img.config.ArgsEscaped = true;
      d.cmdSet = true;
      commitToHistory(d, `CMD ${goQuoteSlice(args)}`, false, false);
      return;
    }
    case 'entrypoint': {
      checkUsedOnce(c, d.usedOnce(), opt.lint);
      checkJsonArgs(c, c.prependShell, img.config.Shell, opt.lint);
      let args = c.cmdLine === null ? undefined : [...c.cmdLine];
      if (c.prependShell && args) args = withShell(d, args);
      img.config.Entrypoint = args;
      if (!d.cmdSet) img.config.Cmd = undefined;
      commitToHistory(d, `ENTRYPOINT ${goQuoteSlice(args ?? [])}`, false, false);
      return;
    }
    case 'healthcheck': {
      checkUsedOnce(c, d.usedOnce(), opt.lint);
      const h = c.health;
      img.config.Healthcheck = {
        Test: [...h.test],
        Interval: h.interval,
        Timeout: h.timeout,
        StartPeriod: h.startPeriod,
        StartInterval: h.startInterval,
        Retries: h.retries,
      };
      commitToHistory(d, `HEALTHCHECK ${formatHealthcheck(h)}`, false, false);
      return;
    }
    case 'expose': {
      const ports: string[] = [];
      const env = stateEnv(d.state);
      for (const p of c.ports) ports.push(...opt.shlex.processWords(p, env));
      const at = c.node;
      const specs = parsePortSpecs(ports, (raw, proto, ip, hostPort) => checkExposePort(raw, proto, ip, hostPort, at, opt.lint));
      img.config.ExposedPorts ??= {};
      for (const p of specs) img.config.ExposedPorts[p] = {};
      commitToHistory(d, `EXPOSE [${specs.join(' ')}]`, false, false);
      return;
    }
    case 'user':
      dispatchUser(d, c.user, true);
      return;
    case 'volume': {
      img.config.Volumes ??= {};
      for (const v of c.volumes) {
        if (v === '') fail('VOLUME specified can not be an empty string');
        img.config.Volumes[v] = {};
      }
      commitToHistory(d, `VOLUME [${c.volumes.join(' ')}]`, false, false);
      return;
    }
    case 'stopsignal':
      parseSignal(c.signal);
      img.config.StopSignal = c.signal;
      commitToHistory(d, `STOPSIGNAL ${c.signal}`, false, false);
      return;
    case 'shell':
      img.config.Shell = [...c.shell];
      commitToHistory(d, `SHELL [${c.shell.join(' ')}]`, false, false);
      return;
    case 'arg':
      dispatchArg(d, c, opt);
      return;
    default:
      return assertNever(c, 'command');
  }
}

/** Go's `%+v` of Docker's HealthcheckConfig, as BuildKit writes it into the history. */
function formatHealthcheck(h: { test: readonly string[]; interval: number; timeout: number; startPeriod: number; startInterval: number; retries: number }): string {
  return `{Test:[${h.test.join(' ')}] Interval:${goDuration(h.interval)} Timeout:${goDuration(h.timeout)} StartPeriod:${goDuration(h.startPeriod)} StartInterval:${goDuration(h.startInterval)} Retries:${h.retries}}`;
}

/** Go's `time.Duration.String()` for a duration in nanoseconds. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    // Sub-second: ns, µs or ms with a fraction.
    const units: [number, string][] = [
      [1e6, 'ms'],
      [1e3, 'µs'],
      [1, 'ns'],
    ];
    const [div, unit] = units.find(([d]) => u >= d) ?? [1, 'ns'];
    out = fraction(u, div) + unit;
  } else {
    const h = Math.floor(u / 3.6e12);
    u -= h * 3.6e12;
    const m = Math.floor(u / 6e10);
    u -= m * 6e10;
    out = `${fraction(u, 1e9)}s`;
    if (h > 0) out = `${h}h${m}m${out}`;
    else if (m > 0) out = `${m}m${out}`;
  }
  return neg ? `-${out}` : out;
}

function fraction(v: number, div: number): string {
  const whole = Math.floor(v / div);
  const rest = v - whole * div;
  if (rest === 0) return String(whole);
  let frac = String(rest).padStart(String(div).length - 1, '0');
  frac = frac.replace(/0+$/, '');
  return `${whole}.${frac}`;
}

/**
 * Sets an image env entry, replacing an existing key. BuildKit's `addEnv` compares keys with
 * `shell.EqualEnvKeys`, which is chosen by the OS BuildKit itself runs on, not the target's: a
 * Linux BuildKit compares exactly, so on a Windows target `ENV path=…` adds an entry beside `Path`.
 */
function addImageEnv(d: DispatchState, key: string, value: string): void {
  const env = d.image.config.Env;
  if (env.length <= SCAN_ENV) {
    // A short list (most images have a few entries): a scan costs less than an index. An index
    // made when the list was longer is rebuilt when its length no longer matches.
    for (let i = 0; i < env.length; i++) {
      const e = env[i];
      // The entry's key is what comes before its first '=' (a whole entry without one).
      const j = e.indexOf('=');
      if (j < 0 ? e === key : j === key.length && e.startsWith(key)) {
        env[i] = `${key}=${value}`;
        return;
      }
    }
    env.push(`${key}=${value}`);
    return;
  }
  const index = imageEnvIndex(env);
  const i = index.map.get(key);
  if (i !== undefined) {
    env[i] = `${key}=${value}`;
    return;
  }
  index.map.set(key, env.length);
  env.push(`${key}=${value}`);
  index.length = env.length;
}

/**
 * Where each key is in an image config's Env: scanning the list for every ENV would make a long
 * run of ENV steps quadratic. Rebuilt when the list changed length behind our back (an entry
 * pushed elsewhere); entries are otherwise only replaced in place.
 */
const imageEnvIndexes = new WeakMap<string[], { length: number; readonly map: Map<string, number> }>();

/** Lists up to this long are scanned; longer ones get an index (see imageEnvIndex). */
const SCAN_ENV = 16;

function imageEnvIndex(env: string[]): { length: number; readonly map: Map<string, number> } {
  let c = imageEnvIndexes.get(env);
  if (!c || c.length !== env.length) {
    const map = new Map<string, number>();
    env.forEach((e, i) => {
      const j = e.indexOf('=');
      const k = j < 0 ? e : e.slice(0, j);
      // The first entry of a key is the one a scan would find.
      if (!map.has(k)) map.set(k, i);
    });
    c = { length: env.length, map };
    imageEnvIndexes.set(env, c);
  }
  return c;
}

export function dispatchUser(d: DispatchState, user: string, commit: boolean): void {
  d.state = d.state.user(user);
  d.image.config.User = user;
  if (commit) commitToHistory(d, `USER ${user}`, false, false);
}

/** WORKDIR: sets the working directory, and (for the instruction) creates it with a mkdir. */
export function dispatchWorkdir(
  d: DispatchState,
  path: string,
  instr: { readonly opt: DispatchOptions; readonly command: Extract<Command, { kind: 'workdir' }>; readonly isOnBuild: boolean } | undefined,
): void {
  const os = d.platform?.os ?? 'linux';
  if (instr) {
    checkRelativeWorkdir(instr.command, path, d.workdirSet, systemIsAbs(path, os), instr.opt.lint);
    d.workdirSet = true;
  }
  let wd = wrapPathError('normalizing workdir', () => normalizeWorkdir(d.image.config.WorkingDir, path, os));
  d.image.config.WorkingDir = wd;
  wd = toSlash(wd, os);
  d.state = d.state.dir(wd);
  if (!instr) return;
  let withLayer = false;
  if (wd !== '/') {
    const { opt, command, isOnBuild } = instr;
    const user = d.image.config.User;
    const env = stateEnv(d.state);
    const platform = d.platform ?? opt.targetPlatform;
    const info = { makeParents: true, chown: user ? parseChown(user) : undefined, createdTime: d.epoch?.nanos };
    d.state = file(d.state, mkdir(wd, 0o755, info), {
      customName: stepName(d.steps.next(), uppercaseCmd(processCmdEnv(opt.shlex, command.code, env)), {
        stageName: d.stageName,
        isOnBuild,
        platform: d.prefixPlatform ? platform : undefined,
        env,
      }),
      locations: [nodeLocation(command.node)],
      platform: d.platform,
    });
    withLayer = true;
  }
  commitToHistory(d, `WORKDIR ${wd}`, withLayer, false);
}

function dispatchArg(d: DispatchState, command: Extract<Command, { kind: 'arg' }>, opt: DispatchOptions): void {
  const { args, location } = command;
  const parts: string[] = [];
  for (const a of args) {
    checkSecretKey('ARG', a.key, command.node, opt.lint);
    const arg: { key: string; value?: string; comment: string } = { ...a };
    const hasValue = Object.hasOwn(opt.buildArgValues, arg.key);
    const hasDefault = arg.value !== undefined;
    // An ARG that only re-declares a global one keeps the global one's outline entry.
    let inherited = false;
    if (!hasDefault && !hasValue) {
      const v = opt.globalArgs.get(arg.key);
      if (v !== undefined) {
        arg.value = v;
        inherited = true;
      }
    }
    if (hasValue) {
      arg.value = opt.buildArgValues[arg.key];
    } else if (hasDefault) {
      const env = stateEnv(d.state);
      const r = opt.shlex.processWord(arg.value!, env);
      checkUndefinedVars(command, d.buildArgs, env, r.unmatched, opt.lint);
      arg.value = r.result;
    }
    if (arg.value !== undefined && arg.key !== 'BUILDKIT_SBOM_SCAN_CONTEXT' && arg.key !== 'BUILDKIT_SBOM_SCAN_STAGE') {
      d.state = d.state.addEnv(arg.key, arg.value);
    }
    if (d.outline) {
      if (!inherited) d.outline.allArgs.set(arg.key, { key: arg.key, value: arg.value ?? '', comment: arg.comment, location });
      d.outline.usedArgs.add(arg.key);
    }
    d.buildArgs.push(arg);
    parts.push(arg.value !== undefined ? `${arg.key}=${arg.value}` : arg.key);
  }
  commitToHistory(d, `ARG ${parts.join(' ')}`, false, false);
}

/** `RUN …` as BuildKit records it in the history: `|N K=V… args`. */
function runCommandString(args: readonly string[], buildArgs: readonly KeyValuePairOptional[], env: EnvGetter): string {
  const tmp: string[] = [];
  const index = new Map<string, number>();
  for (const a of buildArgs) {
    const v = env.get(a.key) ?? a.value ?? '';
    const i = index.get(a.key);
    if (i !== undefined) tmp[i] = `${a.key}=${v}`;
    else {
      index.set(a.key, tmp.length);
      tmp.push(`${a.key}=${v}`);
    }
  }
  if (tmp.length > 0) tmp.unshift(`|${tmp.length}`);
  return [...tmp, ...args].join(' ');
}

/** An env whose secret-backed variables read `****` (for step names only). */
function withSecretEnvMask(c: RunCommand, env: EnvGetter): EnvGetter {
  const masked = new Map<string, string>();
  for (const m of c.mounts) if (m.type === 'secret' && m.env !== undefined) masked.set(m.env, '****');
  if (masked.size === 0) return env;
  return {
    get: (k) => masked.get(k) ?? env.get(k),
    keys: () => [...env.keys().filter((k) => !masked.has(k)), ...masked.keys()],
  };
}

function dispatchRun(d: DispatchState, c: RunCommand, cmd: DispatchCommand, opt: DispatchOptions): void {
  if (c.devices.length > 0) fail('device feature is only supported in Dockerfile frontend 1.14.0-labs or later', 'E_LABS_FEATURE');
  let customName = c.code;
  let args: string[] = [...c.cmdLine];
  const extraMounts: MountSpec[] = [];
  if (c.files.length > 0) {
    if (args.length !== 1 || !c.prependShell) fail(`parsing produced an invalid run command: [${args.join(' ')}]`);
    const heredoc = mustParseHeredoc(args[0]);
    if (heredoc) {
      const f = c.files[0];
      const data = f.chomp ? chompHeredocContent(f.data) : f.data;
      if (d.image.os !== 'windows' && data.startsWith('#!')) {
        // A script with a shebang: write it to a file and run that.
        const st = file(State.scratch().dir('/'), mkfile(f.name, 0o755, data), { customName: '[internal] preparing inline document', platform: d.platform });
        extraMounts.push({ target: '/dev/pipes/', source: st, selector: '/', readonly: true });
        args = [join('/dev/pipes/', f.name)];
      } else {
        args = [data];
      }
      customName += ` (${summarizeHeredoc(f.data)})`;
    } else {
      let b = args[0];
      for (const f of c.files) b += `\n${f.data}${f.name}`;
      args = [b];
    }
  }
  if (c.prependShell) args = withShell(d, args);

  const env = stateEnv(d.state);
  const mountOpts = dispatchRunMounts(d, c, cmd.sources, opt);
  let network: NetMode | undefined;
  if (c.network === 'none') network = 'none';
  else if (c.network === 'host') network = 'host';
  const security: SecurityMode | undefined = c.security === 'insecure' ? 'insecure' : undefined;

  const nameShlex = new ShellLex(opt.shlex.escapeToken, { rawQuotes: true, skipUnsetEnv: true, budget: opt.shlex.budget });
  const platform = d.state.platformValue;
  const name = stepName(d.steps.next(), uppercaseCmd(processCmdEnv(nameShlex, customName, withSecretEnvMask(c, env))), {
    stageName: d.stageName,
    isOnBuild: cmd.isOnBuild,
    platform: d.prefixPlatform ? platform : undefined,
    env,
  });

  const req = opt.request;
  // A /dev/shm of the requested size, as BuildKit adds it to every RUN.
  if (req.shmSize > 0n) extraMounts.push({ target: '/dev/shm', tmpfs: { size: req.shmSize } });
  // One literal, every option present (undefined when not set): spreads of conditional objects
  // made a slow, shape-changing copy on every RUN.
  const runOpts: RunOptions = {
    network,
    security,
    args,
    mounts: extraMounts.length > 0 ? [...extraMounts, ...mountOpts.mounts] : mountOpts.mounts,
    ulimits: req.ulimits.length ? req.ulimits : undefined,
    extraHosts: req.extraHosts.length ? req.extraHosts : undefined,
    cgroupParent: req.cgroupParent || undefined,
    secrets: mountOpts.secrets,
    ssh: mountOpts.ssh,
    proxyEnv: opt.proxyEnv,
    description: { 'com.docker.dockerfile.v1.command': c.code },
    customName: name,
    locations: [nodeLocation(c.node)],
    ignoreCache: d.ignoreCache || undefined,
    defaultPlatform: opt.targetPlatform,
  };
  d.state = run(d.state, runOpts).root;
  commitToHistory(d, `RUN ${runCommandString(args, d.buildArgs, env)}`, true, true);
}

function summarizeHeredoc(doc: string): string {
  const lines = doc.trim().replace(/\r\n/g, '\n').split('\n');
  return lines.length > 1 ? `${lines[0]}...` : lines[0];
}

function dispatchRunMounts(
  d: DispatchState,
  c: RunCommand,
  sources: readonly (DispatchState | undefined)[],
  opt: DispatchOptions,
): { mounts: MountSpec[]; secrets: SecretSpec[]; ssh: SSHSpec[] } {
  const mounts: MountSpec[] = [];
  const secrets: SecretSpec[] = [];
  const ssh: SSHSpec[] = [];
  c.mounts.forEach((m, i) => {
    if (m.type === 'secret') {
      const spec = secretSpec(d, m);
      d.outline?.addSecret(spec.id, m.required, c.location);
      secrets.push(spec);
      return;
    }
    if (m.type === 'ssh') {
      if (m.source !== '') fail('ssh does not support source');
      d.outline?.addSSH(m.cacheId, m.required, c.location);
      ssh.push({
        id: m.cacheId,
        ...(m.target ? { target: m.target } : {}),
        optional: !m.required,
        ...(m.uid !== undefined || m.gid !== undefined || m.mode !== undefined
          ? { uid: m.uid ?? 0, gid: m.gid ?? 0, mode: m.mode ?? 0o600 }
          : {}),
      });
      return;
    }
    const from = m.from === '' && m.type === 'cache' ? 'scratch' : m.from;
    let st = opt.buildContext;
    if (from !== '') {
      const src = sources[i];
      if (src && !src.dispatched) {
        fail(`cannot mount from stage ${JSON.stringify(from)} to ${JSON.stringify(m.target)}, stage needs to be defined before current command`);
      }
      st = src ? src.state : State.scratch();
    }
    const spec: { -readonly [K in keyof MountSpec]: MountSpec[K] } = { target: '' };
    if (m.type === 'tmpfs') {
      st = State.scratch();
      spec.tmpfs = { size: m.sizeLimit };
    }
    if (m.readOnly) spec.readonly = true;
    else if (m.type === 'bind') spec.noOutput = true;
    if (m.type === 'cache') spec.cache = { id: `${opt.cacheIdNamespace}/${m.cacheId || clean(m.target)}`, sharing: m.cacheSharing === '' ? 'shared' : m.cacheSharing };
    let target = m.target;
    if (!isAbs(clean(target))) target = join('/', d.state.cwd, target);
    if (target === '/') fail(`invalid mount target ${JSON.stringify(target)}`);
    spec.target = target;
    const src = join('/', m.source);
    if (src !== '/') {
      spec.selector = src;
    } else if (m.uid !== undefined || m.gid !== undefined || m.mode !== undefined) {
      st = file(st, mkdir('/cache', m.mode ?? 0o755, { chown: { user: { id: m.uid ?? 0 }, group: { id: m.gid ?? 0 } } }), {
        customName: '[internal] setting cache mount permissions',
      });
      spec.selector = '/cache';
    }
    spec.source = st;
    mounts.push(spec);
    const reader = sources[i];
    if (from === '') d.addCtxPath(join('/', m.source));
    else if (reader) reader.paths.add(join('/', m.source));
  });
  return { mounts, secrets, ssh };
}

function secretSpec(d: DispatchState, m: Mount): SecretSpec {
  // The target is kept as written, Windows backslashes included (BuildKit's dispatchSecret).
  const targetPath = m.target;
  let id = m.cacheId;
  if (m.source !== '') id = m.source;
  if (id === '') {
    if (targetPath === '') fail('one of source, target required');
    id = pathBase(targetPath);
  }
  let target: string | undefined = targetPath !== '' ? targetPath : undefined;
  if (m.env === undefined) target = targetPath !== '' ? targetPath : `/run/secrets/${pathBase(id)}`;
  const fileOpt = m.uid !== undefined || m.gid !== undefined || m.mode !== undefined;
  return {
    id,
    ...(target !== undefined ? { target } : {}),
    ...(m.env !== undefined ? { env: m.env } : {}),
    optional: !m.required,
    ...(fileOpt ? { uid: m.uid ?? 0, gid: m.gid ?? 0, mode: m.mode ?? 0o400 } : {}),
  };
}

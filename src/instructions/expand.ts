/**
 * Variable expansion of commands, mirroring BuildKit's `Expand(SingleWordExpander)` and
 * `ExpandRaw` methods. Commands are immutable: these functions return new objects.
 */
import { DockerfileError } from '../errors.js';
import { mapSame } from '../util/arrays.js';
import type { KeyValuePair } from './commands/base.js';
import type { SourcesAndDest } from './commands/copy.js';
import type { Command } from './commands/index.js';
import { InstructionFailure } from './errors.js';
import { parseMount, type SingleWordExpander } from './runmount.js';

export type { SingleWordExpander } from './runmount.js';

/** Kinds BuildKit expands with {@link expand} (its `SupportsSingleWordExpansion` commands). */
export const EXPANDABLE_KINDS: ReadonlySet<Command['kind']> = new Set([
  'env', 'label', 'add', 'copy', 'workdir', 'user', 'volume', 'stopsignal', 'arg', 'run',
]);

const kvps = (list: readonly KeyValuePair[], ex: SingleWordExpander): readonly KeyValuePair[] =>
  mapSame(list, (kv) => {
    const key = ex(kv.key);
    const value = ex(kv.value);
    return key === kv.key && value === kv.value ? kv : { key, value, noDelim: kv.noDelim };
  });

const sources = (c: SourcesAndDest, ex: SingleWordExpander) => ({
  sourcePaths: mapSame(c.sourcePaths, ex),
  destPath: ex(c.destPath),
});

/** A copy of `cmd` with `changes` applied (Object.assign: object spreads of commands are slow in V8). */
function update<T extends Command>(cmd: T, changes: Partial<Command>): T {
  // Nothing changed (the lists above keep their identity when their items do): no copy.
  let changed = false;
  for (const k in changes) {
    if ((changes as Record<string, unknown>)[k] !== (cmd as unknown as Record<string, unknown>)[k]) {
      changed = true;
      break;
    }
  }
  if (!changed) return cmd;
  return Object.assign<T, Partial<Command>>(Object.assign({}, cmd), changes);
}

function expandUnlocated<T extends Command>(cmd: T, ex: SingleWordExpander): T {
  switch (cmd.kind) {
    case 'env':
      return update(cmd, { env: kvps(cmd.env, ex) });
    case 'label':
      return update(cmd, { labels: kvps(cmd.labels, ex) });
    case 'add': {
      const chown = ex(cmd.chown);
      const chmod = ex(cmd.chmod);
      const checksum = ex(cmd.checksum);
      return update(cmd, { chown, chmod, checksum, ...sources(cmd, ex) });
    }
    case 'copy': {
      const chown = ex(cmd.chown);
      const chmod = ex(cmd.chmod);
      return update(cmd, { chown, chmod, ...sources(cmd, ex) });
    }
    case 'workdir':
      return update(cmd, { path: ex(cmd.path) });
    case 'user':
      return update(cmd, { user: ex(cmd.user) });
    case 'volume':
      return update(cmd, { volumes: mapSame(cmd.volumes, ex) });
    case 'stopsignal':
      return update(cmd, { signal: ex(cmd.signal) });
    case 'arg':
      return update(cmd, {
        args: mapSame(cmd.args, (a) => {
          const key = ex(a.key);
          if (a.value === undefined) return key === a.key ? a : { key, comment: a.comment };
          const value = ex(a.value);
          return key === a.key && value === a.value ? a : { key, value, comment: a.comment };
        }),
      });
    case 'run':
      // BuildKit re-parses the --mount values with the expander (setMountState)
      return update(cmd, { mounts: cmd.mountSpecs.map((m) => parseMount(m, ex)) });
    default:
      return cmd;
  }
}

function located<T>(cmd: Command, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InstructionFailure) throw new DockerfileError(e.code, e.message, cmd.location);
    if (e instanceof DockerfileError && e.location === undefined) throw e.at(cmd.location);
    throw e;
  }
}

/**
 * Expands the words of `cmd` the way BuildKit's converter does before dispatching it:
 * ENV/LABEL keys and values, ARG names and defaults, COPY/ADD sources, destination, `--chown`,
 * `--chmod` (and ADD `--checksum`), WORKDIR, USER, VOLUME, STOPSIGNAL, and for RUN the
 * `--mount` options, which are then validated (mount type, keys, secret/ssh rules…).
 * Other commands are returned unchanged. `--from` of COPY and mounts is never expanded.
 *
 * Errors thrown by the expander or by mount validation get the command's location if they
 * have none (BuildKit reports them without the `dockerfile parse error` prefix).
 */
export function expand<T extends Command>(cmd: T, expander: SingleWordExpander): T {
  return located(cmd, () => expandUnlocated(cmd, expander));
}

/**
 * Expands the bodies of COPY/ADD heredoc sources whose delimiter was not quoted (BuildKit's
 * `ExpandRaw`, called with a lexer that keeps quotes and escapes). Other commands are returned
 * unchanged.
 */
export function expandRaw<T extends Command>(cmd: T, expander: SingleWordExpander): T {
  if (cmd.kind !== 'copy' && cmd.kind !== 'add') return cmd;
  return located(cmd, () =>
    update(cmd, {
      sourceContents: mapSame(cmd.sourceContents, (c) => {
        if (!c.expand) return c;
        const data = expander(c.data);
        return data === c.data ? c : { path: c.path, data, expand: true };
      }),
    }),
  );
}

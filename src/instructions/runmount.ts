/**
 * `RUN --mount`, `--network`, `--security` and `--device` (BuildKit's
 * `commands_runmount.go`, `commands_runnetwork.go`, `commands_runsecurity.go`,
 * `commands_rundevice.go`).
 */
import { ErrorCode } from '../parser/codes.js';
import { goParseBool, goParseUint } from '../util/gostrconv.js';
import { goQuote } from '../util/goquote.js';
import { withSuggestion } from '../util/suggest.js';
import type { Device, Mount, MountType, ShareMode } from './commands/run.js';
import { csvFields } from './csv.js';
import { InstructionFailure } from './errors.js';

/** Expands one word (variables); throws on error. BuildKit's `SingleWordExpander`. */
export type SingleWordExpander = (word: string) => string;

const MOUNT_TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARE_MODES: readonly ShareMode[] = ['shared', 'private', 'locked'];
const MOUNT_KEYS = [
  'type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'size', 'mode',
  'uid', 'gid', 'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'env',
];

const fail = (msg: string): never => {
  throw new InstructionFailure(ErrorCode.Mount, msg);
};

/** Go's `strconv.ParseFloat` for the decimal forms `units.RAMInBytes` accepts. */
function parseFloat64(s: string): number {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(s)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number.NaN;
  return Number(s);
}

/** `units.RAMInBytes` of docker/go-units (binary multiples); undefined when invalid. */
export function ramInBytes(size: string): number | undefined {
  let sep = -1;
  for (let i = size.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(size[i])) {
      sep = i;
      break;
    }
  }
  if (sep < 0) return undefined;
  const num = size[sep] !== ' ' ? size.slice(0, sep + 1) : size.slice(0, sep);
  let sfx = size.slice(sep + 1);
  let v = parseFloat64(num);
  if (Number.isNaN(v) && num.toLowerCase().indexOf('nan') < 0) return undefined;
  if (v < 0) return undefined;
  if (sfx.length > 0) {
    if (sfx.length > 3) return undefined;
    sfx = sfx.toLowerCase();
    if (sfx[0] === 'b') {
      if (sfx.length > 1) return undefined;
    } else {
      const mul = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[sfx[0]];
      if (mul === undefined) return undefined;
      v *= mul;
      if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) return undefined;
    }
  }
  return Math.trunc(v);
}

interface MutableMount {
  type: MountType;
  from: string;
  source: string;
  target: string;
  readOnly: boolean;
  sizeLimit: number;
  cacheId: string;
  cacheSharing: ShareMode | '';
  required: boolean;
  env?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

/**
 * Parses one `--mount` value (BuildKit's `parseMount`). Without an expander (at parse time)
 * values are not interpreted, except that `from` must not use variables; with an expander
 * every value is expanded first and then validated. Throws {@link InstructionFailure}.
 */
export function parseMount(value: string, expander?: SingleWordExpander): Mount {
  const fields = csvFields(value);
  if (typeof fields === 'string') return fail(`failed to parse csv mounts: ${fields}`);
  const m: MutableMount = {
    type: 'bind', from: '', source: '', target: '', readOnly: false, sizeLimit: 0, cacheId: '', cacheSharing: '', required: false,
  };
  let roAuto = true;
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    let val = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (!expander) continue; // evaluated later
      switch (key) {
        case 'readonly':
        case 'ro':
          m.readOnly = true;
          roAuto = false;
          continue;
        case 'readwrite':
        case 'rw':
          m.readOnly = false;
          roAuto = false;
          continue;
        case 'required':
          if (m.type === 'secret' || m.type === 'ssh') {
            m.required = true;
            continue;
          }
          return fail(`unexpected key '${key}' for mount type '${m.type}'`);
        default:
          return fail(`invalid field '${field}' must be a key=value pair`);
      }
    }
    if (expander) {
      val = expander(val);
    } else if (key === 'from') {
      // Without an expander only `from` is read (the converter needs it to find stages).
      const idx = val.indexOf('$');
      if (idx !== -1 && idx !== val.length - 1) {
        return fail(`'${key}' doesn't support variable expansion, define alias stage instead`);
      }
    } else {
      continue; // evaluated later
    }
    const parseBoolOr = (): boolean => {
      const b = goParseBool(val);
      return b.ok ? b.value : fail(`invalid value for ${key}: ${val}`);
    };
    switch (key) {
      case 'type': {
        const t = val.toLowerCase();
        if (!(MOUNT_TYPES as readonly string[]).includes(t)) {
          fail(withSuggestion(`unsupported mount type ${goQuote(val)}`, val, MOUNT_TYPES, true));
        }
        m.type = t as MountType;
        break;
      }
      case 'from':
        m.from = val;
        break;
      case 'source':
      case 'src':
        m.source = val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = val;
        break;
      case 'readonly':
      case 'ro':
        m.readOnly = parseBoolOr();
        roAuto = false;
        break;
      case 'readwrite':
      case 'rw':
        m.readOnly = !parseBoolOr();
        roAuto = false;
        break;
      case 'required':
        if (m.type !== 'secret' && m.type !== 'ssh') fail(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = parseBoolOr();
        break;
      case 'size': {
        if (m.type !== 'tmpfs') fail(`unexpected key '${key}' for mount type '${m.type}'`);
        const size = ramInBytes(val);
        if (size === undefined) fail(`invalid value for ${key}: ${val}`);
        m.sizeLimit = size!;
        break;
      }
      case 'id':
        m.cacheId = val;
        break;
      case 'sharing': {
        const s = val.toLowerCase();
        if (!(SHARE_MODES as readonly string[]).includes(s)) {
          fail(withSuggestion(`unsupported sharing value ${goQuote(val)}`, val, SHARE_MODES, true));
        }
        m.cacheSharing = s as ShareMode;
        break;
      }
      case 'mode': {
        const r = goParseUint(val, 8, 32);
        if (!r.ok) fail(`invalid value ${val} for mode`);
        else m.mode = r.value;
        break;
      }
      case 'uid':
      case 'gid': {
        const r = goParseUint(val, 10, 32);
        if (!r.ok) fail(`invalid value ${val} for ${key}`);
        else m[key] = r.value;
        break;
      }
      case 'env':
        m.env = val;
        break;
      default:
        fail(withSuggestion(`unexpected key '${key}' in '${field}'`, key, MOUNT_KEYS, true));
    }
  }

  const fileInfoAllowed = m.type === 'secret' || m.type === 'ssh' || m.type === 'cache';
  if (!fileInfoAllowed) {
    if (m.mode !== undefined) fail(`mode not allowed for ${goQuote(m.type)} type mounts`);
    if (m.uid !== undefined) fail(`uid not allowed for ${goQuote(m.type)} type mounts`);
    if (m.gid !== undefined) fail(`gid not allowed for ${goQuote(m.type)} type mounts`);
  }
  if (roAuto) m.readOnly = !(m.type === 'cache' || m.type === 'tmpfs');
  if (m.type === 'secret') {
    if (m.from !== '') fail('secret mount should not have a from');
    if (m.cacheSharing !== '') fail('secret mount should not define sharing');
    if (m.source === '' && m.target === '' && m.cacheId === '') fail('invalid secret mount. one of source, target required');
    if (m.source !== '' && m.cacheId !== '') fail("both source and id can't be set");
  }
  if (m.cacheSharing !== '' && m.type !== 'cache') fail(`invalid cache sharing set for ${m.type} mount`);
  return m;
}

/** Parses one `--device` value (BuildKit's `ParseDevice`). Throws {@link InstructionFailure}. */
export function parseDevice(value: string): Device {
  const fields = csvFields(value);
  if (typeof fields === 'string') return fail(`failed to parse csv devices: ${fields}`);
  let name = '';
  let required = false;
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (key === 'required') {
        required = true;
        continue;
      }
      if (name === '') {
        name = field;
        continue;
      }
      return fail(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'name':
        if (name !== '') fail(`device name already set to ${name}`);
        name = val;
        break;
      case 'required': {
        const b = goParseBool(val);
        if (!b.ok) fail(`invalid value for ${key}: ${val}`);
        else required = b.value;
        break;
      }
      default:
        if (name === '') {
          name = field;
          continue;
        }
        fail(withSuggestion(`unexpected key '${key}' in '${field}'`, key, ['name', 'required'], true));
    }
  }
  return { name, required };
}

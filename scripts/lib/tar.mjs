// A reader for the tar archives buildctl exports (`--output type=tar`): ustar headers with PAX
// extended headers (what Go's archive/tar writes) and GNU long names, for comparing two exported
// filesystems. Reads the whole archive into memory; the e2e fixtures are small.
import { createHash } from 'node:crypto';

const BLOCK = 512;

function str(buf, off, len) {
  const s = buf.subarray(off, off + len);
  const nul = s.indexOf(0);
  return (nul < 0 ? s : s.subarray(0, nul)).toString('utf8');
}

function num(buf, off, len) {
  // GNU base-256 for large values: high bit of the first byte set.
  if (buf[off] & 0x80) {
    let v = 0n;
    for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(i === 0 ? buf[off] & 0x7f : buf[off + i]);
    return Number(v);
  }
  const s = str(buf, off, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function parsePax(data) {
  const out = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(data.subarray(i, sp).toString('ascii'), 10);
    if (!len) break;
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

const TYPES = { '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo' };

/** `/a/b` for `./a/b/`, `a/b`, `/a/b`. */
export function normalizeTarPath(p) {
  let s = p;
  while (s.startsWith('./')) s = s.slice(2);
  s = s.replace(/^\/+/, '').replace(/\/+$/, '');
  return `/${s}`;
}

/**
 * The entries of a tar archive: { path, type, mode, uid, gid, linkname, size, sha256, major, minor }.
 * `path` is normalized to `/a/b`; `mode` keeps the permission and special bits.
 */
export function readTar(buf) {
  const entries = [];
  let off = 0;
  let pax = {};
  let longName;
  let longLink;
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    const size = num(h, 124, 12);
    const flag = String.fromCharCode(h[156]);
    const dataStart = off + BLOCK;
    const data = buf.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'x') {
      pax = { ...pax, ...parsePax(data) };
      continue;
    }
    if (flag === 'g') continue;
    if (flag === 'L') {
      longName = str(data, 0, data.length);
      continue;
    }
    if (flag === 'K') {
      longLink = str(data, 0, data.length);
      continue;
    }
    const prefix = str(h, 345, 155);
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
    const type = TYPES[flag] ?? `other(${JSON.stringify(flag)})`;
    entries.push({
      path: normalizeTarPath(name),
      type,
      mode: num(h, 100, 8) & 0o7777,
      uid: pax.uid !== undefined ? Number(pax.uid) : num(h, 108, 8),
      gid: pax.gid !== undefined ? Number(pax.gid) : num(h, 116, 8),
      linkname: pax.linkpath ?? longLink ?? str(h, 157, 100),
      size: pax.size !== undefined ? Number(pax.size) : size,
      sha256: type === 'file' ? createHash('sha256').update(data).digest('hex') : '',
      major: num(h, 329, 8),
      minor: num(h, 337, 8),
    });
    pax = {};
    longName = undefined;
    longLink = undefined;
  }
  return entries;
}

/**
 * The filesystem a tar archive holds, as path → a one-line description of what matters for
 * comparing two builds: type, mode, owner, symlink target or device numbers, content digest (mtimes
 * are left out). A hard link reads as a regular file with its target's content.
 */
export function tarTree(buf) {
  const entries = readTar(buf);
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const out = new Map();
  for (const e of entries) {
    if (e.path === '/') continue;
    let { type, sha256 } = e;
    let detail = '';
    if (type === 'hardlink') {
      const target = byPath.get(normalizeTarPath(e.linkname));
      type = 'file';
      sha256 = target?.sha256 ?? `missing hard link target ${e.linkname}`;
    }
    if (type === 'symlink') detail = ` -> ${e.linkname}`;
    if (type === 'char' || type === 'block') detail = ` ${e.major}:${e.minor}`;
    const content = type === 'file' ? ` sha256:${sha256.slice(0, 16)}` : '';
    out.set(e.path, `${type} ${e.mode.toString(8).padStart(4, '0')} ${e.uid}:${e.gid}${detail}${content}`);
  }
  return out;
}

/** The differences between two trees (path → description), as lines; empty when equal. */
export function compareTrees(a, b, names = ['frontend', 'ours']) {
  const diffs = [];
  for (const p of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(p);
    const y = b.get(p);
    if (x === y) continue;
    if (y === undefined) diffs.push(`only in ${names[0]}: ${p} (${x})`);
    else if (x === undefined) diffs.push(`only in ${names[1]}: ${p} (${y})`);
    else diffs.push(`differs: ${p}\n    ${names[0]}: ${x}\n    ${names[1]}: ${y}`);
  }
  return diffs;
}

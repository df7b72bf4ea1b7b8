/**
 * Reading a build context from disk for the rebuild analysis ({@link predictRebuild}): its
 * entries (to resolve symlinks), the changes between two copies of it, and the changes a list of
 * paths stands for.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { type ContextChange, type ContextEntry, type ContextTree, skippedDirectories } from '../index.js';

/** One entry of a context on disk: its kind, and what the checksums and the diff compare. */
interface DiskEntry extends ContextEntry {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtimeMs: number;
}

function entryOf(path: string, st: Stats): DiskEntry {
  const common = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size, mtimeMs: st.mtimeMs };
  if (st.isSymbolicLink()) return { type: 'symlink', target: readlinkSync(path), ...common };
  if (st.isDirectory()) return { type: 'dir', ...common };
  return { type: 'file', ...common };
}

/**
 * The entries of a context directory by slash path (`src/a.txt`), without the directories that
 * the exclude patterns drop whole (no `!` pattern can bring anything in them back).
 */
function walk(dir: string, excludePatterns: readonly string[] | undefined): Map<string, DiskEntry> {
  const out = new Map<string, DiskEntry>();
  const skipped = skippedDirectories(excludePatterns ?? []);
  const visit = (abs: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(abs).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const childAbs = join(abs, name);
      const childRel = rel ? `${rel}/${name}` : name;
      let st: Stats;
      try {
        st = lstatSync(childAbs);
      } catch {
        continue;
      }
      const e = entryOf(childAbs, st);
      if (e.type === 'dir' && skipped(childRel)) continue;
      out.set(childRel, e);
      if (e.type === 'dir') visit(childAbs, childRel);
    }
  };
  visit(dir, '');
  return out;
}

/** The entries of a build context directory, for {@link predictRebuild}'s `tree` option. */
export function readContextTree(dir: string, excludePatterns?: readonly string[]): ContextTree {
  return walk(dir, excludePatterns);
}

function sameContent(a: string, b: string): boolean {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}

/**
 * The changes from `oldDir` to `newDir`, two copies of a build context: content, mode, symlink
 * target, added and deleted entries, and changes of only the modification time or the owner
 * (which BuildKit does not see, reported so that the analysis can say so).
 */
export function compareContexts(oldDir: string, newDir: string, excludePatterns?: readonly string[]): ContextChange[] {
  const before = walk(oldDir, excludePatterns);
  const after = walk(newDir, excludePatterns);
  const changes: ContextChange[] = [];
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const p of paths) {
    const a = before.get(p);
    const b = after.get(p);
    if (!a) {
      changes.push({ path: p, kind: 'added', type: b!.type });
      continue;
    }
    if (!b) {
      changes.push({ path: p, kind: 'deleted', type: a.type });
      continue;
    }
    if (a.type !== b.type) {
      changes.push({ path: p, kind: 'deleted', type: a.type }, { path: p, kind: 'added', type: b.type });
      continue;
    }
    if (b.type === 'symlink') {
      if (a.target !== b.target) changes.push({ path: p, kind: 'symlink', type: 'symlink' });
      continue;
    }
    if (b.type === 'file' && (a.size !== b.size || !sameContent(join(oldDir, p), join(newDir, p)))) changes.push({ path: p, kind: 'modified', type: 'file' });
    else if (a.mode !== b.mode) changes.push({ path: p, kind: 'mode', type: b.type });
    else if (a.uid !== b.uid || a.gid !== b.gid) changes.push({ path: p, kind: 'owner', type: b.type });
    else if (b.type === 'file' && a.mtimeMs !== b.mtimeMs) changes.push({ path: p, kind: 'mtime', type: 'file' });
  }
  return changes;
}

/**
 * The changes that a list of paths of the context stands for, as a user names them
 * (`--changed src/app.ts`): a path that exists changed (a directory: everything in it); a path
 * that does not exist was deleted. Paths are relative to the context directory, or absolute
 * inside it.
 *
 * @throws Error for a path outside the context
 */
export function changesForPaths(contextDir: string, paths: readonly string[], tree: ContextTree): ContextChange[] {
  const root = resolve(contextDir);
  const out: ContextChange[] = [];
  for (const given of paths) {
    const abs = resolve(root, given);
    const rel = relative(root, abs).split(sep).join('/');
    if (rel === '' || rel === '..' || rel.startsWith('../')) throw new Error(`${given} is not a path inside the build context ${contextDir}`);
    const e = tree.get(rel);
    if (!e) {
      out.push({ path: rel, kind: 'deleted' });
      continue;
    }
    if (e.type !== 'dir') {
      out.push({ path: rel, kind: 'modified', type: e.type });
      continue;
    }
    out.push({ path: rel, kind: 'added', type: 'dir' });
    for (const [p, c] of tree) if (p.startsWith(`${rel}/`)) out.push({ path: p, kind: c.type === 'dir' ? 'added' : 'modified', type: c.type });
  }
  return out;
}

/**
 * The e2e comparison of exported filesystems (scripts/lib/tar.mjs) on archives written by GNU tar
 * in the formats buildctl's exporter uses (PAX and GNU long names): every attribute it compares
 * must be read, and a difference in any of them must be reported.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, linkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTrees, readTar, tarTree } from '../../scripts/lib/tar.mjs';

function tree(files: (dir: string) => void, extra: string[] = [], format = 'pax'): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'dfllb-tar-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  files(root);
  const out = join(dir, 'out.tar');
  execFileSync('tar', ['--format', format, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', ...extra, '-C', root, '-cf', out, '.']);
  return readFileSync(out);
}

const base = (root: string) => {
  writeFileSync(join(root, 'file.txt'), 'content\n');
  chmodSync(join(root, 'file.txt'), 0o640);
  mkdirSync(join(root, 'dir'));
  chmodSync(join(root, 'dir'), 0o750);
  symlinkSync('file.txt', join(root, 'link'));
  linkSync(join(root, 'file.txt'), join(root, 'hard'));
  const long = join(root, 'a'.repeat(60), 'b'.repeat(60));
  mkdirSync(long, { recursive: true });
  writeFileSync(join(long, 'c'.repeat(80)), 'deep\n');
};

describe('tar trees', () => {
  it('reads types, modes, owners, symlink targets, hard links and long names', () => {
    for (const format of ['pax', 'gnu']) {
      const t = tarTree(tree(base, [], format));
      expect(t.get('/file.txt')).toMatch(/^file 0640 0:0 sha256:[0-9a-f]{16}$/);
      expect(t.get('/dir')).toBe('dir 0750 0:0');
      expect(t.get('/link')).toBe('symlink 0777 0:0 -> file.txt');
      // A hard link reads as the file it links to.
      expect(t.get('/hard')).toBe(t.get('/file.txt'));
      expect(t.get(`/${'a'.repeat(60)}/${'b'.repeat(60)}/${'c'.repeat(80)}`)).toMatch(/^file /);
      expect(readTar(tree(base, [], format)).some((e) => e.type === 'hardlink')).toBe(true);
    }
  });

  it('reports a difference in content, mode, owner, symlink target or presence', () => {
    const a = tarTree(tree(base));
    expect(compareTrees(a, tarTree(tree(base)))).toEqual([]);
    const variants: [string, (root: string) => void, string[]][] = [
      ['content', (r) => (base(r), writeFileSync(join(r, 'file.txt'), 'other\n')), []],
      ['mode', (r) => (base(r), chmodSync(join(r, 'dir'), 0o755)), []],
      ['owner', base, ['--owner=7', '--group=8']],
      ['symlink', (r) => (base(r), execFileSync('ln', ['-sfn', 'elsewhere', join(r, 'link')])), []],
      ['extra path', (r) => (base(r), writeFileSync(join(r, 'new'), '')), []],
    ];
    for (const [what, files, extra] of variants) {
      const b = tarTree(tree(files, extra.length ? extra : []));
      expect(compareTrees(a, b).length, what).toBeGreaterThan(0);
    }
  });
});

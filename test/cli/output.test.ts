/**
 * Output files: written atomically (a temporary file beside the target, then a rename), all or
 * nothing when a command writes two, and file-system failures reported as user errors (exit 1,
 * a plain message), never as internal ones. The full-disk cases run on a small tmpfs when this
 * machine lets us mount one (root on Linux), and say so when it does not.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitFiles, OutputError, stageFile, writeFileAtomic } from '../../src/cli/io';
import { readDefinition } from '../../src/llb/definition';
import { binPath, repoRoot, runCli } from '../helpers/cli';

const HELLO = join(repoRoot, 'examples/hello');
const IMAGES = join(repoRoot, 'examples/images.json');
const compileArgs = [HELLO, '--images', IMAGES];

const work = mkdtempSync(join(tmpdir(), 'dfllb-output-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Names in `dir` that look like our temporary files. */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.tmp'));
}

describe('output paths a new user might get wrong', () => {
  it('-o into a missing directory: exit 1, a plain message', async () => {
    const r = await runCli([...compileArgs, '-o', '/nonexistent/x.pb']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('dockerfile-llb: cannot write /nonexistent/x.pb: no such file or directory\n');
  });

  it('-o naming a directory writes one file per platform into it', async () => {
    const dir = mkdtempSync(join(work, 'dir-'));
    const r = await runCli([...compileArgs, '-o', '.'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['linux-amd64.pb']);
  });

  it('several platforms: every file or none', async () => {
    const dir = mkdtempSync(join(work, 'multi-'));
    const file = join(work, 'not-a-dir');
    writeFileSync(file, 'x');
    const r = await runCli([...compileArgs, '--platform', 'linux/amd64,linux/arm64', '-o', dir, '--image-config', join(file, 'configs')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`dockerfile-llb: cannot write ${join(file, 'configs')}: a component of the path is not a directory\n`);
    expect(readdirSync(dir)).toEqual([]);
    const ok = await runCli([...compileArgs, '--platform', 'linux/amd64,linux/arm64', '-o', dir, '--image-config', dir]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['linux-amd64.json', 'linux-amd64.pb', 'linux-arm64.json', 'linux-arm64.pb']);
  });

  it('--image-config into a missing directory writes nothing at all', async () => {
    const pb = join(work, 'first.pb');
    const r = await runCli([...compileArgs, '-o', pb, '--image-config', '/nonexistent/c.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('dockerfile-llb: cannot write /nonexistent/c.json: no such file or directory\n');
    expect(existsSync(pb)).toBe(false);
    expect(leftovers(work)).toEqual([]);
  });

  it('-o through a path whose parent is a file: exit 1', async () => {
    const file = join(work, 'plain-file');
    writeFileSync(file, 'x');
    const r = await runCli([...compileArgs, '-o', join(file, 'x.pb')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`dockerfile-llb: cannot write ${join(file, 'x.pb')}: a component of the path is not a directory\n`);
  });

  it('other commands resolve -o against the directory they run in and write atomically too', async () => {
    const dir = mkdtempSync(join(work, 'cwd-'));
    const r = await runCli(['config', ...compileArgs, '-o', 'config.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).os).toBe('linux');
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('atomic replacement', () => {
  it('replaces a previous output whole, keeping its permissions', async () => {
    const pb = join(work, 'mode.pb');
    writeFileSync(pb, 'old');
    chmodSync(pb, 0o640);
    const r = await runCli([...compileArgs, '-o', pb, '--image-config', join(work, 'mode.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readDefinition(new Uint8Array(readFileSync(pb))).def.length).toBeGreaterThan(1);
    expect(statSync(pb).mode & 0o777).toBe(0o640);
    expect(JSON.parse(readFileSync(join(work, 'mode.json'), 'utf8')).os).toBe('linux');
    expect(leftovers(work)).toEqual([]);
  });

  it('writes through a symbolic link to the file it names, keeping the link', () => {
    const real = join(work, 'real.txt');
    const link = join(work, 'link.txt');
    writeFileSync(real, 'old');
    symlinkSync(real, link);
    writeFileAtomic(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('new');
  });

  it('writes to a device in place instead of replacing it', async () => {
    const r = await runCli([...compileArgs, '-o', '/dev/null']);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a failed commit discards the files after it; staged files leave no trace', () => {
    const dir = mkdtempSync(join(work, 'staged-'));
    const a = stageFile(join(dir, 'a'), 'A');
    const b = stageFile(join(dir, 'b'), 'B');
    expect(existsSync(join(dir, 'a'))).toBe(false);
    expect(leftovers(dir)).toHaveLength(2);
    // The target of `a` becomes a directory after staging: its rename fails, `b` is discarded.
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'keep'), '');
    expect(() => commitFiles([a, b])).toThrow(OutputError);
    expect(existsSync(join(dir, 'b'))).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });
});

/** Mounts a tmpfs of `kib` KiB (and options) on a new directory, or says why it cannot. */
function mountTmpfs(kib: number, extra = ''): { dir: string; unmount(): void } | string {
  if (process.platform !== 'linux') return `${process.platform} has no tmpfs`;
  const dir = mkdtempSync(join(work, 'tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k${extra}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot mount a tmpfs here (${(r.stderr || r.error?.message || 'mount failed').trim()})`;
  return { dir, unmount: () => spawnSync('umount', [dir]) };
}

/** Fills the file system holding `dir` to the last byte (tmpfs allocates whole pages). */
function fillDisk(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'w');
  try {
    for (let chunk = 1 << 20; chunk >= 1; ) {
      try {
        writeSync(fd, Buffer.alloc(chunk));
      } catch {
        chunk >>= 1;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs the binary with stdout redirected to `file` by the shell, as `dockerfile-llb … > file`. */
function runToFile(args: readonly string[], file: string): { status: number | null; stderr: string } {
  const res = spawnSync('sh', ['-c', 'out="$1"; shift; exec "$@" > "$out"', 'sh', file, process.execPath, binPath, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DEBUG: '' },
  });
  return { status: res.status, stderr: res.stderr };
}

describe('a full or read-only file system', () => {
  const probe = mountTmpfs(16);
  const why = typeof probe === 'string' ? probe : undefined;
  if (typeof probe !== 'string') probe.unmount();
  if (why) console.log(`skipping the tmpfs cases: ${why}`);
  const mounted = (kib: number, extra = '') => mountTmpfs(kib, extra) as Exclude<ReturnType<typeof mountTmpfs>, string>;

  it.skipIf(why !== undefined)('on a full disk, -o fails with exit 1 and the previous files stay whole', async () => {
    const fs = mounted(64);
    try {
      const pb = join(fs.dir, 'out.pb');
      const config = join(fs.dir, 'config.json');
      const first = await runCli([...compileArgs, '-o', pb, '--image-config', config]);
      expect(first.code, first.stderr).toBe(0);
      const before = readFileSync(pb);
      const configBefore = readFileSync(config);
      fillDisk(fs.dir);
      const r = await runCli([...compileArgs, '--platform', 'linux/arm64', '-o', pb, '--image-config', config]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^dockerfile-llb: cannot write \S+: no space left on device\n$/);
      expect(readFileSync(pb)).toEqual(before);
      expect(readFileSync(config)).toEqual(configBefore);
      expect(leftovers(fs.dir)).toEqual([]);
    } finally {
      fs.unmount();
    }
  });

  it.skipIf(why !== undefined)('standard output redirected to a full disk: exit 1, not a silent short write', () => {
    const fs = mounted(16);
    try {
      fillDisk(fs.dir);
      const r = runToFile(compileArgs, join(fs.dir, 'stdout.pb'));
      expect(r.stderr).toBe('dockerfile-llb: cannot write standard output: no space left on device\n');
      expect(r.status).toBe(1);
    } finally {
      fs.unmount();
    }
  });

  it.skipIf(why !== undefined)('on a read-only file system, exit 1 with a plain message', async () => {
    const fs = mounted(16, ',ro');
    try {
      const r = await runCli([...compileArgs, '-o', join(fs.dir, 'x.pb')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`dockerfile-llb: cannot write ${join(fs.dir, 'x.pb')}: read-only file system\n`);
    } finally {
      fs.unmount();
    }
  });
});

describe('permissions', () => {
  // Root ignores file permissions: run the binary as nobody (65534) then, which root may do.
  const root = process.getuid?.() === 0;
  it.skipIf(process.platform === 'win32')('a directory we may not write to: exit 1', () => {
    const dir = mkdtempSync(join(work, 'locked-'));
    chmodSync(work, 0o755);
    chmodSync(dir, 0o555);
    try {
      const target = join(dir, 'x.pb');
      const r = spawnSync(process.execPath, [binPath, ...compileArgs, '-o', target], {
        encoding: 'utf8',
        env: { ...process.env, DEBUG: '' },
        ...(root ? { uid: 65534, gid: 65534 } : {}),
      });
      expect(r.stderr).toBe(`dockerfile-llb: cannot write ${target}: permission denied\n`);
      expect(r.status).toBe(1);
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});

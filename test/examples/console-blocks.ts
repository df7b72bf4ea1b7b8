/**
 * The ```console blocks of the documentation: each `$ command` line, run by `sh` from the
 * repository root with `dockerfile-llb` on the PATH, must print exactly the lines after it.
 * ```sh blocks are shown, not run (they need buildctl, a registry or a network).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binPath, repoRoot } from '../helpers/cli';

export interface ConsoleCommand {
  readonly file: string;
  /** 1-based line of the `$ ` line. */
  readonly line: number;
  readonly command: string;
  readonly expected: string;
}

/** The commands of every ```console block of `file`, with the output each should print. */
export function consoleCommands(file: string): ConsoleCommand[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: ConsoleCommand[] = [];
  let inBlock = false;
  let current: { line: number; command: string; expected: string[] } | undefined;
  const flush = () => {
    if (current) out.push({ file, line: current.line, command: current.command, expected: current.expected.map((l) => `${l}\n`).join('') });
    current = undefined;
  };
  lines.forEach((text, i) => {
    if (!inBlock) {
      if (text.trim() === '```console') inBlock = true;
      return;
    }
    if (text.trim() === '```') {
      flush();
      inBlock = false;
      return;
    }
    if (text.startsWith('$ ')) {
      flush();
      current = { line: i + 1, command: text.slice(2), expected: [] };
    } else if (current) {
      // A command continued with a trailing backslash.
      if (current.expected.length === 0 && current.command.endsWith('\\')) current.command += `\n${text}`;
      else current.expected.push(text);
    }
  });
  return out;
}

let shimDir: string | undefined;

/** A directory with a `dockerfile-llb` that runs this repository's binary. */
function shim(): string {
  if (!shimDir) {
    shimDir = mkdtempSync(join(tmpdir(), 'dfllb-shim-'));
    const script = join(shimDir, 'dockerfile-llb');
    writeFileSync(script, `#!/bin/sh\nexec "${process.execPath}" "${binPath}" "$@"\n`);
    chmodSync(script, 0o755);
  }
  return shimDir;
}

/** Runs a documented command as a reader would; stdout and stderr together, as a terminal shows them. */
export function runConsoleCommand(command: string): { output: string; status: number } {
  const r = spawnSync('sh', ['-c', `exec 2>&1\n${command}`], {
    cwd: repoRoot,
    env: { ...process.env, PATH: `${shim()}:${process.env.PATH}`, DEBUG: '' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { output: r.stdout, status: r.status ?? -1 };
}

/**
 * Rewrites the expected output of every console command of `file` with what it prints now
 * (UPDATE_DOCS=1 npx vitest run test/examples).
 */
export function updateConsoleBlocks(file: string): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  const result: string[] = [];
  let inBlock = false;
  let skipping = false;
  let pending = '';
  for (const text of lines) {
    if (!inBlock) {
      result.push(text);
      if (text.trim() === '```console') inBlock = true;
      continue;
    }
    if (text.trim() === '```' || text.startsWith('$ ')) {
      if (pending) {
        const { output } = runConsoleCommand(pending);
        if (output !== '') result.push(...output.replace(/\n$/, '').split('\n'));
        pending = '';
      }
      skipping = false;
      if (text.trim() === '```') {
        inBlock = false;
        result.push(text);
        continue;
      }
      result.push(text);
      pending = text.slice(2);
      if (pending.endsWith('\\')) skipping = false;
      continue;
    }
    if (pending.endsWith('\\') && !skipping) {
      // Continuation lines of the command itself.
      result.push(text);
      pending += `\n${text}`;
      continue;
    }
    skipping = true;
  }
  writeFileSync(file, result.join('\n'));
}

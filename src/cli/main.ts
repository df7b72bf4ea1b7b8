/**
 * The dockerfile-llb command line. `main` returns the exit code: 0 ok, 1 bad input (a Dockerfile
 * or Definition error, a missing file), 2 bad usage.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatFlags, parseArgs, UsageError } from './args.js';
import type { Command, CommandContext } from './command.js';
import { checkCommand } from './commands/check.js';
import { compileCommand, configCommand } from './commands/compile.js';
import { dumpCommand } from './commands/dump.js';
import { diffCommand } from './commands/diff.js';
import { explainCommand } from './commands/explain.js';
import { lockCommand } from './commands/lock.js';
import { outlineCommand } from './commands/outline.js';
import { describeError, EXIT_OK } from './errors.js';
import { FdWriter } from './io.js';
import { tuneHeapFor } from './heap.js';
import { VERSION } from '../version.js';
import { suggest } from '../util/suggest.js';
import { useNodeSha256 } from '../node/sha256.js';

/** Every subcommand, one per line (the first is the default). */
export const commands: readonly Command[] = [
  compileCommand,
  configCommand,
  lockCommand,
  dumpCommand,
  outlineCommand,
  checkCommand,
  diffCommand,
  explainCommand,
];

function commandHelp(c: Command): string {
  return `${c.summary}\n\nUsage:\n  ${c.usage}\n\nFlags:\n${formatFlags([...c.flags, { name: 'help', short: 'h', type: 'boolean', description: 'Show this help' }])}\n${c.details ? `\n${c.details}\n` : ''}`;
}

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'dockerfile-llb compiles Dockerfiles into BuildKit LLB, byte-identical to BuildKit\'s own frontend.',
    '',
    'Usage:',
    '  dockerfile-llb [compile] [PATH] [-f DOCKERFILE] [FLAGS]',
    '  dockerfile-llb COMMAND [FLAGS] [ARGS]',
    '',
    'Without a command, dockerfile-llb compiles: PATH is the build context (default .), the',
    'Dockerfile is PATH/Dockerfile unless -f names another, and the LLB goes to stdout:',
    '  dockerfile-llb -f Dockerfile . | buildctl build --local context=. --output type=image,name=example',
    '(A context directory named like a command needs a path: dockerfile-llb ./dump)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Flags:',
    '  -h, --help     Show help (also `dockerfile-llb COMMAND --help`)',
    '  -v, --version  Print the version',
    '',
    'Exit codes: 0 ok, 1 bad input (a Dockerfile error, a missing file), 2 bad usage,',
    '70 an internal error (a bug: please report it; DEBUG=1 adds the stack trace).',
    '',
  ].join('\n');
}

export interface MainOptions {
  readonly stdout?: CommandContext['stdout'];
  readonly stderr?: CommandContext['stderr'];
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  /**
   * main runs as the process (bin/dockerfile-llb.cjs): it may set process-wide V8 flags for a
   * large input (see heap.ts). Not for main called inside another program.
   */
  readonly process?: boolean;
}

export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  useNodeSha256();
  // Work still pending when the command ends (a stage's registry hanging while another stage's
  // image was not found) is cancelled, so the process exits at once. Made when a command first
  // asks for the signal (the registry client does): Node loads its event-target modules for it.
  let done: AbortController | undefined;
  const ctx: CommandContext = {
    // The process's own, without Node's streams (see FdWriter). A reader that goes away
    // (`dockerfile-llb dump x | head -1`, or buildctl failing first) is not worth a stack trace:
    // stop quietly, with exit code 1; a closed stderr just loses the text.
    stdout: options.stdout ?? new FdWriter(1, () => process.exit(1)),
    stderr: options.stderr ?? new FdWriter(2, () => undefined),
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    ...(options.process ? { sizeHint: tuneHeapFor } : {}),
    get signal() {
      done ??= new AbortController();
      return done.signal;
    },
  };
  try {
    const [first, ...tail] = argv;
    if (first === '-h' || first === '--help' || first === 'help') {
      if (first === 'help' && tail[0]) {
        const c = commands.find((x) => x.name === tail[0]);
        if (!c) throw new UsageError(`unknown command "${tail[0]}"${suggestCommand(tail[0])}`);
        ctx.stdout.write(commandHelp(c));
        return EXIT_OK;
      }
      ctx.stdout.write(mainHelp());
      return EXIT_OK;
    }
    if (first === '-v' || first === '--version' || first === 'version') {
      ctx.stdout.write(`dockerfile-llb ${VERSION}\n`);
      return EXIT_OK;
    }
    // No command (nothing, flags, or a PATH first) means compile, like `docker build [PATH]`.
    let command = commands.find((c) => c.name === first);
    let rest: readonly string[] = tail;
    if (!command) {
      if (first !== undefined && !first.startsWith('-') && !existsSync(resolve(ctx.cwd, first))) {
        const hint = suggestCommand(first);
        if (hint) throw new UsageError(`unknown command "${first}"${hint}`);
      }
      command = commands[0];
      rest = argv;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      ctx.stdout.write(commandHelp(command));
      return EXIT_OK;
    }
    return await command.run(ctx, parseArgs(rest, command.flags));
  } catch (err) {
    const { text, code } = describeError(err, ctx.source, Boolean(ctx.env.DEBUG));
    ctx.stderr.write(text);
    return code;
  } finally {
    done?.abort(new Error('the command has ended'));
  }
}

/** ` (did you mean X?)` when `word` is close to a command name, else ''. */
function suggestCommand(word: string): string {
  const close = suggest(word, commands.map((c) => c.name), true);
  return close ? ` (did you mean ${close}?)` : '';
}

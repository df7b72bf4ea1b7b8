/**
 * The dockerfile-llb command line. `main` returns the exit code: 0 ok, 1 bad input (a Dockerfile
 * or Definition error, a missing file), 2 bad usage.
 */
import { formatFlags, parseArgs, UsageError } from './args.js';
import type { Command, CommandContext } from './command.js';
import { compileCommand, configCommand } from './commands/compile.js';
import { dumpCommand } from './commands/dump.js';
import { diffCommand } from './commands/diff.js';
import { explainCommand } from './commands/explain.js';
import { lockCommand } from './commands/lock.js';
import { describeError, EXIT_OK } from './errors.js';
import { VERSION } from '../version.js';

export const commands: readonly Command[] = [compileCommand, configCommand, lockCommand, dumpCommand, diffCommand, explainCommand];

function commandHelp(c: Command): string {
  return `${c.summary}\n\nUsage:\n  ${c.usage}\n\nFlags:\n${formatFlags([...c.flags, { name: 'help', short: 'h', type: 'boolean', description: 'Show this help' }])}\n${c.details ? `\n${c.details}\n` : ''}`;
}

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'dockerfile-llb compiles Dockerfiles into BuildKit LLB, byte-identical to BuildKit\'s own frontend.',
    '',
    'Usage:',
    '  dockerfile-llb COMMAND [FLAGS] [ARGS]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Flags:',
    '  -h, --help     Show help (also `dockerfile-llb COMMAND --help`)',
    '  -v, --version  Print the version',
    '',
  ].join('\n');
}

export interface MainOptions {
  readonly stdout?: CommandContext['stdout'];
  readonly stderr?: CommandContext['stderr'];
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
}

export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const ctx: CommandContext = {
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
  };
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      if (first === 'help' && rest[0]) {
        const c = commands.find((x) => x.name === rest[0]);
        if (!c) throw new UsageError(`unknown command "${rest[0]}"`);
        ctx.stdout.write(commandHelp(c));
        return EXIT_OK;
      }
      ctx.stdout.write(mainHelp());
      return first === undefined ? 2 : EXIT_OK;
    }
    if (first === '-v' || first === '--version' || first === 'version') {
      ctx.stdout.write(`dockerfile-llb ${VERSION}\n`);
      return EXIT_OK;
    }
    const command = commands.find((c) => c.name === first);
    if (!command) throw new UsageError(`unknown command "${first}"`);
    if (rest.includes('--help') || rest.includes('-h')) {
      ctx.stdout.write(commandHelp(command));
      return EXIT_OK;
    }
    return await command.run(ctx, parseArgs(rest, command.flags));
  } catch (err) {
    const { text, code } = describeError(err, ctx.source, Boolean(ctx.env.DEBUG));
    ctx.stderr.write(text);
    return code;
  }
}

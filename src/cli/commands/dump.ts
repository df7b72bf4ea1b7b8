import { readDefinition } from '../../llb/definition.js';
import { definitionToDot, dumpDefinition } from '../../llb/dump.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { readInput, writeText } from '../io.js';

export const dumpCommand: Command = {
  name: 'dump',
  summary: 'Print the ops of a Definition like `buildctl debug dump-llb`',
  usage: 'dockerfile-llb dump [FILE|-] [--dot] [-o OUT]',
  flags: [
    { name: 'dot', type: 'boolean', description: 'Print a Graphviz DOT graph instead of JSON lines' },
    { name: 'output', short: 'o', type: 'string', metavar: 'FILE', description: 'Write to FILE instead of stdout' },
  ],
  details: 'FILE is a serialized LLB Definition (what `dockerfile-llb compile` writes); `-` or no FILE reads stdin.',
  async run(ctx, args) {
    if (args.positionals.length > 1) throw new UsageError('dump takes at most one FILE');
    const def = readDefinition(readInput(args.positionals[0] ?? '-'));
    const text = args.flags.dot
      ? definitionToDot(def)
      : dumpDefinition(def)
          .map((e) => `${JSON.stringify(e)}\n`)
          .join('');
    writeText(ctx, text, args.flags.output as string | undefined);
    return 0;
  },
};

import { resolve } from 'node:path';
import { definitionToDot, dumpDefinition } from '../../llb/dump.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { readDefinitionFrom } from '../definition-input.js';
import { readInput, writeText } from '../io.js';
import { buildFlags, compileFromArgs, requestFlags, requireOnePlatform } from './compile.js';

export const dumpCommand: Command = {
  name: 'dump',
  summary: 'Print the ops of a Definition like `buildctl debug dump-llb`',
  usage: 'dockerfile-llb dump [FILE|-] [--dot] [-o OUT]\n  dockerfile-llb dump -f DOCKERFILE [PATH] [build flags] [--dot] [-o OUT]',
  flags: [
    { name: 'dot', type: 'boolean', description: 'Print a Graphviz DOT graph instead of JSON lines' },
    { name: 'output', short: 'o', type: 'string', metavar: 'FILE', description: 'Write to FILE instead of stdout' },
    ...buildFlags.map((f) => (f.name === 'file' ? { ...f, description: 'Compile this Dockerfile first (- reads stdin); PATH is then the context' } : f)),
    ...requestFlags,
  ],
  details: [
    'FILE is a serialized LLB Definition (what `dockerfile-llb compile` writes); `-` or no FILE reads',
    'stdin. With -f, the Dockerfile is compiled first, with the same flags as `compile`.',
    'Each line is one op, in Definition order: {"Op": …, "Digest": …, "OpMetadata": …}.',
    'Render the graph: dockerfile-llb dump -f Dockerfile --dot | dot -Tsvg > graph.svg',
  ].join('\n'),
  async run(ctx, args) {
    let def;
    if (args.flags.file !== undefined) {
      requireOnePlatform(args.flags.platform as string | undefined, 'dump');
      def = (await compileFromArgs(ctx, args)).definition;
    } else {
      const compileOnly = [...buildFlags, ...requestFlags].map((f) => f.name).filter((k) => k !== 'file' && args.flags[k] !== undefined);
      if (compileOnly.length) throw new UsageError(`--${compileOnly[0]} needs -f DOCKERFILE (dump compiles only with -f)`);
      if (args.positionals.length > 1) throw new UsageError('dump takes at most one FILE');
      const file = args.positionals[0] ?? '-';
      const bytes = await readInput(file === '-' ? '-' : resolve(ctx.cwd, file), file);
      def = readDefinitionFrom(bytes, file, (f) => `compile it first with -f: dockerfile-llb dump -f ${f === '-' ? '-' : f}`);
    }
    const text = args.flags.dot
      ? definitionToDot(def)
      : dumpDefinition(def)
          .map((e) => `${JSON.stringify(e)}\n`)
          .join('');
    writeText(ctx, text, args.flags.output as string | undefined);
    return 0;
  },
};

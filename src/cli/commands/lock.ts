import { serializeImageMetadata } from '../../image/metadata.js';
import { RecordingResolver } from '../../lock.js';
import type { Command } from '../command.js';
import { writeText } from '../io.js';
import { buildFlags, compilePlatformsFromArgs, requestFlags, resolverFromArgs } from './compile.js';

export const lockCommand: Command = {
  name: 'lock',
  summary: 'Resolve every image a build uses and print the images.json that `compile --images` reads',
  usage: 'dockerfile-llb lock [PATH] [-f DOCKERFILE] [--target T] [--build-arg K=V]... [--platform P[,P...]] [-o images.json]',
  flags: [...buildFlags, ...requestFlags, { name: 'output', short: 'o', type: 'string', metavar: 'FILE', description: 'Write to FILE instead of stdout' }],
  details: [
    'The build is compiled as `compile` would with the same flags, and every image it resolves',
    '(FROM, COPY --from, RUN --mount=from, ONBUILD, for the platforms it needs them) is written',
    'with its digest and config. Compiling with `--images` that file then gives the same bytes',
    'without touching the network:',
    '  dockerfile-llb lock --platform linux/arm64 > images.json',
    '  dockerfile-llb compile --platform linux/arm64 --images images.json > build.pb',
    'With --images, lock keeps only the entries of that file the build uses. Several platforms',
    '(--platform linux/amd64,linux/arm64) lock what each of them uses, in one file.',
    'lock writes only verified entries: a pinned image (name@sha256:…) that resolves to another',
    'digest (possible only from --images with --images-unverified-pins) fails the lock.',
  ].join('\n'),
  async run(ctx, args) {
    const recorder = new RecordingResolver(await resolverFromArgs(ctx, args));
    await compilePlatformsFromArgs(ctx, args, recorder);
    const text = serializeImageMetadata(await recorder.metadata());
    const out = args.flags.output as string | undefined;
    writeText(ctx, text, out);
    return 0;
  },
};

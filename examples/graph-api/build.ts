/**
 * Builds LLB by hand with the graph API, without a Dockerfile: an Alpine image with curl, a
 * config file written by a file op, and a static site copied from the build context, then
 * writes the Definition that `buildctl build` reads.
 *
 *   node examples/run-ts.mjs examples/graph-api/build.ts > site.llb      (or: ... -o site.llb)
 *   buildctl build --local context=examples/graph-api --output type=image,name=example/site < site.llb
 */
import { writeFileSync } from 'node:fs';
import { encodeGraph, file, image, local, mkdir, run, writeDefinition } from 'dockerfile-llb';

const platform = { os: 'linux', architecture: 'amd64' };

// FROM alpine:3.20, pinned by digest as the Dockerfile frontend pins it.
const alpine = image('docker.io/library/alpine:3.20@sha256:75be9c490b21b793193f47be0daf1e1ba283c3a002c8e84091e2c871cc49f219', {
  platform,
  customName: 'alpine',
})
  .addEnv('PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
  .platform(platform);

// RUN apk add --no-cache curl
const withCurl = run(alpine, {
  args: ['/bin/sh', '-c', 'apk add --no-cache curl'],
  customName: 'install curl',
}).root;

// The build context, limited to the site/ directory.
const context = local('context', { includePatterns: ['site/'], sharedKeyHint: 'context', customName: 'load site' });

// mkdir + mkfile + copy in one file op.
const site = file(
  withCurl,
  mkdir('/srv/www', 0o755, { makeParents: true })
    .mkfile('/etc/site.conf', 0o644, 'root=/srv/www\nport=8080\n')
    .copy(context, '/site/', '/srv/www/', { copyDirContentsOnly: true, createDestPath: true }),
  { customName: 'assemble the site' },
).dir('/srv/www');

const { definition } = encodeGraph({ root: site.output, sources: [] });
const bytes = writeDefinition(definition);

const out = process.argv.indexOf('-o');
if (out > 0) writeFileSync(process.argv[out + 1], bytes);
else if (process.stdout.isTTY) process.stderr.write('refusing to write binary to a terminal: pipe it or use -o FILE\n');
else process.stdout.write(bytes);

// The CLI as one script with a V8 code cache, for a fast start (run by `npm run build`, after tsup).
//
// Every run of `dockerfile-llb` used to spend more time loading and compiling our JavaScript than
// compiling the Dockerfile: Node parses four ES modules (half a megabyte), then compiles each
// function lazily the first time it runs. Node 22 can cache that work (module.enableCompileCache),
// Node 20 cannot for ES modules. A classic script compiled through node:vm can take V8's code
// cache on any supported Node, so this writes:
//
//   dist/cli.bundle.js                  the CLI (src/cli/main.ts) bundled into one CommonJS
//                                       function expression `(function (exports, require, module,
//                                       __filename, __dirname) {...})`, for vm.Script; ASCII
//                                       only, so the launcher reads it as latin1 (a one-byte
//                                       string: no UTF-8 decoding, half the memory of the
//                                       two-byte string one non-ASCII comment would make)
//   dist/cli.bundle.<v8>-<arch>.cache   V8's code cache of that script after one real run (a
//                                       compile of a small Dockerfile of the instructions most
//                                       use, on a base image), so the functions a small compile
//                                       needs are in it; named by the V8 version and CPU
//                                       architecture that made it, the only ones that accept it
//   dist/cli.bundle.<v8>-<arch>.large.cache
//                                       the same after compiles that take every common path (the
//                                       other examples, a generated multi-stage file): 100 KB
//                                       more, which costs a small compile more to read than the
//                                       few functions it needs, and saves a large one ~30 ms of
//                                       compiling functions on first call
//
// bin/dockerfile-llb.cjs loads the script with the cache when one for the running V8 exists (V8
// itself still checks the source and flags and ignores a cache that does not fit; the large one
// when -f names a large Dockerfile), without it otherwise, and falls back to dist/cli.js (the ES
// module the tests import) when the bundle is missing. dist/ is a build output: none of this is
// committed.
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { arch } from 'node:process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const bundlePath = join(dist, 'cli.bundle.js');

const out = await build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  tsconfig: join(root, 'tsconfig.node.json'),
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  plugins: [lazyNodeModule()],
});
// The launcher hands the bundle its own `require`: only Node's modules can be left outside.
for (const { imports } of Object.values(out.metafile.outputs)) {
  for (const i of imports) if (i.external && !i.path.startsWith('node:')) throw new Error(`build-cli: the bundle imports ${i.path}, not a node: module`);
}
// esbuild escapes strings and regular expressions to ASCII; comments keep their characters.
// Escapes (`\u2026`) mean the same in strings and regular expressions and are inert in comments.
const code = out.outputFiles[0].text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const source = `(function (exports, require, module, __filename, __dirname) {${code}\n})`;
writeFileSync(bundlePath, source);

// Old caches (another Node's) would only take space.
for (const f of readdirSync(dist)) if (/^cli\.bundle\..+\.cache$/.test(f)) rmSync(join(dist, f));

// Real compiles inside the script, so each cache holds the functions a compile runs (a function
// no warm-up ran is parsed and compiled when a run first calls it): the small cache after a
// small Dockerfile (FROM an image, WORKDIR, ENV, COPY, RUN, CMD: resolving a base image and its
// config is most of a small compile's code, which examples/hello, FROM scratch, never ran: its
// cache made golden 085-copy-basic cost ~2 ms more CPU), the large one after the examples (the
// instructions most Dockerfiles use) and a generated file of several stages that copy from one
// another (the paths only a multi-stage file takes).
const script = new Script(source, { filename: bundlePath });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(bundlePath), mod, bundlePath, dist);
const examples = join(root, 'examples');
const work = mkdtempSync(join(tmpdir(), 'dfllb-build-cli-'));
const small = join(work, 'small.Dockerfile');
writeFileSync(small, ['FROM alpine:3.20', 'WORKDIR /app', 'ENV PORT=8080', 'COPY . ./', 'RUN echo built > /built', 'CMD ["cat", "/built"]', ''].join('\n'));
const stages = join(work, 'Dockerfile');
writeFileSync(stages, warmUpStages(8));
const all = readdirSync(examples, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(examples, d.name, 'Dockerfile')))
  .map((d) => [join(examples, d.name)]);
const written = [];
try {
  await warmUp([[examples, '-f', small]]);
  written.push(writeCache(''));
  await warmUp([...all, [examples, '-f', stages]]);
  written.push(writeCache('.large'));
} finally {
  rmSync(work, { recursive: true, force: true });
}
const kb = (p) => `${(readFileSync(p).length / 1024).toFixed(0)} KB`;
console.log(`build-cli: ${bundlePath.slice(root.length + 1)} (${kb(bundlePath)}), ${written.map((p) => `${p.slice(root.length + 1)} (${kb(p)})`).join(', ')}`);

/**
 * `node:module` loaded when first used: src/node/builtin.ts needs its createRequire only on a Node
 * without process.getBuiltinModule (before 20.16), and a process that runs a file (unlike
 * `node -e`) has not loaded it: requiring it at the bundle's top level cost every run ~0.2 ms.
 */
function lazyNodeModule() {
  return {
    name: 'lazy-node-module',
    setup(b) {
      b.onResolve({ filter: /^node:module$/ }, (args) => (args.namespace === 'lazy' ? undefined : { path: 'node:module', namespace: 'lazy' }));
      b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
        contents: "export function createRequire(path) { return require('node:module').createRequire(path); }",
        loader: 'js',
      }));
    },
  };
}

/** Runs the CLI in the script on each argument list, with the examples' images.json. */
async function warmUp(runs) {
  for (const args of runs) {
    const code = await mod.exports.main([...args, '--images', join(examples, 'images.json')], {
      stdout: { write: () => true },
      stderr: { write: (s) => process.stderr.write(s) },
      cwd: root,
    });
    if (code !== 0) throw new Error(`build-cli: the warm-up compile of ${args.join(' ')} exited ${code}`);
  }
}

/** Writes the script's code cache as it is now, named for this V8 and CPU (`kind`: '' or '.large'). */
function writeCache(kind) {
  const path = join(dist, `cli.bundle.${process.versions.v8}-${arch}${kind}.cache`);
  writeFileSync(path, script.createCachedData());
  return path;
}

/** `n` stages of the instructions a multi-stage build uses, each stage copying from the one before. */
function warmUpStages(n) {
  const lines = ['# syntax=docker/dockerfile:1', 'ARG BASE=alpine:3.20'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `FROM \${BASE} AS s${i}`,
      `ARG V${i}=${i}`,
      `ENV PATH=/opt/s${i}/bin:$PATH N=\${V${i}}`,
      `WORKDIR /src/s${i}`,
      'COPY --link . ./app/',
      i === 0 ? 'COPY --from=alpine:3.20 /etc/os-release ./prev' : `COPY --from=s${i - 1} /src/s${i - 1}/out ./prev`,
      `RUN --mount=type=cache,target=/root/.cache --mount=type=bind,from=alpine:3.20,target=/mnt echo s${i} > out && cat ./prev`,
      `LABEL stage=s${i}`,
      'USER 1000:1000',
      'EXPOSE 8080/tcp',
      `CMD ["cat", "/src/s${i}/out"]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

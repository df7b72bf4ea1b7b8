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
//                                       compile of examples/hello), so the functions a compile
//                                       needs are in it; named by the V8 version and CPU
//                                       architecture that made it, the only ones that accept it
//
// bin/dockerfile-llb.cjs loads the script with the cache when one for the running V8 exists (V8
// itself still checks the source and flags and ignores a cache that does not fit), without it
// otherwise, and falls back to dist/cli.js (the ES module the tests import) when the bundle is
// missing. dist/ is a build output: none of this is committed.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

// One real compile inside the script, so the cache holds the functions a compile runs.
const script = new Script(source, { filename: bundlePath });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(bundlePath), mod, bundlePath, dist);
const sink = { write: () => true };
const examples = join(root, 'examples');
const code0 = await mod.exports.main([join(examples, 'hello'), '--images', join(examples, 'images.json')], {
  stdout: sink,
  stderr: { write: (s) => process.stderr.write(s) },
  cwd: root,
});
if (code0 !== 0) throw new Error(`build-cli: the warm-up compile exited ${code0}`);
const cachePath = join(dist, `cli.bundle.${process.versions.v8}-${arch}.cache`);
writeFileSync(cachePath, script.createCachedData());
console.log(`build-cli: ${bundlePath.slice(root.length + 1)} (${(source.length / 1024).toFixed(0)} KB), ${cachePath.slice(root.length + 1)} (${(readFileSync(cachePath).length / 1024).toFixed(0)} KB)`);

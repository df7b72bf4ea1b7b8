/* global document, window -- in page.evaluate and waitForFunction callbacks, which run in the page */
// Explorer benchmark: what the page weighs, and how long a keystroke takes to reach the graph, in
// Debian's Chromium. Not a test; run after `npm ci`:
//   node bench/explorer.bench.mjs [CASE...]        (real-world cases of the golden corpus)
//   node bench/explorer.bench.mjs --wasm           (also build BuildKit's converter for WebAssembly)
//
// Size: every file of the built site, raw and gzip -9.
// Keystrokes: each case opens with its Dockerfile and the corpus's images.json in the link; then
// 5 warm-up and 30 measured keystrokes each insert one character into a RUN command (new digests
// for that op and everything after it, same graph shape), and 10 measured edits insert a whole new
// instruction line (a new op: the layout is computed again). A keystroke's time runs from the
// key's event to the task after the frame that shows the new graph; the page reports the phases
// (compile and analyse, layout, SVG).
//
// --wasm builds the oracle's `refllb` (BuildKit v0.32.2's dockerfile2llb with a small main) with
// GOOS=js GOARCH=wasm, as a Go WebAssembly build of BuildKit's frontend for a browser page would be
// built; needs the oracle's checkout and Go ($BUILDKIT_ORACLE, see ../shared/oracle). Two vendored
// platform shims do not compile for js/wasm (moby/sys/signal's SIGWINCH/SIGPIPE, in-toto's
// unix.Access); `-overlay` swaps them for stubs written here, without touching the checkout.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildPage, chromiumAvailable, CHROMIUM, launchChromium, serveStatic } from '../web/scripts/harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const wasm = args.includes('--wasm');
const DEFAULT_CASES = ['crazymax-diun-root', 'gitea-root', 'docker-library-postgres-17-bookworm'];
const cases = args.filter((a) => !a.startsWith('--'));

function goldenDir() {
  for (const c of [process.env.GOLDEN_DIR, path.resolve(root, '../shared/golden')]) if (c && existsSync(path.join(c, 'README.md'))) return c;
  return undefined;
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];

const out = mkdtempSync(path.join(tmpdir(), 'explorer-bench-'));
try {
  await buildPage(out);
  let raw = 0;
  let gz = 0;
  console.log('site file                              raw        gzip -9');
  for (const f of files(out).sort()) {
    const data = readFileSync(f);
    const z = gzipSync(data, { level: 9 }).length;
    raw += data.length;
    gz += z;
    console.log(`${path.relative(out, f).padEnd(36)} ${kb(data.length).padStart(11)} ${kb(z).padStart(11)}`);
  }
  console.log(`${'total'.padEnd(36)} ${kb(raw).padStart(11)} ${kb(gz).padStart(11)}`);

  if (wasm) {
    const oracle = process.env.BUILDKIT_ORACLE || path.join(homedir(), '.cache/buildkit-oracle');
    const src = path.join(oracle, 'buildkit');
    const goroot = path.join(oracle, 'go/usr/lib/go-1.26');
    if (!existsSync(path.join(src, 'cmd/refllb/main.go')) || !existsSync(path.join(goroot, 'bin/go'))) {
      console.log(`--wasm: no oracle checkout with cmd/refllb and Go under ${oracle} (see ../shared/oracle); skipped`);
    } else {
      const stubs = mkdtempSync(path.join(tmpdir(), 'wasm-overlay-'));
      writeFileSync(path.join(stubs, 'signal_unix.go'), '//go:build !windows\n\npackage signal\n\nimport "syscall"\n\nconst (\n\tSIGCHLD  = syscall.SIGCHLD\n\tSIGWINCH = syscall.Signal(0x1c)\n\tSIGPIPE  = syscall.Signal(0xd)\n)\n');
      writeFileSync(path.join(stubs, 'util_unix.go'), '//go:build linux || darwin || !windows\n\npackage in_toto\n\nfunc isWritable(path string) error { return nil }\n');
      const overlay = path.join(stubs, 'overlay.json');
      writeFileSync(
        overlay,
        JSON.stringify({
          Replace: {
            [path.join(src, 'vendor/github.com/moby/sys/signal/signal_unix.go')]: path.join(stubs, 'signal_unix.go'),
            [path.join(src, 'vendor/github.com/in-toto/in-toto-golang/in_toto/util_unix.go')]: path.join(stubs, 'util_unix.go'),
          },
        }),
      );
      const target = path.join(stubs, 'refllb.wasm');
      const env = {
        ...process.env,
        GOROOT: goroot,
        PATH: `${path.join(goroot, 'bin')}:${process.env.PATH}`,
        GOTOOLCHAIN: 'local',
        GOFLAGS: '-mod=vendor',
        GOPROXY: 'off',
        GOSUMDB: 'off',
        GOPATH: path.join(oracle, 'gopath'),
        GOCACHE: path.join(tmpdir(), 'dockerfile-llb-wasm-gocache'),
        CGO_ENABLED: '0',
        GOOS: 'js',
        GOARCH: 'wasm',
      };
      execFileSync('go', ['build', '-overlay', overlay, '-trimpath', '-ldflags=-s -w', '-o', target, './cmd/refllb'], { cwd: src, env, stdio: 'inherit' });
      const data = readFileSync(target);
      const z = gzipSync(data, { level: 9 }).length;
      console.log(`BuildKit's converter (refllb) for js/wasm, stripped: ${kb(data.length)} raw, ${kb(z)} gzip -9 (+ Go's wasm_exec.js); the explorer: ${kb(gz)} gzip -9 (${(z / gz).toFixed(0)}x smaller)`);
      rmSync(stubs, { recursive: true, force: true });
    }
  }

  if (!chromiumAvailable()) {
    console.log(`keystroke timing: not run (no Chromium at ${CHROMIUM})`);
  } else {
    const golden = goldenDir();
    if (!golden) {
      console.log('keystroke timing: not run (no golden corpus: set GOLDEN_DIR)');
    } else {
      // The page verifies pinned keys, as the library does: leave out the entries BuildKit's test
      // resolver recorded with digests other than the one their key pins (no case here uses them).
      const all = JSON.parse(readFileSync(path.join(golden, 'images.json'), 'utf8'));
      const images = JSON.stringify(Object.fromEntries(Object.entries(all).filter(([k, e]) => !/@sha256:/.test(k) || k.endsWith(`@${e.digest}`))));
      const server = await serveStatic(out);
      const browser = await launchChromium();
      try {
        console.log(`\nload average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
        console.log('case                                    lines  ops   keystroke median/p95   page work (compile, layout, svg)   new line median/p95 (layout)');
        for (const name of cases.length ? cases : DEFAULT_CASES) {
          const dockerfile = readFileSync(path.join(golden, 'cases/real', name, 'Dockerfile'), 'utf8');
          const page = await browser.newPage({ viewport: { width: 1600, height: 960 } });
          const errors = [];
          page.on('pageerror', (e) => errors.push(e.message));
          await page.goto(`${server.url}index.html#dockerfile=${encodeURIComponent(dockerfile)}&images=${encodeURIComponent(images)}`);
          await page.waitForFunction(() => document.body.dataset.pending === '0');
          const status = await page.textContent('#status');
          if (!status?.startsWith('✓')) throw new Error(`${name} does not compile in the page: ${status}`);
          // The last one-line RUN: keystrokes go right after `RUN `.
          const lines = dockerfile.split('\n');
          let target = -1;
          for (let i = 0; i < lines.length; i++) if (/^RUN [^\\]*$/.test(lines[i]) && !(lines[i - 1] ?? '').trimEnd().endsWith('\\')) target = i;
          if (target < 0) throw new Error(`${name}: no one-line RUN to type into`);
          const measure = async (act) => {
            const wait = page.evaluate(() => new Promise((resolve) => window.addEventListener('explorer:rendered', (e) => resolve(e.detail), { once: true })));
            await act();
            const detail = await wait;
            await page.waitForFunction(() => document.body.dataset.pending === '0');
            return detail;
          };
          const place = () => page.evaluate((line) => window.explorer.cursorTo(line, 5), target + 1);
          await place();
          const keys = [];
          for (let i = 0; i < 35; i++) {
            const d = await measure(() => page.keyboard.type('x'));
            if (d.error) throw new Error(`${name}: keystroke made an error: ${d.error}`);
            if (i >= 5) keys.push(d);
          }
          const adds = [];
          for (let i = 0; i < 10; i++) {
            await page.keyboard.press('End');
            const d = await measure(() => page.keyboard.insertText(`\nRUN echo ${i}`));
            if (d.error) throw new Error(`${name}: new line made an error: ${d.error}`);
            adds.push(d);
          }
          if (errors.length) throw new Error(`${name}: page errors: ${errors.join('; ')}`);
          const ops = keys[0].ops;
          const ms = keys.map((k) => k.ms);
          const f = (x) => x.toFixed(1);
          console.log(
            `${name.padEnd(39)} ${String(lines.length).padStart(5)} ${String(ops).padStart(4)}   ${f(median(ms)).padStart(6)} / ${f(p95(ms)).padStart(5)} ms   ${f(median(keys.map((k) => k.update))).padStart(5)} ms (${f(median(keys.map((k) => k.compile)))}, ${f(median(keys.map((k) => k.layout)))}, ${f(median(keys.map((k) => k.draw)))})          ${f(median(adds.map((a) => a.ms))).padStart(6)} / ${f(p95(adds.map((a) => a.ms))).padStart(5)} ms (${f(median(adds.map((a) => a.layout)))})`,
          );
          await page.close();
        }
      } finally {
        await browser.close();
        await server.close();
      }
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

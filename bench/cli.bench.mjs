// CLI benchmark: the real binary on generated Dockerfiles of growing size, to show that reading,
// compiling and reporting errors stay linear. Not a test; run after `npm run build`:
//   node bench/cli.bench.mjs [maxLines]     (default 100000)
// Prints, per size, the wall time of compile, dump -f, outline and a Dockerfile error on the
// last line, and the time per 1,000 lines (flat = linear).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/dockerfile-llb.cjs');
const images = path.join(root, 'examples/images.json');
const max = Number(process.argv[2] ?? 100000);
const dir = mkdtempSync(path.join(tmpdir(), 'dfllb-clibench-'));

/** About `n` lines: stages of ARG/ENV/RUN (with continuation lines and heredocs)/COPY/LABEL. */
function generate(n) {
  const lines = ['# syntax=docker/dockerfile:1', 'ARG BASE=alpine:3.20'];
  let stage = 0;
  while (lines.length < n) {
    const s = stage++;
    lines.push(`# s${s} stage number ${s}`, `FROM \${BASE} AS s${s}`, `ARG V${s}=1`);
    for (let i = 0; i < 40 && lines.length < n; i++) {
      lines.push(`ENV K${i}="value ${i}" OTHER=\${V${s}:-x}`);
      lines.push(`RUN --mount=type=cache,target=/c${i} apk add \\`, '    curl \\', `    git && echo ${s}.${i}`);
      lines.push(`COPY --chown=1:1 a${i} /dst/`);
      lines.push('RUN <<EOF', `echo ${s}.${i}`, 'EOF');
      lines.push(`LABEL a${i}=b c="d e"`, '');
    }
    if (s > 0) lines.push(`COPY --from=s${s - 1} /dst /prev`);
  }
  return `${lines.join('\n')}\n`;
}

function time(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, code: r.status, stderr: r.stderr.toString() };
}

const sizes = [12500, 25000, 50000, 100000].filter((n) => n <= max);
console.log('lines     bytes      compile   dump -f   outline   error@end  (ms; ms per 1k lines for compile)');
for (const n of sizes) {
  const text = generate(n);
  const file = path.join(dir, `Dockerfile.${n}`);
  writeFileSync(file, text);
  const bad = path.join(dir, `Bad.${n}`);
  writeFileSync(bad, `${text}FOO bar\n`);
  const c = time(['-f', file, '--images', images, '-o', path.join(dir, 'out.pb')]);
  const d = time(['dump', '-f', file, '--images', images, '-o', path.join(dir, 'out.json')]);
  const o = time(['outline', '-f', file, '--images', images, '-o', path.join(dir, 'outline.txt')]);
  const e = time(['-f', bad, '--images', images]);
  for (const [name, r, want] of [['compile', c, 0], ['dump', d, 0], ['outline', o, 0], ['error', e, 1]]) {
    if (r.code !== want) throw new Error(`${name} on ${n} lines exited ${r.code}: ${r.stderr.slice(0, 500)}`);
  }
  const pad = (x, w) => String(x).padStart(w);
  console.log(`${pad(n, 6)} ${pad(statSync(file).size, 9)}  ${pad(c.ms.toFixed(0), 8)}  ${pad(d.ms.toFixed(0), 8)}  ${pad(o.ms.toFixed(0), 8)}  ${pad(e.ms.toFixed(0), 9)}  (${(c.ms / (n / 1000)).toFixed(1)})`);
}

// Single-construct shapes: time at n and 2n lines; a ratio near 2 is linear, near 4 quadratic.
const shapes = {
  'RUN lines': (n) => `FROM alpine:3.20\n${Array.from({ length: n }, (_, i) => `RUN echo ${i}\n`).join('')}`,
  'LABEL lines': (n) => `FROM alpine:3.20\n${Array.from({ length: n }, (_, i) => `LABEL l${i}=v${i}\n`).join('')}`,
  'one RUN, n continuation lines': (n) => `FROM alpine:3.20\nRUN echo start \\\n${Array.from({ length: n }, (_, i) => `  && echo ${i} \\\n`).join('')}  && echo end\n`,
  'one heredoc of n lines': (n) => `FROM alpine:3.20\nRUN <<EOF\n${Array.from({ length: n }, (_, i) => `echo ${i}\n`).join('')}EOF\n`,
  'comment lines': (n) => `FROM alpine:3.20\n${Array.from({ length: n }, (_, i) => `# comment ${i}\n`).join('')}RUN true\n`,
  'global ARGs + stages (n/2 each)': (n) =>
    `${Array.from({ length: n / 2 }, (_, i) => `ARG G${i}=${i}\n`).join('')}${Array.from({ length: n / 4 }, (_, i) => `FROM alpine:3.20 AS s${i}\nARG A${i}=1\n`).join('')}`,
  'ENV lines, each reading the last': (n) => `FROM alpine:3.20\n${Array.from({ length: n }, (_, i) => `ENV K${i}=\${K${i - 1}:-x}\n`).join('')}RUN true\n`,
  'ARG lines': (n) => `FROM alpine:3.20\n${Array.from({ length: n }, (_, i) => `ARG K${i}=v${i}\n`).join('')}RUN true\n`,
  'ENV lines (distinct keys)': (n) => `FROM alpine:3.20\n${Array.from({ length: n }, (_, i) => `ENV K${i}=v${i}\n`).join('')}RUN true\n`,
};
const shapeSizes = {};
console.log('\nshape                               n        time(n)   time(2n)  ratio');
for (const [name, gen] of Object.entries(shapes)) {
  const [n, n2] = shapeSizes[name] ?? [Math.min(50000, max / 2), Math.min(100000, max)];
  const times = [n, n2].map((k) => {
    const file = path.join(dir, 'Shape');
    writeFileSync(file, gen(k));
    const r = time(['-f', file, '--images', images, '-o', path.join(dir, 'out.pb')]);
    if (r.code !== 0) throw new Error(`${name} at ${k}: ${r.stderr.slice(0, 300)}`);
    return r.ms;
  });
  console.log(`${name.padEnd(34)} ${String(n).padStart(6)}  ${times[0].toFixed(0).padStart(8)}  ${times[1].toFixed(0).padStart(8)}  ${(times[1] / times[0]).toFixed(2)}`);
}
rmSync(dir, { recursive: true, force: true });

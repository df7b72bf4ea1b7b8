// Compile-time benchmark (uses dist/: run `npm run build` first).
//
//   node bench/compile.bench.mjs            golden corpus + generated 10/100/1000/2000-stage files
//   node bench/compile.bench.mjs --quick    fewer iterations
//
// Prints ms/op and ms per stage. Small builds run hot in cache and young-generation GC, so the
// per-stage cost settles from about 1,000 stages on; 1,000 -> 2,000 shows the growth rate.
// Reference (BuildKit's Go converter on this class of machine): ~0.2 ms for a 7-line file,
// ~155 ms for 1,000 stages of 7 instructions.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist/index.js'))) {
  console.error('run `npm run build` first');
  process.exit(2);
}
const { compile, StaticImageResolver } = await import(join(root, 'dist/index.js'));
const { caseOptions } = await import('../scripts/lib/golden-compare.mjs');
const quick = process.argv.includes('--quick');

const { GOLDEN } = await import('../scripts/lib/corpus.mjs');
const golden = GOLDEN?.dir;
// The golden images.json's pinned keys are read as recorded (BuildKit's test resolver's digests).
const images = StaticImageResolver.of(JSON.parse(readFileSync(golden ? join(golden, 'images.json') : join(root, 'examples/images.json'), 'utf8')), {
  pins: golden ? 'as-recorded' : 'verify',
});

/** Runs `fn` repeatedly; returns the median and the minimum time of one run, in ms. */
async function time(fn, minMs = quick ? 200 : 1000, minIters = 5) {
  for (let i = 0; i < 2; i++) await fn(); // warm up
  const samples = [];
  const start = performance.now();
  while (samples.length < minIters || performance.now() - start < minMs) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0] };
}

/** `n` stages of 7 instructions, each stage copying from the previous one. */
function generated(n) {
  const lines = ['ARG BASE=alpine:3.20'];
  for (let i = 0; i < n; i++) {
    lines.push(`FROM \${BASE} AS s${i}`);
    lines.push(`ARG V${i}=${i}`);
    lines.push(`ENV K${i}=v\${V${i}}`);
    lines.push(`WORKDIR /w${i}`);
    lines.push(i > 0 ? `COPY --from=s${i - 1} /w${i - 1} ./prev` : 'COPY src ./src');
    lines.push(`RUN --mount=type=cache,target=/root/.cache echo ${i} > out`);
    lines.push(`LABEL stage=${i}`);
  }
  return lines.join('\n') + '\n';
}

if (golden) {
  const files = [];
  for (const g of ['features', 'real', 'e2e']) {
    const dir = join(golden, 'cases', g);
    for (const n of readdirSync(dir)) {
      if (statSync(join(dir, n)).isDirectory()) files.push({ text: readFileSync(join(dir, n, 'Dockerfile')), options: caseOptions(join(dir, n)) });
    }
  }
  const perFile = await time(async () => {
    for (const f of files) await compile(f.text, { resolver: images, ...f.options });
  });
  console.log(
    `golden corpus: ${files.length} files, ${(perFile.median / files.length).toFixed(3)} ms/op per file (median; min ${(perFile.min / files.length).toFixed(3)})`,
  );
}
const small = 'FROM alpine:3.20\nARG X=1\nENV Y=$X\nWORKDIR /app\nCOPY . .\nRUN echo $Y\nCMD ["sh"]\n';
const t7 = await time(() => compile(small, { resolver: images }));
console.log(`7-line file: ${t7.median.toFixed(3)} ms/op (median; min ${t7.min.toFixed(3)})`);
let base;
for (const n of [10, 100, 1000, 2000]) {
  const text = generated(n);
  const { median, min } = await time(() => compile(text, { resolver: images }), quick ? 500 : 2000, 3);
  base ??= min / n;
  console.log(
    `${String(n).padStart(4)} stages x 7 instructions: ${median.toFixed(2)} ms/op median, ${min.toFixed(2)} min (${(min / n).toFixed(3)} ms per stage, x${(min / n / base).toFixed(2)} vs 10 stages)`,
  );
}

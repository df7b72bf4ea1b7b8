// Our compile() of the synthetic file (bench/lib/synthetic.mjs) in a process of its own, so that
// what one size leaves on the heap does not weigh on the next. Used by bench/floor.mjs.
//
//   node compile-loop.mjs loop N...    one JSON line: microseconds per stage for N stages, the
//                                      best of 5 loops of about 150 ms after a second of warm-up
//   node compile-loop.mjs series N K   one JSON line: the milliseconds of each of K compiles of
//                                      N stages in this fresh process, the first one cold
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthetic } from './synthetic.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = join(root, 'dist/node.js');
if (!existsSync(dist)) {
  console.error('bench: dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const { compile, StaticImageResolver } = await import(dist);
const { FIXTURES, GOLDEN } = await import('../../scripts/lib/corpus.mjs');
const corpus = GOLDEN ?? FIXTURES;
const resolver = StaticImageResolver.of(JSON.parse(readFileSync(corpus.images, 'utf8')), { pins: corpus.pins });

const [mode, ...rest] = process.argv.slice(2);
const once = async (text) => {
  const t = performance.now();
  await compile(text, { resolver });
  return performance.now() - t;
};

if (mode === 'series') {
  const [n, k] = rest.map(Number);
  const text = synthetic(n);
  const times = [];
  for (let i = 0; i < k; i++) times.push(await once(text));
  console.log(JSON.stringify(times));
} else if (mode === 'loop') {
  const out = {};
  for (const n of rest.map(Number)) {
    const text = synthetic(n);
    // Warm-up: the JIT sees the file for about a second (at least twice).
    for (let spent = 0, i = 0; i < 2 || spent < 1000; i++) spent += await once(text);
    const iterations = Math.max(1, Math.round(150 / (await once(text))));
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      let sum = 0;
      for (let i = 0; i < iterations; i++) sum += await once(text);
      best = Math.min(best, sum / iterations);
    }
    out[n] = (best * 1000) / n;
  }
  console.log(JSON.stringify(out));
} else {
  console.error('usage: compile-loop.mjs loop N... | series N K');
  process.exit(2);
}

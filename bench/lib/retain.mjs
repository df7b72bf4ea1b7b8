// The runtime's own cost of keeping what a program allocates, without any of our code: per
// "stage", 140 small records kept until the end (each with a string, a two-number list and a
// range of two positions, linked to the one before: a parse tree's shape) and 840 short-lived
// ones. bench/lib/retain.go is the same program in Go. Prints one JSON line: microseconds per
// stage for each stage count given (default 10 100 1000 10000), the best of 5 loops each.
const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(10, 100, 1000, 10000);

let sink = 0;
function stage(i, keep) {
  let garbage = 0;
  for (let j = 0; j < 140; j++) {
    const next = keep.length > 0 ? keep[keep.length - 1] : null;
    keep.push({ id: i, j, name: `s${i}/${j}`, next, list: [i, j], range: { start: { line: i, column: j }, end: { line: i, column: j + 1 } } });
    for (let k = 0; k < 6; k++) {
      const t = { a: j, b: k, c: [j, k, i] };
      garbage += t.c.length;
    }
  }
  return garbage;
}
function run(n) {
  const keep = [];
  let g = 0;
  for (let i = 0; i < n; i++) g += stage(i, keep);
  return keep.length + g;
}

for (let w = 0; w < 3; w++) for (const n of sizes) sink += run(n);
const out = {};
for (const n of sizes) {
  const reps = Math.max(1, Math.round(30000 / n));
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let k = 0; k < reps; k++) sink += run(n);
    best = Math.min(best, (performance.now() - t) / reps);
  }
  out[n] = (best * 1000) / n;
}
if (sink < 0) console.error(sink);
console.log(JSON.stringify(out));

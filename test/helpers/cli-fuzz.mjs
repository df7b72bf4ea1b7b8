/**
 * The CLI fuzzer's inputs: Dockerfiles mutated from seeds, each one a pure function of
 * (seed, index) so that any failure can be replayed alone. Plain JavaScript: the worker that
 * runs them is a bare `node` process (see cli-fuzz-worker.mjs), and the test imports it too.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from './rng.mjs';

export { rng };

const int = (r, n) => Math.floor(r() * n);
const pick = (r, list) => list[int(r, list.length)];

/**
 * Seeds that need nothing outside the repository: what the examples build plus the shapes the
 * hostile-input probe used (doubling variables, nested defaults, heredocs, mounts, many stages).
 */
export const BUILTIN_SEEDS = [
  'FROM scratch\nCOPY hello.txt /\n',
  'FROM alpine:3.20\nARG V=1\nENV A=$V B=${V:-x}\nWORKDIR /app\nCOPY --chmod=644 . .\nRUN --mount=type=cache,target=/root/.cache echo $A\nCMD ["sh"]\n',
  'ARG BASE=alpine:3.20\nFROM ${BASE} AS build\nARG X=${BASE%%:*}\nRUN echo ${X#al} ${X/p/q} ${X//?/z}\nFROM scratch\nCOPY --from=build / /\nEXPOSE 80/tcp ${P:-443}\nSTOPSIGNAL SIGTERM\nUSER 1000:1000\nVOLUME ["/data"]\nLABEL a=b "c d"=e\n',
  'FROM alpine:3.20\nRUN <<EOF\necho hi\nEOF\nCOPY <<-"X" /etc/x\n\tline $A\nX\nHEALTHCHECK --interval=5s CMD true\nENTRYPOINT ["/bin/sh", "-c"]\nONBUILD RUN echo later\nSHELL ["/bin/bash", "-c"]\n',
  'FROM scratch\nENV A0=xxxxxxxxxxxxxxxx\nENV A1=$A0$A0\nENV A2=$A1$A1\nENV A3=$A2$A2\nENV A4=$A3$A3\nLABEL x=${A4:-${A3:-${A2:-${A1}}}}\n',
  '# syntax=docker/dockerfile:1\n# escape=`\nFROM alpine:3.20\nRUN echo `\n  continued\nADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 https://example.com/x /x\n',
  'FROM --platform=$BUILDPLATFORM alpine:3.20 AS a\nFROM a AS b\nRUN --mount=type=secret,id=s --mount=type=ssh --network=none true\nFROM b\nCOPY --link --from=a /x /y\nARG TARGETPLATFORM\nWORKDIR $TARGETPLATFORM\n',
];

/** Tokens the mutator inserts: Dockerfile syntax, expansion forms, and characters that break things. */
const TOKENS = [
  'FROM ', 'RUN ', 'COPY ', 'ADD ', 'ARG ', 'ENV ', 'LABEL ', 'WORKDIR ', 'EXPOSE ', 'STOPSIGNAL ', 'USER ', 'VOLUME ',
  'ONBUILD ', 'HEALTHCHECK ', 'SHELL ', 'CMD ', 'ENTRYPOINT ', ' AS ', 'scratch', 'alpine:3.20',
  '--mount=type=cache,target=', '--mount=type=bind,from=', '--from=', '--link ', '--chmod=', '--chown=', '--platform=',
  '--network=', '--checksum=', '$', '${', '}', '${A:-', '${A:+', '${A#', '${A%%', '${A//', '$A$A', ':-', ':?', '#', '%',
  '\\\n', '\\', '`', '"', "'", '[', ']', ',', '=', ' ', '\t', '\n', '\r\n', '<<EOF\n', '\nEOF\n', '<<-', '0', '1e999',
  '# escape=`\n', '# syntax=docker/dockerfile:1\n', '# check=error=true\n', '\uFEFF', 'é', '😀', '\u00a0', '\u0085', '\0',
];

/** Lines that grow things when repeated: the probe's doubling and nesting shapes. */
const GROWERS = ['ENV A=$A$A', 'ARG A=$A$A', 'ENV A=${A:-x}${A}', 'LABEL l=$A$A', 'ENV B=${A//?/$A}', 'ARG A=${A:-${A:-${A:-${A:-${A}}}}}'];

/** Applies 1 to 6 random edits to `src`. */
export function mutate(r, src) {
  let s = src;
  for (let n = 1 + int(r, 6); n > 0; n--) {
    const at = int(r, s.length + 1);
    const op = r();
    if (op < 0.38) s = s.slice(0, at) + pick(r, TOKENS) + s.slice(at);
    else if (op < 0.55) s = s.slice(0, at) + s.slice(at + 1 + int(r, 12));
    else if (op < 0.62) s = s.slice(0, at);
    else if (op < 0.78) {
      // Duplicate a line (several times, now and then: doubling lines double again).
      const lines = s.split('\n');
      const line = lines[int(r, lines.length)];
      const times = r() < 0.15 ? 1 + int(r, 30) : 1;
      lines.splice(int(r, lines.length + 1), 0, ...Array(times).fill(line));
      s = lines.join('\n');
    } else if (op < 0.86) {
      const lines = s.split('\n');
      const times = 1 + int(r, r() < 0.2 ? 40 : 3);
      lines.splice(1 + int(r, lines.length), 0, ...Array(times).fill(pick(r, GROWERS)));
      s = lines.join('\n');
    } else if (op < 0.9) {
      // Deep nesting, closed or not.
      const depth = 1 + int(r, 2000);
      const closed = r() < 0.5;
      s = s.slice(0, at) + '${A:-'.repeat(depth) + 'x' + (closed ? '}'.repeat(depth) : '') + s.slice(at);
    } else {
      s = s.slice(0, at) + String.fromCodePoint(r() < 0.7 ? int(r, 128) : int(r, 0x30000)) + s.slice(at);
    }
  }
  return s;
}

/** The CLI invocation of input `i`: mostly compile, sometimes the other commands and file output. */
export function commandFor(r, dockerfile, contextDir, imagesFlags, outDir) {
  const base = ['-f', dockerfile, contextDir, ...imagesFlags];
  const x = r();
  if (x < 0.6) return ['compile', ...base];
  if (x < 0.7) return ['compile', ...base, '-o', join(outDir, 'out.pb'), '--image-config', join(outDir, 'config.json')];
  if (x < 0.8) return ['dump', ...base];
  if (x < 0.87) return ['outline', ...base];
  if (x < 0.94) return ['config', ...base];
  return ['compile', ...base, '--platform', 'linux/arm64', '--target', pick(r, ['build', 'a', 'b', 'final'])];
}

/** Input `i` of a run: its Dockerfile text and the random source for its command. */
export function input(seed, i, seeds) {
  const r = rng((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
  const text = mutate(r, seeds[int(r, seeds.length)]);
  return { text, r };
}

/**
 * The seed Dockerfiles: the golden corpus's cases and rejected files when it is present (GOLDEN_DIR,
 * or ../shared/golden beside the repository), else the built-in seeds. Returns where they came from.
 */
export function loadSeeds(repoRoot) {
  const candidates = [process.env.GOLDEN_DIR, join(repoRoot, '../shared/golden'), join(repoRoot, '../../shared/golden')].filter(Boolean);
  const golden = candidates.find((c) => existsSync(join(c, 'README.md')) && existsSync(join(c, 'images.json')));
  const examples = readdirSync(join(repoRoot, 'examples'))
    .sort()
    .map((d) => join(repoRoot, 'examples', d, 'Dockerfile'))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'));
  if (!golden) return { seeds: [...BUILTIN_SEEDS, ...examples], imagesFlags: ['--images', join(repoRoot, 'examples/images.json')], source: 'built-in seeds and examples/' };
  const seeds = [...BUILTIN_SEEDS, ...examples];
  for (const group of ['cases', 'errors']) {
    const dir = join(golden, group);
    const walk = (d) => {
      for (const name of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (name.isDirectory()) walk(join(d, name.name));
        else if (name.name === 'Dockerfile') seeds.push(readFileSync(join(d, name.name), 'utf8'));
      }
    };
    walk(dir);
  }
  // The golden images.json was made by BuildKit's test resolver: its pinned keys are read as recorded.
  return { seeds, imagesFlags: ['--images', join(golden, 'images.json'), '--images-unverified-pins'], source: `the golden corpus (${golden}) and built-in seeds` };
}

/**
 * Where BuildKit locates an error, when that is not simply the error's own location: BuildKit's
 * errors carry a list of ranges (`parser.LocationError`), which its check request merges into the
 * `buildError` location. A few errors BuildKit leaves without any (`COPY --from` problems found
 * while stages are linked), and a circular dependency lists every instruction of the cycle; the
 * CLI still shows ours at a line, so these are recorded beside the error.
 */
import { type DockerfileLlbError, DockerfileErrorCode } from '../../errors.js';
import { type CheckRange, lineRanges } from './linter.js';

const recorded = new WeakMap<object, readonly CheckRange[]>();

/** Records BuildKit's ranges for `error` (none for an error BuildKit does not locate); returns it. */
export function withBuildKitRanges<E extends object>(error: E, ranges: readonly CheckRange[]): E {
  recorded.set(error, ranges);
  return error;
}

/** BuildKit's `mergeLocations`: ranges sorted by first line, overlapping ones joined. */
function mergeRanges(ranges: readonly CheckRange[]): CheckRange[] {
  if (ranges.length < 2) return [...ranges];
  const sorted = [...ranges].sort((a, b) => a.start.line - b.start.line);
  const out: CheckRange[] = [];
  let cur = sorted[0];
  for (const r of sorted.slice(1)) {
    if (r.start.line <= cur.end.line) cur = { start: cur.start, end: { line: Math.max(cur.end.line, r.end.line) } };
    else {
      out.push(cur);
      cur = r;
    }
  }
  out.push(cur);
  return out;
}

/** The location BuildKit's check request gives `error`. */
export function buildKitRanges(error: DockerfileLlbError): CheckRange[] {
  const own = recorded.get(error);
  if (own) return mergeRanges(own);
  const loc = error.location;
  if (loc?.kind !== 'source') return [];
  // BuildKit's parser locates a parser-directive error before it counts the line: at the line
  // number less one, so the first line's error has line 0, which the JSON leaves out.
  if (error.code === DockerfileErrorCode.Directive) return lineRanges(loc.start.line - 1, loc.start.line - 1);
  return lineRanges(loc.start.line, loc.end.line);
}

/**
 * What the check request returns and how BuildKit and buildx print it: the JSON of
 * `docker buildx build --call=check,format=json` (Go's encoding of BuildKit's `lint.LintResults`),
 * the text of `--call=check`, the warnings JSON of a build, and buildx's warning summary.
 */
import { base64 } from '../../util/base64.js';
import { goSortSlice } from '../../util/gosort.js';
import type { CheckLocation, CheckRange, CheckWarning } from './linter.js';

/** A source file of a check result (BuildKit's `pb.SourceInfo`). */
export interface CheckSource {
  readonly filename: string;
  readonly data: Uint8Array;
  readonly language: string;
}

/** An error that stopped the checked build (BuildKit's `lint.BuildError`). */
export interface CheckBuildError {
  readonly message: string;
  /** Empty (`{ ranges: [] }`) when the error has no place in the file. */
  readonly location: CheckLocation;
}

/**
 * The answer to a check request (BuildKit's `lint.LintResults`): every violation in the order
 * BuildKit reports it, the Dockerfile, and the error the build would fail with, if any.
 */
export interface CheckResult {
  readonly warnings: readonly CheckWarning[];
  readonly sources: readonly CheckSource[];
  readonly buildError?: CheckBuildError;
}

// ----- JSON ---------------------------------------------------------------------------------------

/**
 * Go's `json.MarshalIndent(v, "", "  ")` of a value made of plain objects, arrays, strings and
 * numbers: the same layout as `JSON.stringify`, with Go's HTML-safe escaping of `<`, `>`, `&`
 * and of U+2028, U+2029.
 */
export function goJsonIndent(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A location as Go encodes BuildKit's `pb.Location`: zero fields left out. */
function locationJson(loc: CheckLocation): Record<string, unknown> {
  if (loc.ranges.length === 0) return {};
  const pos = (p: { line: number }) => (p.line !== 0 ? { line: p.line } : {});
  return { ranges: loc.ranges.map((r) => ({ start: pos(r.start), end: pos(r.end) })) };
}

function warningJson(w: CheckWarning): Record<string, unknown> {
  return {
    ruleName: w.ruleName,
    ...(w.description ? { description: w.description } : {}),
    ...(w.url ? { url: w.url } : {}),
    ...(w.detail ? { detail: w.detail } : {}),
    location: locationJson(w.location),
  };
}


/** The check result as `docker buildx build --call=check,format=json` prints it (with the final newline). */
export function checkResultJson(result: CheckResult): string {
  const out: Record<string, unknown> = {
    warnings: result.warnings.length > 0 ? result.warnings.map(warningJson) : null,
    // The definition of BuildKit's own "load build definition" step; there is none here.
    // Go's encoding/json leaves an empty []byte with omitempty out (an empty Dockerfile).
    sources: result.sources.map((s) => ({ filename: s.filename, ...(s.data.length > 0 ? { data: base64(s.data) } : {}), definition: {}, language: s.language })),
  };
  if (result.buildError) out.buildError = { message: result.buildError.message, location: locationJson(result.buildError.location) };
  return `${goJsonIndent(out)}\n`;
}

/** The checks a build reported, as a JSON list (the golden corpus's `expected-warnings.json`). */
export function warningsJson(warnings: readonly CheckWarning[]): string {
  return `${goJsonIndent(warnings.map(warningJson))}\n`;
}

// ----- text ---------------------------------------------------------------------------------------

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The lines of `data` around `ranges`, `>>>` marking the reported ones (BuildKit's
 * `errdefs.Source.Print`): two lines of context each side for a one-line range, one otherwise.
 * Empty when the ranges are empty or outside the file.
 */
export function sourceExcerpt(filename: string, data: Uint8Array | string, ranges: readonly CheckRange[]): string {
  if (ranges.length === 0) return '';
  const lines = (typeof data === 'string' ? data : utf8.decode(data)).split('\n');
  let start = Infinity;
  let end = 0;
  for (const r of ranges) {
    start = Math.min(start, r.start.line);
    end = Math.max(end, r.start.line, r.end.line);
  }
  if (start > lines.length || start < 1) return '';
  end = Math.min(end, lines.length);
  const first = start;
  const pad = end === start ? 4 : 2;
  for (let p = 0; p < pad; p++) {
    if (start > 1) {
      start--;
      p++;
    }
    if (end !== lines.length) {
      end++;
      p++;
    }
  }
  const marked = (line: number) => ranges.some((r) => r.start.line <= line && Math.max(r.start.line, r.end.line) >= line);
  let out = `${filename}:${first}\n--------------------\n`;
  for (let i = start; i <= end; i++) out += ` ${String(i).padStart(3)} | ${marked(i) ? '>>>' : '   '} ${lines[i - 1]}\n`;
  return `${out}--------------------\n`;
}

/**
 * The warnings as `--call=check` prints them (BuildKit's `LintResults.PrintTo`): sorted by line
 * with Go's (unstable) sort, each with its rule, URL, detail and source excerpt.
 */
function printWarnings(result: CheckResult): string {
  const sorted = [...result.warnings];
  const line = (w: CheckWarning) => w.location.ranges[0]?.start.line ?? 0;
  goSortSlice(sorted, (a, b) => {
    const ea = a.location.ranges.length === 0;
    const eb = b.location.ranges.length === 0;
    if (ea && eb) return a.ruleName < b.ruleName;
    if (ea || eb) return ea;
    return line(a) < line(b);
  });
  const src = result.sources[0];
  let out = '';
  for (const w of sorted) {
    out += `\nWARNING: ${w.ruleName}${w.url ? ` - ${w.url}` : ''}\n${w.detail}\n`;
    if (src) out += sourceExcerpt(src.filename, src.data, w.location.ranges);
  }
  return out;
}

/**
 * The check result as `docker buildx build --call=check` prints it: the report (stdout) and,
 * when the build would fail, buildx's `ERROR: …` with the error's excerpt (stderr). The two
 * concatenated are the golden corpus's `expected-lint.txt`.
 */
export function checkResultText(result: CheckResult): { readonly report: string; readonly error: string } {
  const n = result.warnings.length;
  let report = '';
  if (n === 1) report += 'Check complete, 1 warning has been found!\n';
  else if (n > 1) report += `Check complete, ${n} warnings have been found!\n`;
  report += printWarnings(result);
  let error = '';
  if (result.buildError) {
    if (n > 0) report += '\n';
    const src = result.sources[0];
    const excerpt = src ? sourceExcerpt(src.filename, src.data, result.buildError.location.ranges) : '';
    error = `ERROR: ${result.buildError.message}\n${excerpt}\n`;
  } else if (n === 0) {
    report += 'Check complete, no warnings found.\n';
  }
  return { report, error };
}

/**
 * The warnings a build reported, as buildx prints them after a build on stderr: a count, then
 * one line per warning (`- Rule: detail (line N)`); `verbose` (buildx's `--debug`) adds each
 * rule's description, URL and source excerpt.
 */
export function buildWarningsText(
  warnings: readonly CheckWarning[],
  source: { readonly filename: string; readonly data: Uint8Array | string } | undefined,
  verbose = false,
  expandHint = 'use --debug to expand',
): string {
  if (warnings.length === 0) return '';
  let out = `\n ${warnings.length === 1 ? '1 warning found' : `${warnings.length} warnings found`}${verbose ? '' : ` (${expandHint})`}:\n`;
  for (const w of warnings) {
    const line = w.location.ranges[0]?.start.line ?? 0;
    out += ` - ${w.ruleName}: ${w.detail}${line > 0 ? ` (line ${line})` : ''}\n`;
    if (!verbose) continue;
    out += `${w.description}\n`;
    if (w.url) out += `More info: ${w.url}\n`;
    if (source) out += sourceExcerpt(source.filename, source.data, w.location.ranges);
    out += '\n';
  }
  return out;
}

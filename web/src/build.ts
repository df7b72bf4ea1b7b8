/**
 * From the page's state to what it shows: compiles with the library, analyses the result, and
 * turns errors into located problems. No DOM here.
 */
import {
  analyze,
  type Analysis,
  type CheckWarning,
  compile,
  type CompileOptions,
  type CompileResult,
  DockerfileLlbError,
  diff,
  type DiffResult,
  imageRef,
  type ImageConfig,
  type ImageMetadataFile,
  type ImageResolver,
  linkReport,
  type LinkReport,
  parseDockerignore,
  parseReference,
  type ResolvedImage,
  type ResolveOptions,
  setLinkFlags,
  sha256Digest,
  StaticImageResolver,
  whatIf,
  type WhatIfResult,
} from 'dockerfile-llb';
import type { EditorProblem, LineRanges } from './editor';
import type { BuildInput, LinkMode } from './state';

/** A problem in the input: an error that stops the build, or a warning about it. */
export interface Problem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly code?: string;
  /** Where, when the problem has a place in the Dockerfile (1-based; `endColumn` exclusive). */
  readonly at?: Omit<EditorProblem, 'severity' | 'message'>;
}

/** Image metadata for compiling: a resolver, or why there is none. */
export type Images = { readonly ok: true; readonly file: ImageMetadataFile; readonly resolver: StaticImageResolver } | { readonly ok: false; readonly problem: Problem };

/** Reads a pasted `images.json`. */
export function readImages(text: string): Images {
  let file: ImageMetadataFile;
  try {
    file = JSON.parse(text) as ImageMetadataFile;
  } catch (e) {
    return { ok: false, problem: { severity: 'error', code: 'E_INVALID_METADATA', message: `images.json is not JSON: ${(e as Error).message}` } };
  }
  try {
    return { ok: true, file, resolver: new StaticImageResolver(file, { source: 'images.json' }) };
  } catch (e) {
    return { ok: false, problem: problemOf(e) };
  }
}

/** The made-up digest of an image the metadata does not have (stable for a reference). */
export function placeholderDigest(ref: string): string {
  return sha256Digest(new TextEncoder().encode(`dockerfile-llb explorer placeholder for ${ref}`));
}

/**
 * Resolves what `inner` knows; an image it does not know gets an empty config with one made-up
 * layer and, unless the reference pins one, a made-up digest, so the rest of the Dockerfile still compiles. `missing`
 * collects those references: digests that depend on them are not BuildKit's.
 */
export class PlaceholderResolver implements ImageResolver {
  readonly missing = new Set<string>();
  readonly #inner: ImageResolver;

  constructor(inner: ImageResolver) {
    this.#inner = inner;
  }

  async resolve(ref: string, options: ResolveOptions): Promise<ResolvedImage> {
    try {
      return await this.#inner.resolve(ref, options);
    } catch (e) {
      if (!(e instanceof DockerfileLlbError) || e.code !== 'E_IMAGE_NOT_FOUND') throw e;
      this.missing.add(ref);
      const pinned = parseReference(ref).digest;
      // One made-up layer: an image without layers would be taken for scratch.
      const config: ImageConfig = { architecture: options.platform.architecture, os: options.platform.os, config: {}, rootfs: { type: 'layers', diff_ids: [placeholderDigest(`${ref} layer`)] } };
      if (options.platform.variant) config.variant = options.platform.variant;
      return { ref, digest: pinned ?? placeholderDigest(ref), config };
    }
  }
}

/** The compile options of an input. */
export function compileOptions(input: BuildInput, resolver: ImageResolver): CompileOptions {
  const options: { -readonly [K in keyof CompileOptions]: CompileOptions[K] } = { resolver };
  if (input.target) options.target = input.target;
  if (input.platform) options.platform = input.platform;
  if (input.buildArgs.length) options.buildArgs = Object.fromEntries(input.buildArgs.filter(([k]) => k !== ''));
  if (input.dockerignore.trim()) options.excludePatterns = parseDockerignore(input.dockerignore);
  return options;
}

/** A problem from anything a compile throws. */
export function problemOf(e: unknown): Problem {
  if (e instanceof DockerfileLlbError) {
    const p: { -readonly [K in keyof Problem]: Problem[K] } = { severity: 'error', message: e.message, code: e.code };
    const loc = e.location;
    if (loc?.kind === 'source') p.at = { line: loc.start.line, column: loc.start.column, endLine: loc.end.line, endColumn: loc.end.column };
    return p;
  }
  return { severity: 'error', message: `internal error: ${(e as Error)?.message ?? String(e)}`, code: 'E_INTERNAL' };
}

/** A compiled build, with what the page needs to show it. */
export interface Build {
  readonly input: BuildInput;
  readonly result: CompileResult;
  readonly analysis: Analysis;
  /** Dockerfile lines of each op, from the Definition's source map. */
  readonly lines: ReadonlyMap<string, LineRanges>;
  /** Warnings: the build checks that fired, and images given placeholders. */
  readonly problems: readonly Problem[];
  /** Milliseconds the compile and analysis took. */
  readonly ms: number;
}

/** A build that failed still has the build checks that fired before it stopped. */
export type Outcome = { readonly ok: true; readonly build: Build } | { readonly ok: false; readonly problem: Problem; readonly warnings: readonly Problem[] };

/** Build check warnings (BuildKit's lint rules) as problems, one per line range. */
export function warningProblems(warnings: readonly CheckWarning[]): Problem[] {
  return warnings.flatMap((w): Problem[] => {
    const message = `${w.detail} (${w.ruleName}${w.url ? `, ${w.url}` : ''})`;
    if (w.location.ranges.length === 0) return [{ severity: 'warning', code: w.ruleName, message }];
    return w.location.ranges.map((r) => ({ severity: 'warning', code: w.ruleName, message, at: { line: r.start.line, endLine: r.end.line } }));
  });
}

/** The line ranges of every op of a Definition, from its source map. */
export function sourceLines(result: CompileResult): Map<string, LineRanges> {
  const out = new Map<string, LineRanges>();
  const locations = result.definition.source?.locations ?? {};
  for (const [digest, locs] of Object.entries(locations)) {
    const ranges: [number, number][] = [];
    for (const l of locs) if (l.sourceIndex === 0) for (const r of l.ranges) ranges.push([r.start.line, r.end.line]);
    if (ranges.length) out.set(digest, ranges);
  }
  return out;
}

/** Compiles and analyses an input. */
export async function buildInput(input: BuildInput, images: Images): Promise<Outcome> {
  if (!images.ok) return { ok: false, problem: images.problem, warnings: [] };
  const started = performance.now();
  const resolver = new PlaceholderResolver(images.resolver);
  let result: CompileResult;
  const fired: CheckWarning[] = [];
  try {
    result = await compile(input.dockerfile, { ...compileOptions(input, resolver), onWarning: (w) => fired.push(w) });
  } catch (e) {
    return { ok: false, problem: problemOf(e), warnings: warningProblems(fired) };
  }
  const analysis = analyze(result);
  const lines = sourceLines(result);
  const problems: Problem[] = warningProblems(result.warnings);
  for (const ref of resolver.missing) {
    const message = `${ref} is not in the image metadata: it got an empty config and ${parseReference(ref).digest ? 'its pinned digest' : 'a made-up digest'}, so digests that depend on it are not BuildKit's. Add it with \`dockerfile-llb lock\` and paste the file under Options.`;
    const steps = analysis.steps.filter((s) => s.kind === 'source' && imageRef(s)?.startsWith(ref.replace(/@sha256:[0-9a-f]+$/, '')));
    const at = steps.flatMap((s) => lines.get(s.digest) ?? []);
    if (at.length === 0) problems.push({ severity: 'warning', code: 'W_PLACEHOLDER_IMAGE', message });
    for (const [line, endLine] of at) problems.push({ severity: 'warning', code: 'W_PLACEHOLDER_IMAGE', message, at: { line, endLine } });
  }
  return { ok: true, build: { input, result, analysis, lines, problems, ms: performance.now() - started } };
}

/** The changes view: the current build against the "before" one. */
export function changes(before: Build, current: Build): DiffResult {
  return diff(before.result, current.result);
}

/** The base images a build uses (normalized references with their pinned digests). */
export function baseImages(build: Build): string[] {
  const refs = new Set<string>();
  for (const s of build.analysis.steps) {
    const ref = imageRef(s);
    if (ref !== undefined) refs.add(ref);
  }
  return [...refs];
}

/** The Dockerfile of a link mode. */
export function linkVariant(dockerfile: string, mode: LinkMode): string {
  return mode === 'as-written' ? dockerfile : setLinkFlags(dockerfile, mode === 'link');
}

/** One variant's answer to "what if the base image moves". */
export interface BaseMove {
  readonly mode: LinkMode;
  /** The variant's build before and after the move, and their diff. */
  readonly result: WhatIfResult;
  /** Ops of the variant (without the result op) and how many keep their digest. */
  readonly ops: number;
  readonly kept: number;
  readonly merges: number;
}

export interface BaseMoves {
  /** The images moved. */
  readonly images: readonly string[];
  readonly variants: readonly BaseMove[];
  /** Variants that do not compile, with why. */
  readonly errors: readonly { readonly mode: LinkMode; readonly message: string }[];
  readonly report?: LinkReport;
}

/**
 * What moving base images to other digests does to the build as written, with `--link` on every
 * COPY/ADD, and on none: which ops keep their digest.
 */
export async function baseMoves(build: Build, images: Images, moved: readonly string[]): Promise<BaseMoves> {
  if (!images.ok) return { images: moved, variants: [], errors: [] };
  const resolver = new PlaceholderResolver(images.resolver);
  const options = compileOptions(build.input, resolver);
  const change = { image: moved.map((ref) => ({ ref })) };
  const variants: BaseMove[] = [];
  const errors: { mode: LinkMode; message: string }[] = [];
  for (const mode of ['as-written', 'link', 'no-link'] as const) {
    try {
      const r = await whatIf(linkVariant(build.input.dockerfile, mode), options, change);
      const fresh = r.steps.filter((e) => e.status !== 'removed' && e.step.kind !== 'result');
      variants.push({
        mode,
        result: r,
        ops: fresh.length,
        kept: fresh.filter((e) => e.status === 'unchanged').length,
        merges: fresh.filter((e) => e.step.kind === 'merge').length,
      });
    } catch (e) {
      errors.push({ mode, message: (e as Error).message });
    }
  }
  let report: LinkReport | undefined;
  try {
    report = await linkReport(build.input.dockerfile, options, { images: change.image });
  } catch {
    report = undefined;
  }
  const out: { -readonly [K in keyof BaseMoves]: BaseMoves[K] } = { images: moved, variants, errors };
  if (report) out.report = report;
  return out;
}

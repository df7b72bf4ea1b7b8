/**
 * Shared fixtures of the analysis tests: the cases of our fixtures and of the golden corpus as
 * compile inputs, and independent checks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type CompileOptions, type CompileResult } from '../../src/compile';
import { definitionDigests, opJson, readDefinition, type Definition } from '../../src/index';
import { caseCompileOptions, definitionCases, fixtureCase, FIXTURES, imagesOf, readExpectedPb, resolverOf, type CorpusCase } from '../helpers/corpus';

/** The images of our fixtures, for Dockerfiles written in the tests. */
export const images = imagesOf(FIXTURES);

export interface LoadedCase {
  readonly c: CorpusCase;
  readonly dockerfile: string;
  readonly options: CompileOptions;
  readonly expected: Definition;
}

/** The compile options BuildKit used for a case (its corpus's images, case.json, .dockerignore). */
export function caseOptions(c: CorpusCase): CompileOptions {
  return { resolver: resolverOf(c), ...caseCompileOptions(c) };
}

export function loadCase(c: CorpusCase): LoadedCase {
  return { c, dockerfile: readFileSync(join(c.dir, 'Dockerfile'), 'utf8'), options: caseOptions(c), expected: readDefinition(readExpectedPb(c)) };
}

/** Every case of our fixtures and of the golden corpus (when present) with one expected Definition. */
export function allCases(): LoadedCase[] {
  return definitionCases().map(loadCase);
}

/** A case of our fixtures by name (`features/copy-link-context`). */
export function fixture(name: string): LoadedCase {
  return loadCase(fixtureCase(name));
}

/** A case of the golden corpus by name; only inside tests skipped when it is absent. */
export function goldenCase(name: string): LoadedCase {
  const c = allCases().find((x) => x.c.corpus === 'golden' && x.c.name === name);
  if (!c) throw new Error(`golden case ${name} is missing`);
  return c;
}

/** Compiles a case; `parity` says whether our ops are BuildKit's, byte for byte. */
export async function compileCase(lc: LoadedCase, options: CompileOptions = lc.options): Promise<{ result: CompileResult; parity: boolean }> {
  const result = await compile(lc.dockerfile, options);
  const ours = definitionDigests(result.definition);
  const theirs = definitionDigests(lc.expected);
  return { result, parity: ours.length === theirs.length && ours.every((d, i) => d === theirs[i]) };
}

/** The image references (`docker.io/library/alpine:3.20`, digest dropped) of a Definition's image sources. */
export function imageRefsOf(def: Definition): string[] {
  const refs = new Set<string>();
  for (const bytes of def.def) {
    const id = (opJson(bytes).source as { identifier?: string } | undefined)?.identifier;
    if (id?.startsWith('docker-image://')) refs.add(id.slice('docker-image://'.length).replace(/@sha256:[0-9a-f]{64}$/, ''));
  }
  return [...refs].sort();
}

/**
 * Independently of the analysis: the digests of the ops of `def` that depend, transitively or
 * themselves, on an op matching `seed` (e.g. an image source pinned to a given digest).
 */
export function dependingOn(def: Definition, seed: (op: ReturnType<typeof opJson>, digest: string) => boolean): Set<string> {
  const digests = definitionDigests(def);
  const out = new Set<string>();
  // Definition order puts inputs first, so one pass suffices.
  def.def.forEach((bytes, i) => {
    const op = opJson(bytes);
    const inputs = (op.inputs as { digest: string }[] | undefined) ?? [];
    if (seed(op, digests[i]) || inputs.some((x) => out.has(x.digest))) out.add(digests[i]);
  });
  return out;
}

/** An op is an image source pinned to `digest`. */
export function isImageWithDigest(digest: string) {
  return (op: ReturnType<typeof opJson>): boolean => {
    const id = (op.source as { identifier?: string } | undefined)?.identifier;
    return typeof id === 'string' && id.startsWith('docker-image://') && id.endsWith(`@${digest}`);
  };
}

/** A well-formed digest that no image in the corpus has. */
export function fakeDigest(n: number): string {
  return `sha256:${n.toString(16).padStart(8, '0').repeat(8)}`;
}

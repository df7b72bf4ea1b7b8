/**
 * The corpora of BuildKit answers the tests compare with: our fixtures (test/fixtures, always there)
 * and BuildKit's golden corpus (../shared/golden or $GOLDEN_DIR, the extended corpus, optional).
 * Both share one layout (scripts/lib/corpus.mjs). Tests iterate {@link allCases} to run over both;
 * tests that need the golden corpus itself wrap themselves in {@link describeGolden}, which skips
 * them when it is absent (vitest's global setup says so in one line).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'vitest';
import {
  CASE_SETS,
  corpora,
  dockerignoreOf,
  expectedDefinitions,
  expectedOutputs,
  FIXTURES,
  GOLDEN,
  listCases,
  listErrors,
  readCaseJson,
  type Corpus,
  type CorpusCase,
  type ExpectedDefinition,
} from '../../scripts/lib/corpus.mjs';
import { parseDockerignore } from '../../src/frontend/dockerignore';
import { StaticImageResolver } from '../../src/image/static-resolver';
import type { ImageMetadataFile } from '../../src/image/types';

export { CASE_SETS, corpora, expectedDefinitions, expectedOutputs, FIXTURES, GOLDEN, listCases, listErrors, readCaseJson };
export type { Corpus, CorpusCase, ExpectedDefinition };

/** Whether the golden corpus is present. */
export const hasGolden = GOLDEN !== undefined;

/** `describe` that runs only when the golden corpus is present (skipped, not failed, otherwise). */
export function describeGolden(name: string, body: () => void): void {
  describe.skipIf(!hasGolden)(name, body);
}

/** The sets whose cases have BuildKit's LLB for the plain request (no checks or frontend options). */
export const CONVERSION_SETS = ['features', 'real', 'e2e'] as const;

/** Cases of every corpus present (fixtures first), limited to `sets` (default: every case set). */
export function allCases(sets: readonly string[] = CASE_SETS): CorpusCase[] {
  return corpora().flatMap((c) => listCases(c, { sets }));
}

/** Cases of every corpus present whose BuildKit answer is one Definition (expected.pb). */
export function definitionCases(sets: readonly string[] = CONVERSION_SETS): CorpusCase[] {
  return allCases(sets).filter((c) => expectedOutputs(c).kind === 'single');
}

/** Every expected Definition of every corpus present (multi-platform cases give one per platform). */
export function allDefinitions(sets: readonly string[] = CASE_SETS): (ExpectedDefinition & { case: CorpusCase })[] {
  return allCases(sets).flatMap((c) => expectedDefinitions(c).map((d) => ({ ...d, case: c })));
}

/** Error cases of every corpus present. */
export function allErrors(): CorpusCase[] {
  return corpora().flatMap((c) => listErrors(c));
}

/** A case of our fixtures by name (`features/copy-link`); throws when it is missing. */
export function fixtureCase(name: string): CorpusCase {
  const set = name.startsWith('errors/') ? 'errors' : name.split('/')[0];
  const c = listCases(FIXTURES, { sets: [set] }).find((x) => x.name === name);
  if (!c) throw new Error(`fixture case ${name} is missing under test/fixtures`);
  return c;
}

export interface ExpectedJson {
  ops: { digest: string; op: unknown; metadata?: unknown }[];
  source?: unknown;
  imageConfig?: unknown;
}

/** expected.pb of a single-Definition case. */
export function readExpectedPb(c: CorpusCase): Uint8Array {
  return new Uint8Array(readFileSync(join(c.dir, 'expected.pb')));
}

/** expected.json of a single-Definition case. */
export function readExpectedJson(c: CorpusCase): ExpectedJson {
  return JSON.parse(readFileSync(join(c.dir, 'expected.json'), 'utf8')) as ExpectedJson;
}

const imageFiles = new Map<string, ImageMetadataFile>();

/** The parsed images.json of a case's corpus (or of a corpus). */
export function imagesOf(c: CorpusCase | Corpus): ImageMetadataFile {
  let f = imageFiles.get(c.images);
  if (!f) {
    f = JSON.parse(readFileSync(c.images, 'utf8')) as ImageMetadataFile;
    imageFiles.set(c.images, f);
  }
  return f;
}

/**
 * A resolver over a case's corpus's images.json, read as that corpus must be: the golden corpus's
 * pinned keys as recorded (its test resolver's digests), our fixtures' verified.
 */
export function resolverOf(c: CorpusCase | Corpus): StaticImageResolver {
  return StaticImageResolver.of(imagesOf(c), { pins: c.pins });
}

/** The compile options BuildKit ran a case with: case.json's target, platform, build args; .dockerignore. */
export function caseCompileOptions(c: CorpusCase): {
  target?: string;
  platform?: string;
  buildArgs: Record<string, string>;
  excludePatterns?: string[];
} {
  const j = readCaseJson(c.dir);
  const ignore = dockerignoreOf(c.dir);
  return {
    target: j.target,
    platform: j.platform,
    buildArgs: j.buildArgs ?? {},
    excludePatterns: ignore === undefined ? undefined : parseDockerignore(ignore),
  };
}

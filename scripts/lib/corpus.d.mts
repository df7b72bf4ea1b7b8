// Types of corpus.mjs for the TypeScript tests.

export interface Corpus {
  /** `fixtures` (test/fixtures) or `golden` (../shared/golden). */
  readonly id: 'fixtures' | 'golden';
  readonly dir: string;
  /** Its images.json. */
  readonly images: string;
  /** How its images.json's pinned keys are read: `as-recorded` for the golden corpus only. */
  readonly pins: 'verify' | 'as-recorded';
  /** The CLI flags that load its images.json: `--images FILE` (and, for golden, `--images-unverified-pins`). */
  readonly imagesFlags: readonly string[];
}

export interface CorpusCase {
  readonly corpus: Corpus['id'];
  readonly corpusDir: string;
  /** The corpus's images.json. */
  readonly images: string;
  /** See {@link Corpus.pins}. */
  readonly pins: Corpus['pins'];
  /** See {@link Corpus.imagesFlags}. */
  readonly imagesFlags: Corpus['imagesFlags'];
  /** `features`, `e2e`, ... or `errors`. */
  readonly set: string;
  /** `features/085-copy-basic`, `errors/001-unknown-instruction`. */
  readonly name: string;
  /** `fixtures:features/085-copy-basic`. */
  readonly id: string;
  readonly dir: string;
}

export type ExpectedOutputs =
  | { readonly kind: 'error'; readonly text: string }
  | { readonly kind: 'single'; readonly pb: string; readonly json: string }
  | { readonly kind: 'multi'; readonly platforms: readonly { platform: string; pb: string; json: string }[] }
  | { readonly kind: 'none' };

export interface ExpectedDefinition {
  readonly label: string;
  readonly pb: string;
  readonly json: string;
}

export interface CaseJson {
  target?: string;
  buildArgs?: Record<string, string>;
  platform?: string;
  platforms?: string[];
  labels?: Record<string, string>;
  extraHosts?: string[];
  hostname?: string;
  network?: string;
  shmSize?: number | string;
  ulimits?: string[];
  cgroupParent?: string;
}

export const ROOT: string;
export const FIXTURES_DIR: string;
export const CASE_SETS: readonly string[];
export const EXPECTED_FILES: readonly string[];
export const FIXTURES: Corpus;
export const GOLDEN: Corpus | undefined;
export function findGolden(): { dir: string | undefined; tried: string[] };
export function goldenMissingLine(): string;
export function corpora(): Corpus[];
export function listCases(corpus: Corpus, options?: { sets?: readonly string[] }): CorpusCase[];
export function listErrors(corpus: Corpus): CorpusCase[];
export function expectedOutputs(c: CorpusCase): ExpectedOutputs;
export function expectedDefinitions(c: CorpusCase): ExpectedDefinition[];
export function readCaseJson(dir: string): CaseJson;
export function dockerignoreOf(dir: string): string | undefined;

// Types of check-compare.mjs for the TypeScript tests.

export interface WarningJson {
  readonly ruleName: string;
  readonly detail?: string;
  readonly location?: { readonly ranges?: readonly { readonly start?: { readonly line?: number } }[] };
}

/** The warnings with every run of randomly ordered ones sorted (detail, or line). */
export function normalizeWarnings<T extends WarningJson>(warnings: readonly T[] | null): T[] | null;
/** An error about an image missing from images.json, as `<ref>: unknown image`. */
export function normalizeUnknownImage(text: string): string;
/** An error message with the rule list of a lint violation sorted, and unknown images alike. */
export function normalizeErrorMessage(message: string): string;
/** A check result (`expected-lint.json`'s shape) with its random orders normalized. */
export function normalizeLint(result: { warnings: readonly WarningJson[] | null; buildError?: { message: string } }): unknown;
/** stderr of `compile` without the summary of build checks it starts with (buildx's style). */
export function withoutCheckSummary(stderr: string): string;

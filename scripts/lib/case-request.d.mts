// Types of case-request.mjs for the TypeScript tests.
export function frontendOpts(cfg: Record<string, unknown>): string[];
export function cliFlags(cfg: Record<string, unknown>): string[];

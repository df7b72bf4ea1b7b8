/**
 * Shell-word processing identical to BuildKit's Dockerfile lexer.
 * @module
 */
export { ShellLex, SHELL_ERROR_CODE } from './lex.js';
export type { ProcessWordResult, ShellLexOptions } from './lex.js';
export { DEFAULT_EXPANSION_LIMITS, ExpansionBudget, expansionLimits } from './limits.js';
export type { ExpansionLimits } from './limits.js';
export { emptyEnv, envFromList, envFromMap } from './env.js';
export type { EnvGetter } from './env.js';

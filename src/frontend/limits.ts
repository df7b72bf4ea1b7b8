/**
 * The expansion bounds of the shell layer, as the frontend's callers (compile) see them: the
 * frontend creates one budget per conversion from them (see src/shell/limits.ts).
 */
export { checkLimit, DEFAULT_EXPANSION_LIMITS, ExpansionBudget, type ExpansionLimits } from '../shell/limits.js';

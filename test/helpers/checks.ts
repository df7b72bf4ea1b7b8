/**
 * Comparing build-check answers with BuildKit's, up to the orders BuildKit takes at random (the
 * golden corpus README): the helpers live in scripts/lib/check-compare.mjs, which
 * scripts/parity-requests.mjs shares.
 */
export { normalizeErrorMessage, normalizeLint, normalizeUnknownImage, normalizeWarnings, withoutCheckSummary } from '../../scripts/lib/check-compare.mjs';

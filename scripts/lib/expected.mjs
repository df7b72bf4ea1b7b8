// When two versions of an expected file say the same thing, although BuildKit wrote them differently.
// Used by the fixture generator to leave committed files untouched.
import { canonical, renameGroups } from './golden-compare.mjs';

/**
 * Two expected.json texts ({imageConfig, ops: [{digest, op, metadata}], source}) are the same when
 * they are equal as JSON values once progress group ids are renamed by order of appearance: BuildKit
 * draws those ids at random.
 */
export function sameDefinitionJson(a, b) {
  if (a === b) return true;
  const norm = (text) => {
    const j = JSON.parse(text);
    const meta = renameGroups((j.ops ?? []).map((o) => o.metadata));
    return JSON.stringify(canonical({ ...j, ops: (j.ops ?? []).map((o, i) => ({ ...o, metadata: meta[i] })) }));
  };
  return norm(a) === norm(b);
}

/**
 * Two texts (warnings, lint, outline, targets, errors) are the same when equal, or equal once the rule
 * list of `lint violation found for rules: A, B` is sorted: BuildKit lists those rules in map order.
 */
export function sameExpectedText(a, b) {
  if (a === b) return true;
  const norm = (t) =>
    t.replace(/(lint violation found for rules: )([A-Za-z]+(?:, [A-Za-z]+)+)/g, (_, p, rules) => p + rules.split(', ').sort().join(', '));
  return norm(a) === norm(b);
}

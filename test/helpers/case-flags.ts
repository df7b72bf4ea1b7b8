/** A corpus case's `case.json` as the `docker build` flags the CLI takes. */
import { cliFlags } from '../../scripts/lib/case-request.mjs';
import type { CaseJson } from '../../scripts/lib/corpus.mjs';

/** case.json fields → docker build flags (the same mapping scripts/e2e.mjs uses). */
export function caseFlags(cfg: CaseJson | Record<string, unknown>): string[] {
  return cliFlags(cfg as Record<string, unknown>);
}

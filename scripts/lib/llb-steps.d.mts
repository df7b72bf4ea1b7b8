/** One op as provenance records it: the op's Go JSON without inputs, and its inputs as `stepN:index`. */
export interface LlbStep {
  op: Record<string, unknown>;
  inputs: string[];
}
/** Source attributes that name a session or a client's unique id. */
export const SESSION_ATTRS: readonly string[];
/** The steps of a Definition, from `dumpDefinition`'s entries. */
export function stepsOf(dump: readonly { Digest: string; Op: object }[]): LlbStep[];
/** One comparable form of op JSON (ours or Go's). */
export function canon(v: unknown): unknown;

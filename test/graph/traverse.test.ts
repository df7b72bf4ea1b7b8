/**
 * The walk order of a file op's inputs (BuildKit's marshal walk through the action chains),
 * against the recursive formulation it was first written in, on random valid file ops.
 */
import { describe, expect, it } from 'vitest';
import { randInt, rng } from '../helpers/random';
import { traversalInputs } from '../../src/graph/traverse';
import type { FileAction, FileVertex, Output, Vertex } from '../../src/graph/types';

/** The walk written recursively, as a reference. */
function reference(v: FileVertex): Output[] {
  const n = v.inputs.length;
  const seen = new Set<number>();
  const order: Output[] = [];
  const add = (i: number) => {
    if (i >= 0 && i < n && !seen.has(i)) {
      seen.add(i);
      order.push(v.inputs[i]);
    }
  };
  const chainBase = (a: number): number => {
    let i = v.actions[a].input;
    for (let guard = 0; i >= n && guard <= v.actions.length; guard++) i = v.actions[i - n].input;
    return i;
  };
  const visited = new Set<number>();
  const visit = (start: number) => {
    for (let a: number | undefined = start; a !== undefined && !visited.has(a); ) {
      visited.add(a);
      const action: FileAction = v.actions[a];
      add(chainBase(a));
      if (action.action.kind === 'copy') {
        const src = action.secondaryInput;
        if (src >= n) visit(src - n);
        else add(src);
      }
      a = action.input >= n ? action.input - n : undefined;
    }
  };
  let last = v.actions.length - 1;
  for (let i = v.actions.length - 1; i >= 0; i--) {
    if (v.actions[i].output >= 0) {
      last = i;
      break;
    }
  }
  if (last >= 0) visit(last);
  for (let i = 0; i < n; i++) add(i);
  return order;
}

const leaf = (id: number): Vertex => ({ kind: 'source', identifier: `local://v${id}`, attrs: {}, inputs: [], constraints: { filter: [] }, metadata: {}, locations: [] });

describe('traversalInputs of a file op', () => {
  it('walks a copy source chain before the rest of the chain it is copied onto', () => {
    const inputs: Output[] = [0, 1, 2].map((i) => ({ vertex: leaf(i), index: 0 }));
    const mkdir = { kind: 'mkdir', path: '/d', mode: 0o755 } as FileAction['action'];
    const copy = { kind: 'copy', src: '/a', dest: '/b' } as FileAction['action'];
    // 3: input 0 with input 2 copied in; 4: mkdir on input 1; 5: copy 4 onto 3 (the output).
    const actions = [
      { input: 0, secondaryInput: 2, output: -1, action: copy },
      { input: 1, secondaryInput: -1, output: -1, action: mkdir },
      { input: 3, secondaryInput: 4, output: 0, action: copy },
    ] as FileAction[];
    const v = { kind: 'file', inputs, actions, constraints: { filter: [] }, metadata: {}, locations: [] } as unknown as FileVertex;
    expect(traversalInputs(v)).toEqual([inputs[0], inputs[1], inputs[2]]);
    expect(reference(v)).toEqual([inputs[0], inputs[1], inputs[2]]);
  });

  it('walks the action chains as the recursive walk does (3,000 random ops)', () => {
    const r = rng(42);
    const rand = (k: number) => randInt(r, k);
    for (let t = 0; t < 3000; t++) {
      const n = 2 + rand(4);
      const inputs: Output[] = Array.from({ length: n }, (_, i) => ({ vertex: leaf(i), index: 0 }));
      const count = 1 + rand(6);
      const actions: FileAction[] = [];
      for (let a = 0; a < count; a++) {
        // An op input, scratch, or an earlier action's result.
        const ref = () => {
          const r = rand(3);
          if (r === 0 || a === 0) return rand(n + 1) - 1;
          return n + rand(a);
        };
        const copy = rand(2) === 0;
        actions.push({
          input: ref(),
          secondaryInput: copy ? ref() : -1,
          output: a === count - 1 || rand(5) === 0 ? 0 : -1,
          action: copy ? ({ kind: 'copy', src: '/a', dest: '/b' } as FileAction['action']) : ({ kind: 'mkdir', path: '/d', mode: 0o755 } as FileAction['action']),
        });
      }
      const v = { kind: 'file', inputs, actions, constraints: { filter: [] }, metadata: {}, locations: [] } as unknown as FileVertex;
      expect(traversalInputs(v)).toEqual(reference(v));
    }
  });
});

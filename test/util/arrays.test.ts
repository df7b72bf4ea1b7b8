import { describe, expect, it } from 'vitest';
import { fit, mapSame, none } from '../../src/util/arrays.js';

describe('util/arrays', () => {
  it('none() is one frozen empty list', () => {
    expect(none<number>()).toBe(none<string>());
    expect(Object.isFrozen(none())).toBe(true);
    expect(() => none<number>().push(1)).toThrow(TypeError);
  });

  it('fit() gives the shared empty list for an empty one, else an equal copy', () => {
    const grown: number[] = [];
    expect(fit(grown)).toBe(none());
    grown.push(1, 2, 3);
    const kept = fit(grown);
    expect(kept).toEqual([1, 2, 3]);
    expect(kept).not.toBe(grown);
    grown.push(4);
    expect(kept).toEqual([1, 2, 3]);
  });

  it('mapSame() returns the list itself when nothing changed, else a new list', () => {
    const list = [1, 2, 3];
    expect(mapSame(list, (x) => x)).toBe(list);
    const doubled = mapSame(list, (x) => (x === 2 ? 20 : x));
    expect(doubled).toEqual([1, 20, 3]);
    expect(list).toEqual([1, 2, 3]);
  });
});

import { describe, expect, it } from 'vitest';
import { randInt, rng } from '../helpers/random';
import { clean, join } from '../../src/util/posix-path.js';

// Go's own table for path.Clean (src/path/path_test.go): facts about the function we mirror.
const GO_CLEAN: [string, string][] = [
  ['', '.'], ['abc', 'abc'], ['abc/def', 'abc/def'], ['a/b/c', 'a/b/c'], ['.', '.'], ['..', '..'],
  ['../..', '../..'], ['../../abc', '../../abc'], ['/abc', '/abc'], ['/', '/'],
  ['abc/', 'abc'], ['abc/def/', 'abc/def'], ['a/b/c/', 'a/b/c'], ['./', '.'], ['../', '..'],
  ['../../', '../..'], ['/abc/', '/abc'], ['abc//def//ghi', 'abc/def/ghi'], ['//abc', '/abc'],
  ['///abc', '/abc'], ['//abc//', '/abc'], ['abc//', 'abc'], ['abc/./def', 'abc/def'],
  ['/./abc/def', '/abc/def'], ['abc/.', 'abc'], ['abc/def/ghi/../jkl', 'abc/def/jkl'],
  ['abc/def/../ghi/../jkl', 'abc/jkl'], ['abc/def/..', 'abc'], ['abc/def/../..', '.'],
  ['/abc/def/../..', '/'], ['abc/def/../../..', '..'], ['/abc/def/../../..', '/'],
  ['abc/def/../../../ghi/jkl/../../../mno', '../../mno'], ['abc/./../def', 'def'],
  ['abc//./../def', 'def'], ['abc/../../././../def', '../../def'],
];

/** Go's algorithm written the plain way (split, stack, join), to compare the fast paths with. */
function reference(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
    } else parts.push(seg);
  }
  const out = parts.join('/');
  return rooted ? `/${out}` : out || '.';
}

describe('clean', () => {
  it.each(GO_CLEAN)('Clean(%j) = %j, as Go', (input, want) => {
    expect(clean(input)).toBe(want);
    // Go's table also checks that a clean path is its own Clean.
    expect(clean(want)).toBe(want);
  });

  it('agrees with the plain algorithm on 20,000 random paths', () => {
    const r = rng(20261127);
    const rand = (n: number) => randInt(r, n);
    const pieces = ['/', '/', '.', '..', 'a', 'bc', '/.', './', '../', '//'];
    for (let i = 0; i < 20000; i++) {
      let p = '';
      for (let k = rand(8); k > 0; k--) p += pieces[rand(pieces.length)];
      expect(clean(p), p).toBe(reference(p));
    }
  });
});

describe('join', () => {
  it('skips empty elements and cleans, as Go', () => {
    expect(join('a', 'b', 'c')).toBe('a/b/c');
    expect(join('a', '')).toBe('a');
    expect(join('', '')).toBe('');
    expect(join('', 'a')).toBe('a');
    expect(join('/src/s1', './app/')).toBe('/src/s1/app');
    expect(join('a/', '../b')).toBe('b');
    expect(join('/', '..', 'x')).toBe('/x');
  });
});

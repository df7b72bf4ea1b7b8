import { describe, expect, it } from 'vitest';
import { goJsonString, goJsonStringArray } from '../../src/util/gojson.js';

// What Go's encoding/json writes for these strings (HTML-safe escaping is its default).
const GO: [string, string][] = [
  ['plain/path', '"plain/path"'],
  ['', '""'],
  ['<a&b>', '"\\u003ca\\u0026b\\u003e"'],
  ['line\u2028para\u2029', '"line\\u2028para\\u2029"'],
  ['quote " and \\', '"quote \\" and \\\\"'],
  ['tab\tnl\n', '"tab\\tnl\\n"'],
  ['lone \ud800 high', '"lone \ufffd high"'],
  ['lone \udc00 low', '"lone \ufffd low"'],
  ['pair \ud83d\ude00', '"pair \ud83d\ude00"'],
  ['ünïcödé', '"ünïcödé"'],
];

describe('goJsonString', () => {
  it.each(GO)('json.Marshal(%j) = %s', (input, want) => {
    expect(goJsonString(input)).toBe(want);
  });
});

describe('goJsonStringArray', () => {
  it('writes each item as goJsonString does, plain or not', () => {
    expect(goJsonStringArray([])).toBe('[]');
    expect(goJsonStringArray(['a', 'b'])).toBe('["a","b"]');
    const items = GO.map(([s]) => s);
    expect(goJsonStringArray(items)).toBe(`[${GO.map(([, w]) => w).join(',')}]`);
  });
});

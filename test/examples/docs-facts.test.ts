/**
 * What the docs say about the API and the package is what the code does (issue 13): the fields
 * docs/library.md names exist, the examples do not send readers to a registry the package is not
 * on, and docs/images-json.md lists the image config fields that are checked, with their types.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile';
import { validateImageMetadata } from '../../src/image/metadata';
import { repoRoot } from '../helpers/cli';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const images = JSON.parse(read('examples/images.json'));

/** The rows of the first markdown table after `heading`: first cell → second cell. */
function tableAfter(text: string, heading: string): Map<string, string> {
  const start = text.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rows = new Map<string, string>();
  let seen = false;
  for (const line of text.slice(start).split('\n').slice(1)) {
    if (!line.startsWith('|')) {
      if (seen) break;
      continue;
    }
    seen = true;
    const [first, second] = line.split('|').slice(1).map((c) => c.trim());
    if (first === '---' || first === 'field') continue;
    rows.set(first, second);
  }
  return rows;
}

const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('docs/library.md', () => {
  it('names the fields a CompileResult has, and the fields of its stages', async () => {
    const result = await compile('FROM alpine:3.20 AS build\nRUN true\nFROM build\nFROM scratch\nCOPY --from=build / /\n', { images });
    const rows = tableAfter(read('docs/library.md'), 'It returns a `CompileResult`');
    const documented = [...rows.keys()].flatMap(names);
    expect(documented.sort()).toEqual(Object.keys(result).filter((k) => k !== 'warnings').sort());
    const stageFields = names(rows.get('`stages`')!).filter((n) => /^\w+$/.test(n) && n !== 'scratch' && n !== 'AS');
    expect(stageFields.sort()).toEqual(Object.keys(result.stages[0]).sort());
    expect(result.stages.map((s) => [s.name, s.index, s.baseName, s.reachable])).toEqual([
      ['build', 0, `docker.io/library/alpine:3.20@${images['docker.io/library/alpine:3.20'].digest}`, true],
      ['', 1, 'build', false],
      ['', 2, 'scratch', true],
    ]);
  });
});

describe('examples/README.md', () => {
  it('says how to run the CLI from the clone, not from a registry it is not published to', () => {
    const text = read('examples/README.md');
    expect(text).not.toMatch(/npx dockerfile-llb|npm install -g/);
    expect(text).toContain('node bin/dockerfile-llb.cjs');
  });
});

describe('docs/images-json.md', () => {
  const text = read('docs/images-json.md');

  it('is linked from the README and the library guide', () => {
    expect(read('README.md')).toContain('(docs/images-json.md)');
    expect(read('docs/library.md')).toContain('(images-json.md)');
  });

  it('lists every checked image config field with a type that the validator enforces', () => {
    const rows = tableAfter(text, '### The image config');
    const wrong: Record<string, unknown> = { string: 1, 'array of strings': 'x', boolean: 'yes', 'object of strings': { a: 1 } };
    let checked = 0;
    for (const [cell, type] of rows) {
      const bad = wrong[type];
      if (bad === undefined) continue;
      for (const field of names(cell)) {
        const config: Record<string, any> = { architecture: 'amd64', os: 'linux', config: {} };
        if (field.startsWith('config.')) config.config[field.slice(7)] = bad;
        else config[field] = bad;
        expect(() => validateImageMetadata({ alpine: { digest: images['docker.io/library/alpine:3.20'].digest, config } }), field).toThrow(
          `images["alpine"].config.${field.startsWith('config.') ? field : /^\w+$/.test(field) ? field : `["${field}"]`}`.replace('.config.["', '.config["'),
        );
        checked++;
      }
    }
    expect(checked).toBe(17);
  });
});

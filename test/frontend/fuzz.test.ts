/**
 * compile() on hostile Dockerfiles: mutated files of the corpora and random text must either compile or
 * fail with a typed DockerfileLlbError; never another exception and never a hang.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile';
import { DockerfileLlbError } from '../../src/errors';
import { StaticImageResolver } from '../../src/image/static-resolver';
import { allCases, imagesOf } from '../helpers/corpus';
import { randInt, rng } from '../helpers/random';

// Every case of the corpora, each with the images of its own corpus.
const resolvers = new Map<string, StaticImageResolver>();
const seeds = allCases().map((c) => {
  if (!resolvers.has(c.images)) resolvers.set(c.images, new StaticImageResolver(imagesOf(c), { pins: c.pins }));
  return { text: readFileSync(join(c.dir, 'Dockerfile'), 'utf8'), resolver: resolvers.get(c.images)! };
});
const TOKENS = ['FROM ', 'RUN ', 'COPY ', 'ADD ', 'ARG ', 'ENV ', '--mount=type=cache,target=', '--from=', '--link ', '--chmod=', '$', '${', '}', '\\\n', '<<EOF\n', '\nEOF\n', '"', "'", '[', ']', ' AS ', '\n', 'scratch', '0', '--platform=', 'ONBUILD ', ':-', '#', '`'];

function mutate(r: () => number, src: string): string {
  let s = src;
  for (let n = 1 + randInt(r, 4); n > 0; n--) {
    const at = randInt(r, s.length + 1);
    switch (randInt(r, 4)) {
      case 0:
        s = s.slice(0, at) + TOKENS[randInt(r, TOKENS.length)] + s.slice(at);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + randInt(r, 20));
        break;
      case 2: {
        const lines = s.split('\n');
        const i = randInt(r, lines.length);
        lines.splice(randInt(r, lines.length), 0, lines[i]);
        s = lines.join('\n');
        break;
      }
      default:
        s = s.slice(0, at) + String.fromCharCode(randInt(r, 128)) + s.slice(at);
    }
  }
  return s;
}

async function check(text: string, resolver: StaticImageResolver = seeds[0].resolver): Promise<void> {
  try {
    await compile(text, { resolver });
  } catch (e) {
    if (!(e instanceof DockerfileLlbError)) {
      throw new Error(`untyped ${(e as Error)?.name}: ${(e as Error)?.message}\n--- input ---\n${text.slice(0, 2000)}`, { cause: e });
    }
    expect(e.code).toMatch(/^E_/);
  }
}

describe('compile on hostile input', () => {
  it('3000 mutated Dockerfiles of the corpora', async () => {
    const r = rng(20261126);
    for (let i = 0; i < 3000; i++) {
      const seed = seeds[randInt(r, seeds.length)];
      await check(mutate(r, seed.text), seed.resolver);
    }
  });

  it('1000 random texts', async () => {
    const r = rng(7);
    for (let i = 0; i < 1000; i++) {
      let s = '';
      for (let n = randInt(r, 40); n > 0; n--) s += r() < 0.5 ? TOKENS[randInt(r, TOKENS.length)] : String.fromCharCode(32 + randInt(r, 95));
      await check(s);
    }
  });
});

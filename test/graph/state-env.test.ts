/**
 * State's environment is built lazily (a chain of variables over the nearest built list). It must
 * read exactly like the plain list semantics (setting a key moves it to the end), whatever the
 * order of sets, reads and branches.
 */
import { describe, expect, it } from 'vitest';
import { envAddOrReplace, envGet, type EnvList, State } from '../../src/graph/state';
import { rng } from '../helpers/random';

describe('State environment', () => {
  it('matches the list semantics on random branching histories', () => {
    const rand = rng(20261127);
    for (let round = 0; round < 40; round++) {
      // Each live state is paired with the list it should have.
      const live: [State, EnvList][] = [[State.scratch(), []]];
      for (let step = 0; step < 600; step++) {
        const i = Math.floor(rand() * live.length);
        const [s, ref] = live[i];
        const key = `K${Math.floor(rand() * (round % 2 ? 8 : 400))}`;
        const r = rand();
        if (r < 0.6) {
          const value = `v${step}`;
          const next: [State, EnvList] = [s.addEnv(key, value), envAddOrReplace(ref, key, value)];
          if (rand() < 0.1) live.push(next); // branch: the old state stays usable
          else live[i] = next;
        } else if (r < 0.8) {
          expect(s.getEnv(key)).toBe(envGet(ref, key));
        } else if (r < 0.9) {
          expect(s.values.env).toEqual(ref);
          expect(s.envKeys()).toEqual(ref.map(([k]) => k));
        } else {
          live[i] = [s.dir(`/d${step}`), ref]; // other values keep the environment
        }
      }
      for (const [s, ref] of live) expect(s.values.env).toEqual(ref);
    }
  });

  it('takes linear time for a long run of variables, read or not', () => {
    let s = State.scratch();
    const t0 = performance.now();
    for (let i = 0; i < 100_000; i++) {
      s = s.addEnv(`K${i}`, `v${i}`);
      if (i % 3 === 0 && s.getEnv(`K${i - 1}`) !== (i === 0 ? undefined : `v${i - 1}`)) throw new Error(`wrong K${i - 1}`);
    }
    expect(s.values.env.length).toBe(100_000);
    // Quadratic behaviour would take minutes here; linear takes well under a few seconds.
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});

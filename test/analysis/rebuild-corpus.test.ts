/**
 * The rebuild analysis over every expected Definition of the corpora (BuildKit's own LLB), with
 * changes at the paths each build reads: it never fails, and its verdicts keep the solver's rules
 * (an op keyed by an input's cache key runs when the input does; sources; the terminal op;
 * a change BuildKit does not checksum runs nothing; more changes never run fewer steps).
 */
import { describe, expect, it } from 'vitest';
import { type ContextChange, predictRebuild, type RebuildResult } from '../../src/analysis/index';
import { readDefinition } from '../../src/llb/definition';
import { allDefinitions } from '../helpers/corpus';
import { readFileSync } from 'node:fs';

/** A concrete path a follow path (maybe with wildcards) stands for. */
function concrete(p: string): string {
  return p.replace(/\[\^?([^\]\\])[^\]]*\]/g, '$1').replace(/\*/g, 'x').replace(/\?/g, 'q').replace(/^\.\//, '');
}

function candidatePaths(r: RebuildResult): string[] {
  const out = new Set(['Dockerfile', 'new-file.txt', 'src/app.ts']);
  for (const s of r.analysis.steps) {
    const v = s.vertex;
    if (v?.kind !== 'source' || v.identifier !== 'local://context') continue;
    for (const p of JSON.parse(v.attrs['local.followpaths'] ?? '[]') as string[]) {
      out.add(concrete(p));
      out.add(`${concrete(p)}/inner.txt`);
    }
  }
  return [...out].filter((p) => p !== '' && p !== '.');
}

function checkRules(r: RebuildResult, label: string): void {
  const status = r.statusOf;
  for (const e of r.steps) {
    const s = e.step;
    const v = s.vertex;
    const at = `${label}: ${s.label}`;
    if (!v) {
      expect(e.status, at).toBe(status.get(s.inputs[0]?.digest ?? '') ?? 'cached');
      continue;
    }
    const inputStatus = (i: number) => status.get(s.inputs[i].digest);
    switch (v.kind) {
      case 'source':
        expect(e.status, at).toBe(v.identifier.startsWith('local://') ? 'rebuilds' : 'cached');
        break;
      case 'exec': {
        const root = v.mounts.find((m) => m.dest === '/');
        if (root && root.input >= 0 && inputStatus(root.input) === 'rebuilds') expect(e.status, at).toBe('rebuilds');
        break;
      }
      case 'merge':
      case 'diff':
        if (s.inputs.some((_, i) => inputStatus(i) === 'rebuilds')) expect(e.status, at).toBe('rebuilds');
        break;
      case 'file':
        for (const a of v.actions) if (a.input >= 0 && a.input < s.inputs.length && inputStatus(a.input) === 'rebuilds') expect(e.status, at).toBe('rebuilds');
        break;
      case 'build':
        break;
    }
  }
}

const rank = { cached: 0, maybe: 1, rebuilds: 2 } as const;

describe('rebuild predictions over the corpora', () => {
  it('keep the solver rules for changes at every path the builds read', () => {
    let builds = 0;
    let predictions = 0;
    for (const d of allDefinitions(['features', 'real', 'e2e'])) {
      const def = readDefinition(new Uint8Array(readFileSync(d.pb)));
      const label = d.case.id;
      const none = predictRebuild(def, [{ path: 'Dockerfile', kind: 'mtime' }]);
      // Nothing BuildKit checksums changed: only the context sources run.
      for (const e of none.steps) if (e.step.vertex?.kind !== 'source' && e.step.vertex !== undefined) expect(e.status, `${label}: ${e.step.label}`).toBe('cached');
      checkRules(none, label);
      const paths = candidatePaths(none).slice(0, 12);
      let previous: RebuildResult | undefined;
      const all: ContextChange[] = [];
      for (const path of paths) {
        const one = predictRebuild(def, [{ path, kind: 'modified' }]);
        checkRules(one, `${label} (${path})`);
        all.push({ path, kind: 'modified' });
        const more = predictRebuild(def, all);
        checkRules(more, `${label} (${all.length} changes)`);
        // More changes never make a step less likely to run.
        for (const e of one.steps) expect(rank[more.statusOf.get(e.step.digest)!], `${label}: ${e.step.label}`).toBeGreaterThanOrEqual(rank[e.status]);
        if (previous) for (const e of previous.steps) expect(rank[more.statusOf.get(e.step.digest)!]).toBeGreaterThanOrEqual(rank[e.status]);
        previous = more;
        predictions += 2;
      }
      builds++;
    }
    expect(builds).toBeGreaterThan(50);
    expect(predictions).toBeGreaterThan(200);
  });
});

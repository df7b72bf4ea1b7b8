/**
 * docs/architecture.md shows the layer table that .dependency-cruiser.cjs enforces
 * (scripts/layers.cjs): the page cannot drift from the rules, and every folder of src/ is a layer.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/cli';

const require = createRequire(import.meta.url);
const { LAYERS, NODE_ONLY } = require(join(repoRoot, 'scripts/layers.cjs')) as {
  LAYERS: Record<string, string[]>;
  NODE_ONLY: string[];
};

const depRules = require(join(repoRoot, '.dependency-cruiser.cjs')) as { forbidden: IForbiddenRuleType[] };

/** The violations the project's dependency rules find in a tree of files (path → source). */
async function violationsIn(files: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'depcruise-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const { output } = await cruise(['src'], { baseDir: dir, validate: true, ruleSet: { forbidden: depRules.forbidden }, tsPreCompilationDeps: true });
    return (output as ICruiseResult).summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rows of the table under "## The layers": layer → may import. */
function documentedLayers(): Map<string, string[]> {
  const md = readFileSync(join(repoRoot, 'docs/architecture.md'), 'utf8');
  const section = md.slice(md.indexOf('## The layers'), md.indexOf('\n## ', md.indexOf('## The layers') + 1));
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const m = /^\| `([a-z]+)` \|[^|]*\| (.*) \|$/.exec(line);
    if (!m) continue;
    rows.set(m[1], m[2] === '(nothing)' ? [] : [...m[2].matchAll(/`([a-z]+)`/g)].map((x) => x[1]));
  }
  return rows;
}

describe('architecture', () => {
  it('docs/architecture.md shows the enforced layer table, row for row', () => {
    const doc = documentedLayers();
    expect([...doc.keys()]).toEqual(Object.keys(LAYERS));
    for (const [name, allowed] of Object.entries(LAYERS)) expect(doc.get(name), name).toEqual(allowed);
  });

  it('every folder and top-level module of src/ is a layer', () => {
    const entries = readdirSync(join(repoRoot, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory() || (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')))
      .map((e) => e.name.replace(/\.ts$/, ''));
    for (const name of entries) expect(Object.keys(LAYERS), `src/${name} has no row in scripts/layers.cjs`).toContain(name);
    for (const name of NODE_ONLY) expect(entries).toContain(name);
  });

  it('the table follows the flow of the mission and of the page: parser → shell → instructions → frontend → lower → llb → analysis → cli', () => {
    const order = Object.keys(LAYERS);
    const flow = ['parser', 'shell', 'instructions', 'frontend', 'lower', 'llb', 'analysis', 'cli'];
    const positions = flow.map((name) => order.indexOf(name));
    expect(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1])), `order ${order.join(', ')}`).toBe(true);
    const md = readFileSync(join(repoRoot, 'docs/architecture.md'), 'utf8');
    expect(md).toContain(`    ${flow.slice(0, -1).join(' → ')} → cli / web\n`);
  });

  it('layers only import layers above them (the table has no cycle)', () => {
    const order = Object.keys(LAYERS);
    for (const [name, allowed] of Object.entries(LAYERS)) {
      for (const dep of allowed) expect(order.indexOf(dep), `${name} imports ${dep}`).toBeLessThan(order.indexOf(name));
    }
  });

  it('no-circular has no exceptions: the frontend circle convert → commands → copy → convert is an error again', async () => {
    const rule = depRules.forbidden.find((r) => r.name === 'no-circular');
    expect(rule?.from).toEqual({});
    const circle = await violationsIn({
      'src/frontend/convert.ts': "import { dispatchCommand } from './commands';\nexport const nodeLocation = () => dispatchCommand;\n",
      'src/frontend/commands.ts': "import { dispatchCopy } from './copy';\nexport const dispatchCommand = () => dispatchCopy;\n",
      'src/frontend/copy.ts': "import { nodeLocation } from './convert';\nexport const dispatchCopy = () => nodeLocation;\n",
    });
    // dependency-cruiser reports a circle once, at the module where it first meets it.
    expect(circle).toHaveLength(1);
    expect(circle[0]).toMatch(/^no-circular: src\/frontend\/(convert|commands|copy)\.ts -> /);
    // A circle of type-only imports stays allowed (recursive types across modules).
    const typesOnly = await violationsIn({
      'src/instructions/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
      'src/instructions/b.ts': "import type { A } from './a';\nexport interface B { a?: A }\n",
    });
    expect(typesOnly).toEqual([]);
  });
});

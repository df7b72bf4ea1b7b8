/**
 * Every example runs, and every ```console block in the examples, the docs and the README prints
 * what it says it prints. Refresh the blocks after a deliberate change with
 *   UPDATE_DOCS=1 npx vitest run test/examples
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli';
import { consoleCommands, runConsoleCommand, updateConsoleBlocks } from './console-blocks';

const examples = readdirSync(join(repoRoot, 'examples'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const documents = [
  ...examples.map((e) => join('examples', e, 'README.md')),
  'examples/README.md',
  'README.md',
  ...(existsSync(join(repoRoot, 'docs')) ? readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f)) : []),
].filter((f) => existsSync(join(repoRoot, f)));

if (process.env.UPDATE_DOCS) for (const f of documents) updateConsoleBlocks(join(repoRoot, f));

describe('examples', () => {
  it('there are at least five, each with a README that shows a command and its output', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const e of examples) {
      const readme = join(repoRoot, 'examples', e, 'README.md');
      expect(existsSync(readme), `${readme} is missing`).toBe(true);
      expect(consoleCommands(readme).length, `${readme} has no console block`).toBeGreaterThan(0);
    }
  });

  for (const doc of documents) {
    const commands = consoleCommands(join(repoRoot, doc));
    if (commands.length === 0) continue;
    describe(doc, () => {
      for (const c of commands) {
        it(`line ${c.line}: $ ${c.command.split('\n')[0]}`, () => {
          const { output, status } = runConsoleCommand(c.command);
          expect(output, `${doc}:${c.line} printed something else (UPDATE_DOCS=1 refreshes it)`).toBe(c.expected);
          // A documented command that fails must show it with `|| echo exit $?` or similar.
          expect(status, `${doc}:${c.line} exited ${status}`).toBe(0);
        });
      }
    });
  }
});

describe('docs/copy-link pictures', () => {
  it.each(['copy', 'copy-link'])('%s.dot is what dump --dot prints today (the SVG is rendered from it)', (name) => {
    const { output, status } = runConsoleCommand(`dockerfile-llb dump --dot -f docs/copy-link/${name}.Dockerfile docs/copy-link --images examples/images.json`);
    expect(status).toBe(0);
    expect(output).toBe(readFileSync(join(repoRoot, 'docs/copy-link', `${name}.dot`), 'utf8'));
    const svg = readFileSync(join(repoRoot, 'docs/copy-link', `${name}.svg`), 'utf8');
    // Every node of the graph is in the picture.
    for (const m of output.matchAll(/\\n([0-9a-f]{12})"/g)) expect(svg).toContain(m[1]);
  });
});

describe('code shown in the docs is the code that runs', () => {
  it('docs/library.md and README.md show docs/library/compile.ts as it is', () => {
    const code = readFileSync(join(repoRoot, 'docs/library/compile.ts'), 'utf8');
    expect(readFileSync(join(repoRoot, 'docs/library.md'), 'utf8')).toContain(`\`\`\`ts\n${code}\`\`\``);
    if (existsSync(join(repoRoot, 'README.md'))) expect(readFileSync(join(repoRoot, 'README.md'), 'utf8')).toContain(`\`\`\`ts\n${code}\`\`\``);
  });
});

/**
 * The import rules of docs/architecture.md, checked by `npm run lint:deps` (dependency-cruiser).
 *
 * The layer table lives in scripts/layers.cjs; a test (test/architecture.test.ts) checks that
 * docs/architecture.md shows the same table.
 */
'use strict';

const { LAYERS, NODE_ONLY } = require('./scripts/layers.cjs');

/** The path pattern of a layer: a folder src/NAME/ or a module src/NAME.ts. */
const layerPath = (name) => `^src/${name}(/|\\.ts$)`;
const escapeAlt = (names) => names.map((n) => `${n}(/|\\.ts$)`).join('|');

const layerRules = Object.entries(LAYERS).flatMap(([name, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((other) => other !== name && !allowed.includes(other));
  if (forbidden.length === 0) return [];
  return {
    name: `layer-${name}`,
    comment: `src/${name} may import only ${allowed.length ? allowed.join(', ') : 'itself'} (docs/architecture.md)`,
    severity: 'error',
    from: { path: layerPath(name) },
    to: { path: `^src/(${escapeAlt(forbidden)})` },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'core-is-browser-safe',
      comment: 'the core runs in browsers: no Node built-ins outside src/cli, src/node and src/resolver',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${escapeAlt(NODE_ONLY)})` },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-imports-no-node-only-code',
      comment: 'the core must not reach Node-only code through an import either',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${escapeAlt(NODE_ONLY)})` },
      to: { path: `^src/(${escapeAlt(NODE_ONLY)})` },
    },
    {
      name: 'web-uses-the-core',
      comment: 'web/ runs in the browser: it may use the core, not Node-only code or Node built-ins',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: [`^src/(${escapeAlt(NODE_ONLY)})`], dependencyTypes: [] },
    },
    {
      name: 'web-no-node-builtins',
      severity: 'error',
      // The page's build config (vite.config.ts) runs in Node, as do its test and bench helpers.
      from: { path: '^web/', pathNot: ['^web/(test|scripts)/', '^web/vite\\.config\\.ts$'] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'src-not-to-tests',
      comment: 'shipped code never imports tests, scripts, bench or examples',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|scripts|bench|examples|docs|web)/' },
    },
    {
      name: 'src-not-to-dev-deps',
      comment: 'shipped code imports only `dependencies` (devDependencies are not installed for users); type references vanish when compiled',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only', 'triple-slash-type-reference'] },
    },
    {
      name: 'declared-packages-only',
      comment: 'every package imported anywhere is declared in package.json',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'resolvable',
      comment: 'every relative import resolves to a file (bin/ loads dist/, which the build makes)',
      severity: 'error',
      from: { pathNot: '^bin/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'no-circular',
      comment:
        'modules do not import each other in a circle (type-only imports excepted: they vanish when compiled ' +
        'and mirror recursive types, like a Stage holding Commands)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};

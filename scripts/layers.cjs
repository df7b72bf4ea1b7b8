/**
 * The layers of src/ (docs/architecture.md): each folder of src/, or top-level module, and the
 * layers it may import besides itself. Read by .dependency-cruiser.cjs, which enforces it, and
 * by test/architecture.test.ts, which checks that docs/architecture.md shows this table.
 */
'use strict';

/** The browser-safe core; everything in src/ except these Node-only folders. */
const NODE_ONLY = ['cli', 'node', 'resolver'];

/** Layer -> the layers it may import. Order: lower layers first. */
const LAYERS = {
  util: [],
  errors: [],
  version: [],
  shell: ['util', 'errors'],
  parser: ['shell', 'util', 'errors'],
  instructions: ['parser', 'shell', 'util', 'errors'],
  image: ['util', 'errors'],
  graph: ['image', 'util', 'errors'],
  llb: ['graph', 'image', 'util', 'errors'],
  frontend: ['instructions', 'parser', 'shell', 'graph', 'image', 'util', 'errors'],
  lower: ['graph', 'image', 'util', 'errors'],
  compile: ['frontend', 'lower', 'llb', 'graph', 'image', 'util', 'errors'],
  check: ['frontend', 'instructions', 'image', 'util', 'errors'],
  lock: ['compile', 'image', 'util', 'errors'],
  analysis: ['compile', 'frontend', 'lower', 'llb', 'instructions', 'parser', 'shell', 'graph', 'image', 'util', 'errors'],
  index: ['analysis', 'lock', 'check', 'compile', 'frontend', 'lower', 'llb', 'instructions', 'parser', 'shell', 'graph', 'image', 'util', 'errors', 'version'],
  resolver: ['image', 'util', 'errors'],
  node: ['index', 'resolver'],
  cli: ['node', 'index', 'analysis', 'lock', 'check', 'compile', 'frontend', 'lower', 'llb', 'instructions', 'parser', 'shell', 'graph', 'image', 'resolver', 'util', 'errors', 'version'],
};

module.exports = { LAYERS, NODE_ONLY };

/**
 * The layers of src/ (docs/architecture.md): each folder of src/, or top-level module, and the
 * layers it may import besides itself. Read by .dependency-cruiser.cjs, which enforces it, and
 * by test/architecture.test.ts, which checks that docs/architecture.md shows this table.
 */
'use strict';

/** The browser-safe core; everything in src/ except these Node-only folders. */
const NODE_ONLY = ['cli', 'node', 'resolver'];

/**
 * Layer -> the layers it may import. Order: the project's flow (parser → shell → instructions →
 * frontend → lower → llb → analysis → cli), with the layers beside it (util, errors, version at
 * the start, image and graph before the frontend that uses them, resolver before node): each
 * layer may import only layers above it, and test/architecture.test.ts checks the order.
 */
const LAYERS = {
  util: [],
  errors: [],
  version: [],
  parser: ['util', 'errors'],
  shell: ['util', 'errors'],
  instructions: ['parser', 'shell', 'util', 'errors'],
  image: ['util', 'errors'],
  graph: ['image', 'util', 'errors'],
  frontend: ['instructions', 'parser', 'shell', 'graph', 'image', 'util', 'errors'],
  lower: ['graph', 'image', 'util', 'errors'],
  llb: ['graph', 'image', 'util', 'errors'],
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

/**
 * Node-only entry point (`dockerfile-llb/node`): everything in the core, plus helpers that need
 * the file system, processes or the network (the registry resolver and credential lookup).
 */
import { useNodeSha256 } from './sha256.js';

export * from '../index.js';
export * from '../resolver/index.js';
export { readContextTree, compareContexts, changesForPaths } from './context.js';

// Digests in Node use node:crypto (the core keeps its pure SHA-256 for browsers).
useNodeSha256();

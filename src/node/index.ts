/**
 * Node-only entry point (`dockerfile-llb/node`): everything in the core, plus helpers that need
 * the file system, processes or the network (the registry resolver and credential lookup).
 */
export * from '../index.js';
export * from '../resolver/index.js';
export { readContextTree, compareContexts, changesForPaths } from './context.js';

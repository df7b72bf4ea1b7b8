/**
 * Dockerfile parsing: text → BuildKit's parse tree (`parser` package of BuildKit).
 * @module
 */
export { parse } from './parser.js';
export type { ParseOptions, ParseResult, Warning } from './parser.js';
export { dumpNode } from './node.js';
export type { Heredoc, Node } from './node.js';
export { parseDirective, detectSyntax, parseCheckDirective, parseCheckOptions, DirectiveParser, matchDirective } from './directives.js';
export type { CheckConfig, DetectedDirective, Directive } from './directives.js';
export { parseHeredocMarker, mustParseHeredoc, chompHeredocContent } from './heredoc.js';
export type { HeredocMarker } from './heredoc.js';
export { ErrorCode } from './codes.js';
export type { ErrorCodeValue } from './codes.js';

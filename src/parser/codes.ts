/**
 * Error codes of the parser, the shell lexer and the instruction layer: the Dockerfile codes of
 * `src/errors.ts` under the short name this layer has always used.
 */
export { DockerfileErrorCode as ErrorCode, type DockerfileErrorCode as ErrorCodeValue } from '../errors.js';
